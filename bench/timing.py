"""What every speed benchmark times with: peak memory of this process,
percentiles of a list of timings, a progress callback that cuts a build
into stages, and emptying the query caches so that a query is timed cold.

Consumed by bench/speed.py, bench/hybrid_speed.py and bench/demo.py (each
phase of theirs runs in its own process, so a peak is one phase's).
"""
from __future__ import annotations

import resource
import time

import numpy as np


def peak_mb() -> float:
    """The peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


class StageClock:
    """A progress callback that notes when each stage was first and last
    reported, so one build can be cut into stages."""

    def __init__(self) -> None:
        self.seen: dict[str, list[float]] = {}

    def __call__(self, done: int, total: int, stage: str) -> None:
        now = time.perf_counter()
        self.seen.setdefault(stage, [now, now])[1] = now


def forget_caches(engine, readings: bool = True) -> None:
    """Time queries cold: forget the encodings of recent queries and, with
    `readings`, the occurrences the explanations read in context (within one
    method's run that cache is kept: passages recur across queries in use too)."""
    from indexing.contextual import forget_recent

    forget_recent()
    senses = engine.index.methods.get("senses")
    if readings and senses is not None:
        senses.forget_readings()
