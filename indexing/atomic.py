"""One way to replace a file so that a reader, or a process killed half-way,
never sees it half-written: write a `.tmp` beside it, then rename it over.
A killed writer's `.tmp` is removed by `generation.remove_debris`."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from indexing.crash import crash_point


def write_atomically(path: Path, write: Callable[[Path], None], crash_name: str | None = None) -> None:
    """Call `write(tmp)` to fill a temporary file, then rename it to `path`.
    `crash_name` names the test hook's point between the two
    (`indexing.crash`)."""
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    if crash_name is not None:
        crash_point(crash_name)
    os.replace(tmp, path)
