"""Progress reporting without a UI dependency: stages call
`on_progress(done, total, stage)`; the UI turns it into `st.progress`, the
command line into tqdm bars."""
from __future__ import annotations

from collections.abc import Callable

from tqdm.auto import tqdm

Progress = Callable[[int, int, str], None]


def no_progress(done: int, total: int, stage: str) -> None:
    """The default callback: report nothing."""


class TqdmProgress:
    """A `Progress` callback that shows one tqdm bar per stage."""

    def __init__(self) -> None:
        self._bar: tqdm | None = None
        self._stage = ""

    def __call__(self, done: int, total: int, stage: str) -> None:
        if stage != self._stage or self._bar is None:
            self.close()
            self._bar = tqdm(total=total, desc=stage, unit="step", dynamic_ncols=True)
            self._stage = stage
        self._bar.total = total
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
