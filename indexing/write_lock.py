"""One writer at a time over a data directory: threads of one process by a
re-entrant lock, processes by flock on `write.lock`.

Consumes the directory and a `tidy` callback; produces a context manager
that yields True with the lock held, or False (without it) when another
writer holds it and the caller asked not to wait. The first entry of a
thread calls `tidy` with the lock just taken (the index removes what a
killed writer left and follows other processes' writes there); re-entries
do not, since flock on a second descriptor would block on our own lock.
"""
from __future__ import annotations

import fcntl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from indexing.progress import Progress, no_progress


class WriteLock:
    def __init__(self, directory: Path, tidy: Callable[[Progress], None]) -> None:
        self.path = directory / "write.lock"
        self._tidy = tidy
        self._lock = threading.RLock()
        self._depth = 0

    @contextmanager
    def held(self, on_progress: Progress = no_progress, wait: bool = True) -> Iterator[bool]:
        if not self._lock.acquire(blocking=wait):
            yield False
            return
        try:
            if self._depth:
                self._depth += 1
                try:
                    yield True
                finally:
                    self._depth -= 1
                return
            with open(self.path, "a") as lock_file:
                try:
                    fcntl.flock(lock_file, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    yield False
                    return
                self._depth = 1
                try:
                    self._tidy(on_progress)
                    yield True
                finally:
                    self._depth = 0
                    fcntl.flock(lock_file, fcntl.LOCK_UN)
        finally:
            self._lock.release()
