"""Copy a whole data directory while it may be in use: the store through
SQLite's backup API (so no WAL frame is lost), everything else as files."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path


def copy_data_dir(source: Path, target: Path) -> Path:
    """Copy the data directory `source` to `target` (which must not exist);
    returns `target`. Lock files and logs are not copied."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("store.sqlite3*", "write.lock", "*.log"))
    src, dst = sqlite3.connect(source / "store.sqlite3"), sqlite3.connect(target / "store.sqlite3")
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return target
