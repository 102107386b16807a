"""The manifest of an index directory: format version, library versions,
configs and counts. Loading reads it first and refuses what it cannot read."""
from __future__ import annotations

import json
import logging
import platform
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from indexing import __version__
from indexing.atomic import atomic_path
from indexing.errors import IndexCorruptError, IndexVersionError

logger = logging.getLogger(__name__)

# The format of an index generation. Version 1: manifest.json plus one
# folder per method (model files, vectors.faiss); an optional "revision"
# counts the writes into the generation (absent means 0).
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_LIBRARIES = ("gensim", "faiss-cpu", "numpy", "torch", "bm25s")


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


def write_manifest(directory: Path, manifest: dict) -> dict:
    """Write atomically (temp file, then rename); returns what was written."""
    manifest = {**manifest, "format_version": FORMAT_VERSION, "libraries": library_versions(), "updated_at": now()}
    with atomic_path(directory / MANIFEST) as tmp:
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


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
        raise IndexVersionError(version_message(directory, found))
    for name, wanted in manifest.get("libraries", {}).items():
        have = library_versions().get(name)
        if name in _LIBRARIES and have != wanted:
            logger.warning("index was written with %s %s, running %s", name, wanted, have)
    return manifest


def version_message(directory: Path, found: object) -> str:
    """What the user reads when a generation's format version is not ours:
    which version it is, who wrote it, and how to get a working index back.
    The documents live in the store, so rebuilding loses nothing."""
    if isinstance(found, int) and found > FORMAT_VERSION:
        who = "a newer SenseSearch; upgrade SenseSearch to read it, or rebuild it with this one"
    elif isinstance(found, int):
        who = "an older SenseSearch; rebuild it"
    else:
        who = "an unknown program; rebuild it"
    return (
        f"The index in {directory} has format version {found}, written by {who}. This SenseSearch "
        f"({__version__}) reads version {FORMAT_VERSION}. Your documents are safe in the store: to rebuild "
        "the index from them, press 'Retrain' in the app, or run `python -m indexing build --source ...` "
        "with the same --data-dir (this replaces the unreadable index)."
    )


def read_revision(directory: Path) -> int | None:
    """How many writes the generation in `directory` has seen (its manifest's
    "revision"), or None if the manifest cannot be read. A cheap check, no
    validation: readers use it to notice another process's writes."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
        return int(manifest.get("revision", 0))
    except (OSError, ValueError, TypeError, AttributeError):
        return None
