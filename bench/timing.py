"""What every speed benchmark times with: peak memory of this process,
percentiles of a list of timings, a progress callback that cuts a build
into stages, emptying the query caches so that a query is timed cold, and
running each phase in a process of its own (so a peak is one phase's).

Consumed by bench/speed.py, bench/hybrid_speed.py and bench/demo.py (each
phase of theirs runs in its own process, so a peak is one phase's).
"""
from __future__ import annotations

import json
import logging
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable

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
    if readings:
        engine.forget_readings()


def run_phase(module: str, *args: str, env: dict[str, str] | None = None) -> dict:
    """``python -m module args...`` in a new process; the JSON it prints last."""
    out = subprocess.run([sys.executable, "-m", module, *args], check=True, stdout=subprocess.PIPE, text=True,
                         env={**os.environ, **(env or {})})
    return json.loads(out.stdout.strip().splitlines()[-1])


def phase_main(argv: list[str], phases: dict[str, Callable[[list[str]], dict]]) -> None:
    """A phase process's entry: run the phase ``argv[0]`` names with the
    rest of ``argv`` and print its result as one JSON line."""
    logging.basicConfig(level=logging.WARNING)
    phase, *rest = argv
    if phase not in phases:
        raise SystemExit(f"unknown phase {phase!r}")
    print(json.dumps(phases[phase](rest)))
