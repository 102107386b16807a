"""The manifest of an index directory: format version, library versions,
configs and counts. Loading reads it first and refuses what it cannot read."""
from __future__ import annotations

import json
import logging
import os
import platform
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from indexing import __version__
from indexing.errors import IndexCorruptError, IndexVersionError

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_LIBRARIES = ("gensim", "faiss-cpu", "numpy", "torch")


def library_versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "sensesearch": __version__}
    for name in _LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def write_manifest(directory: Path, manifest: dict) -> None:
    """Write atomically (temp file, then rename)."""
    manifest = {**manifest, "format_version": FORMAT_VERSION, "libraries": library_versions(), "updated_at": now()}
    tmp = directory / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    os.replace(tmp, directory / MANIFEST)


def read_manifest(directory: Path) -> dict:
    """The manifest of `directory`; raises if missing, unreadable or of
    another format version. Warns when library versions drifted."""
    path = directory / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise IndexCorruptError(f"{directory} has no {MANIFEST}; rebuild the index.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise IndexCorruptError(f"{path} is not valid JSON ({error}); rebuild the index.") from None
    found = manifest.get("format_version") if isinstance(manifest, dict) else None
    if found != FORMAT_VERSION:
        raise IndexVersionError(
            f"The index in {directory} has format version {found}, this SenseSearch "
            f"({__version__}) reads version {FORMAT_VERSION}. Rebuild it: in the app press "
            "'Retrain', or run `python -m indexing build --source ...` with a new --data-dir."
        )
    for name, wanted in manifest.get("libraries", {}).items():
        have = library_versions().get(name)
        if name in _LIBRARIES and have != wanted:
            logger.warning("index was written with %s %s, running %s", name, wanted, have)
    return manifest
