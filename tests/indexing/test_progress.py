"""One progress bar for a whole build: each stage's done/total weighed by
its share of the job, never going back, and the time left from the elapsed
time, checked by hand against a fake clock."""
from __future__ import annotations

import pytest

from indexing.progress import (BUILD_STAGES, Estimate, OverallProgress, TqdmProgress, progress_text,
                               time_left)

PLAN = (("Training", 1.0), ("Encoding with", 3.0))  # a quarter, then three quarters


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def recorder(stages=PLAN, clock=None) -> tuple[OverallProgress, list[Estimate]]:
    seen: list[Estimate] = []
    return OverallProgress(seen.append, stages, clock or FakeClock()), seen


@pytest.mark.parametrize(("done", "total", "stage", "expected"), [
    (0, 10, "Training DM", 0.0), (5, 10, "Training DM", 0.125), (10, 10, "Training DM", 0.25),
    (0, 4, "Encoding with ELMo", 0.25), (2, 4, "Encoding with ELMo", 0.625), (4, 4, "Encoding with ELMo", 1.0),
    (7, 0, "Training DM", 0.0), (12, 10, "Training DM", 0.25),  # nothing to count; overshoot capped
    (3, 4, "Tidying up", 0.0),  # a stage outside the plan has no share
])
def test_each_stage_is_weighed_by_its_share(done: int, total: int, stage: str, expected: float) -> None:
    progress, _ = recorder()
    assert progress.fraction(done, total, stage) == pytest.approx(expected)


def test_the_overall_fraction_never_goes_back_and_skips_a_stage_that_does_not_run() -> None:
    progress, seen = recorder((("A", 1.0), ("B", 1.0), ("C", 2.0)))
    progress(1, 2, "A")
    progress(1, 2, "C")  # B never ran: C starts at half way
    progress(2, 2, "A")  # a late report of an earlier stage
    assert [e.fraction for e in seen] == pytest.approx([0.125, 0.75, 0.75])
    assert (seen[-1].stage, seen[-1].done, seen[-1].total) == ("A", 2, 2)


def test_the_time_left_scales_the_elapsed_time_by_what_remains() -> None:
    clock = FakeClock()
    progress, seen = recorder(clock=clock)
    clock.now += 1.0
    progress(1, 100, "Training")  # 0.25% done: too little to go on
    assert seen[-1].seconds_left is None
    clock.now += 29.0
    progress(10, 10, "Training")  # a quarter in 30 s: three quarters take 90 s more
    assert seen[-1].seconds_left == pytest.approx(90.0)
    clock.now += 60.0
    progress(2, 4, "Encoding with DM")  # 62.5% in 90 s
    assert seen[-1].seconds_left == pytest.approx(90.0 * 0.375 / 0.625)
    progress(4, 4, "Encoding with DM")
    assert seen[-1].fraction == 1.0 and seen[-1].seconds_left == 0.0 and time_left(0.0) == "finishing"


@pytest.mark.parametrize(("seconds", "text"), [
    (None, "estimating the time left"), (0.0, "finishing"), (1.0, "about 5 s left"), (42.0, "about 40 s left"),
    (89.0, "about 90 s left"), (400.0, "about 7 min left")])
def test_the_time_left_is_said_in_round_figures(seconds: float | None, text: str) -> None:
    assert time_left(seconds) == text


def test_a_plan_without_weight_is_refused() -> None:
    with pytest.raises(ValueError, match="positive weight"):
        OverallProgress(print, (("A", 0.0),))


def test_the_build_plan_adds_up_to_the_whole() -> None:
    assert sum(weight for _, weight in BUILD_STAGES) == pytest.approx(1.0, abs=1e-3)
    assert progress_text(Estimate(0.5, 30.0, "Training Doc2Vec DM", 4, 8)) == (
        "Training Doc2Vec DM (4/8) · 50% of all stages · about 30 s left")


def test_the_command_line_shows_one_bar_for_the_whole_job(capsys: pytest.CaptureFixture) -> None:
    clock = FakeClock()
    progress = TqdmProgress(PLAN, clock)
    for done in range(11):
        clock.now += 3.0
        progress(done, 10, "Training")
    for done in range(5):
        clock.now += 9.0
        progress(done, 4, "Encoding with BM25")
    progress.close()
    err = capsys.readouterr().err
    # A quarter after 33 s: 99 s left; 62.5% after 60 s: 36 s left.
    assert "25%|" in err and "| about 2 min left · Training (10/10)" in err
    assert "| about 35 s left · Encoding with BM25 (2/4)" in err
    assert err.rstrip().endswith("100%|██████████| finishing · Encoding with BM25 (4/4)")
    assert err.count("\n") == 1, "one bar, closed once"
