"""Progress reporting without a UI dependency: stages call
`on_progress(done, total, stage)`; `OverallProgress` turns those reports into
one fraction of the whole job and an estimate of the time left, which the UI
draws as one `st.progress` bar and the command line as one tqdm bar."""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tqdm.auto import tqdm

Progress = Callable[[int, int, str], None]

# Each stage's share of a full build's time, by the start of its name, in
# the order the stages run. Measured on the demo corpus (399 documents, 535k
# words) by a callback that timestamped every report of
# `Index.build_if_missing(DemoCorpus)` (.devrun-style script, one fresh build
# on the idle 2-core development machine, 323 s, 2026-12-07;
# bench/results/decisions.md, "Build stages"). A stage runs from the
# previous stage's last report to its own last report, so Doc2Vec DM's share
# also holds storing the documents, ELMo's loading the biLM, and the encoding
# stage indexing BM25 and reading each word's sense for the explanations
# (indexing/senses/readings.py), which it does batch by batch.
BUILD_STAGES: tuple[tuple[str, float], ...] = (
    ("Training Doc2Vec DM", 0.156),
    ("Calibrating Doc2Vec DM", 0.027),
    ("Training Doc2Vec DBOW", 0.167),
    ("Calibrating Doc2Vec DBOW", 0.002),
    ("ELMo: measuring the corpus", 0.011),
    ("Senses: learning word contexts", 0.047),
    ("Senses: reading words in context", 0.023),
    ("Senses: clustering each word's occurrences", 0.048),
    ("Encoding with", 0.519),
)
# An upload only encodes the new documents with every method (and reads their words' senses meanwhile).
UPLOAD_STAGES: tuple[tuple[str, float], ...] = (("Encoding with", 1.0),)
MIN_FRACTION_TO_ESTIMATE = 0.02  # before this, the time left is a guess from too little


def no_progress(done: int, total: int, stage: str) -> None:
    """The default callback: report nothing."""


@dataclass(frozen=True)
class Estimate:
    """Where a job stands: `fraction` (0 to 1) of all its stages, the
    seconds left (None until there is enough to go on) and the stage's own report."""

    fraction: float
    seconds_left: float | None
    stage: str
    done: int
    total: int


class OverallProgress:
    """A `Progress` callback that weighs each stage's `done / total` by the
    stage's share of the job (`stages`: name prefix and weight, in order)
    and hands `report` an `Estimate`: the overall fraction never goes back,
    and the time left is the elapsed time scaled by what remains,
    elapsed * (1 - fraction) / fraction. A stage the plan does not name
    adds nothing; one it names but never runs is skipped over."""

    def __init__(self, report: Callable[[Estimate], None], stages: Sequence[tuple[str, float]] = BUILD_STAGES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        total = sum(weight for _, weight in stages)
        if not stages or total <= 0:
            raise ValueError(f"stages must name at least one stage with a positive weight, not {stages!r}")
        self._stages = [(prefix, weight / total) for prefix, weight in stages]
        self._report, self._clock = report, clock
        self._start = clock()
        self._fraction = 0.0

    def fraction(self, done: int, total: int, stage: str) -> float:
        """The share of the whole job finished at this report (not kept)."""
        before = 0.0
        for prefix, weight in self._stages:
            if stage.startswith(prefix):
                return before + weight * (min(1.0, done / total) if total > 0 else 0.0)
            before += weight
        return 0.0  # a stage outside the plan: no share of its own

    def __call__(self, done: int, total: int, stage: str) -> None:
        self._fraction = max(self._fraction, self.fraction(done, total, stage))
        self._report(Estimate(self._fraction, self.seconds_left(), stage, done, total))

    def seconds_left(self) -> float | None:
        if self._fraction < MIN_FRACTION_TO_ESTIMATE:
            return None
        elapsed = self._clock() - self._start
        return elapsed * (1.0 - self._fraction) / self._fraction


def time_left(seconds: float | None) -> str:
    """"about 40 s left", "about 7 min left"; "estimating the time left"
    without an estimate, "finishing" once every stage is done."""
    if seconds is None:
        return "estimating the time left"
    if seconds <= 0:
        return "finishing"
    if seconds < 90:
        return f"about {max(5, 5 * round(seconds / 5))} s left"
    return f"about {round(seconds / 60)} min left"


def progress_text(estimate: Estimate) -> str:
    """One line for a progress bar: the stage's own count, the whole job's per cent, the time left."""
    return (f"{estimate.stage} ({estimate.done}/{estimate.total}) · {estimate.fraction:.0%} of all stages · "
            f"{time_left(estimate.seconds_left)}")


class TqdmProgress:
    """A `Progress` callback that shows one tqdm bar for the whole job, in
    per cent, with the current stage and the time left."""

    def __init__(self, stages: Sequence[tuple[str, float]] = BUILD_STAGES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._bar: tqdm | None = None
        self._overall = OverallProgress(self._show, stages, clock)

    def __call__(self, done: int, total: int, stage: str) -> None:
        self._overall(done, total, stage)

    def _show(self, estimate: Estimate) -> None:
        if self._bar is None:
            self._bar = tqdm(total=100, unit="%", dynamic_ncols=True, bar_format="{percentage:3.0f}%|{bar}| {desc}")
        self._bar.set_description_str(f"{time_left(estimate.seconds_left)} · {estimate.stage} "
                                      f"({estimate.done}/{estimate.total})", refresh=False)
        self._bar.n = round(100 * estimate.fraction, 1)
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
