"""Index generations on disk: `indexes/<name>/` holds one complete index
(manifest.json and one folder per method), and `CURRENT` names the live one.

Consumes a data directory; produces loaded, immutable `Generation`s. Also
what a killed writer leaves behind is recognised here (`remove_debris`), and
nothing is loaded from outside the generation's own folder: a model file is
a pickle, so a link out of it, or a `CURRENT` that names a path, is refused.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from indexing.atomic import atomic_path
from indexing.contract import Method
from indexing.errors import IndexCorruptError, IndexNotFoundError, SenseSearchError
from indexing.manifest import read_manifest, read_revision
from indexing.methods import METHODS, load_method
from indexing.searchable import Searchable, load_searchable

logger = logging.getLogger(__name__)

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")  # no dots, no slashes: stays in indexes/
LOAD_ATTEMPTS = 3  # a retrain in another process may remove the generation we are reading


@dataclass(frozen=True)
class Generation:
    """One complete, loaded index generation. Never changed once published:
    a write builds a new one and swaps it in, so a reader that took one for
    its query sees the same models and vectors from start to end."""

    path: Path
    manifest: dict
    methods: dict[str, Method]
    vectors: dict[str, Searchable]

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def revision(self) -> int:
        """How many uploads and deletes were saved into this generation."""
        return int(self.manifest.get("revision", 0))

    def method(self, name: str) -> Method:
        if name not in self.methods:
            raise SenseSearchError(f"This index has no {name!r} method; it has {', '.join(self.methods)}.")
        return self.methods[name]

    def search(self, name: str, query: np.ndarray | list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Scores (k,) and ids (k,) of one method's best matches for its
        encoded query (a vector, or BM25's terms)."""
        self.method(name)  # raises for a method this index does not have
        scores, ids = self.vectors[name].search(query, k)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]


def new_name() -> str:
    """A fresh generation name: time, process and a counter, sortable."""
    return time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6}"


def current_name(directory: Path) -> str:
    """The generation CURRENT names; raises if there is none or it is not a
    plain generation name (so loading never leaves indexes/)."""
    pointer = directory / "CURRENT"
    try:
        name = pointer.read_text().strip()
    except FileNotFoundError:
        raise IndexNotFoundError(f"No index in {directory} yet; build one first.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise IndexCorruptError(f"{pointer} cannot be read ({error}); rebuild the index.") from None
    if not NAME.fullmatch(name):
        raise IndexCorruptError(f"{pointer} names {name[:100]!r}, not an index generation; rebuild the index.")
    return name


def switch_current(directory: Path, name: str) -> None:
    """Make `name` the live generation: the commit point of a build."""
    with atomic_path(directory / "CURRENT") as tmp, open(tmp, "w") as handle:
        handle.write(name)
        handle.flush()
        os.fsync(handle.fileno())  # the commit point must reach the disk before it is named


def load_current(directory: Path) -> Generation:
    """The live generation of `directory`, loaded; retries when a retrain in
    another process replaced it while we read it."""
    for attempt in range(1, LOAD_ATTEMPTS + 1):
        name = current_name(directory)
        try:
            return load(directory / "indexes" / name)
        except IndexCorruptError:
            if attempt == LOAD_ATTEMPTS or current_name(directory) == name:
                raise
            logger.info("generation %s was replaced while we read it; loading the new one", name)
    raise AssertionError("unreachable")


def load(path: Path) -> Generation:
    """The generation in `path`: manifest first, then each method's model and
    vectors. Raises IndexVersionError or IndexCorruptError with what to do."""
    _check_no_links(path)
    manifest = read_manifest(path)
    methods: dict[str, Method] = {}
    vectors: dict[str, Searchable] = {}
    for name in _ordered(manifest.get("methods", {})):
        try:
            methods[name] = load_method(name, path / name)
            vectors[name] = load_searchable(methods[name], path / name)
        except SenseSearchError:
            raise
        except Exception as error:  # noqa: BLE001 - any unreadable file means the same to the user
            raise IndexCorruptError(
                f"The {name} part of the index in {path} cannot be read ({error}); rebuild the index."
            ) from error
    return Generation(path, manifest, methods, vectors)


def changed_on_disk(directory: Path, live: Generation) -> bool:
    """Another process switched generations or wrote into ours since `live` was loaded."""
    return current_name(directory) != live.name or read_revision(live.path) != live.revision


def follow_disk(directory: Path, live: Generation) -> Generation:
    """`live` as it is on disk now: the generation a retrain of another
    process switched to (ours is gone), or ours with the vectors and manifest
    of its uploads and deletes (the manifest's revision moved on)."""
    name = current_name(directory)
    if name != live.name:
        logger.info("index generation changed on disk; loading %s", name)
        return load_current(directory)
    if read_revision(live.path) != live.revision:
        logger.info("generation %s was written by another process; reloading its vectors", name)
        vectors = {name: load_searchable(method, live.path / name, live.vectors[name])
                   for name, method in live.methods.items()}
        return replace(live, manifest=read_manifest(live.path), vectors=vectors)
    return live


def describe(live: Generation) -> dict:
    """What the status panel shows of a generation: training facts, and per
    method its manifest entry with its index's kind and size."""
    methods = {name: {**live.manifest["methods"].get(name, {}), "index": live.vectors[name].describe(),
                      "vectors": len(live.vectors[name])} for name in live.methods}
    return {"trained": live.manifest.get("trained_on"), "methods": methods, "generation": live.name,
            "revision": live.revision, "format_version": live.manifest.get("format_version"),
            "libraries": live.manifest.get("libraries", {})}


def remove_debris(directory: Path) -> None:
    """Remove `.partial` folders, generations CURRENT does not name and
    `*.tmp` files: what a writer killed mid-way leaves. Call it only with the
    write lock held, when no other writer can be using them."""
    try:
        keep = current_name(directory)
    except IndexNotFoundError:
        keep = None
    except IndexCorruptError:
        return  # never delete generations on the word of a damaged pointer
    indexes = directory / "indexes"
    debris = [p for p in indexes.iterdir() if p.name != keep] if indexes.is_dir() else []
    debris += [*directory.glob(".CURRENT.*.tmp"), *[p for p in [directory / "CURRENT.tmp"] if p.exists()]]  # today's, older versions'
    if keep is not None and (indexes / keep).is_dir():
        debris += list((indexes / keep).rglob("*.tmp"))
    for path in debris:
        logger.info("removing %s, left by an interrupted write", path)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _ordered(names: Iterable[str]) -> list[str]:
    """Method names in the order of the METHODS table (DM before DBOW)."""
    order = {name: i for i, name in enumerate(METHODS)}
    return sorted(names, key=lambda name: order.get(name, len(order)))


def _check_no_links(path: Path) -> None:
    """Refuse a generation that holds symbolic links. Models are unpickled
    (gensim saves with pickle), so they load only from files SenseSearch wrote
    into its own data directory, never from a file a link points to."""
    if path.is_symlink() or path.parent.is_symlink() or any(p.is_symlink() for p in path.rglob("*")):
        raise IndexCorruptError(
            f"{path} holds symbolic links; SenseSearch loads models only from files it wrote into its "
            "data directory. Rebuild the index."
        )
