"""FAISS vector indexes keyed by store row ids.

Consumes unit vectors (n, d) float32 with int64 ids; answers cosine
similarity as inner product. The index type follows the collection size:
exact (flat) search while a query scans at most `EXACT_MAX_FLOATS` numbers
(vectors x dims), an inverted-file index above it (see bench/faiss_threshold.py
for the measurement behind the threshold). A method may fix the kind instead;
"flat16" scans half-precision copies of the vectors: half the memory to read,
so 1.7x faster at 100k vectors of 2,304 dims, with scores within ~1e-3 of
float32's.
"""
from __future__ import annotations

import logging
import math
from pathlib import Path

import faiss
import numpy as np

from indexing.atomic import atomic_path
from indexing.crash import crash_point
from indexing.vector_changes import Changes, Parts, changes_path, holds, next_main_path

logger = logging.getLogger(__name__)

# Below 200k vectors of 100 dims exact search is both fast and perfect on a
# 2-core machine. The cost is the numbers scanned, so the limit counts
# vectors times dims (bench/results/decisions.md).
EXACT_MAX_FLOATS = 200_000 * 100


def exact_kind(n: int, dim: int) -> str:
    """The index kind for `n` vectors of `dim` dims: "flat" or "ivf"."""
    return "flat" if n * dim <= EXACT_MAX_FLOATS else "ivf"
# nprobe 64 finds more of the exact top 10 than 16 on real DBOW vectors, and
# still answers in a few ms at 1M vectors (bench/faiss_threshold.py;
# bench/results/decisions.md).
IVF_NPROBE = 64
# One query at a time gains nothing from OpenMP threads on 2 cores, and loses
# much when the other core is busy (p95 at 100k documents:
# bench/results/decisions.md).
faiss.omp_set_num_threads(1)
# Changes are folded into a new main index once the added vectors take more
# than this (an upload then rewrites at most this much; a fold, the whole
# index, once) or the deleted ids pass both of these.
FOLD_MAX_BYTES = 16 * 2**20
FOLD_MAX_DELETED = 1_000
FOLD_DELETED_SHARE = 0.1
LOAD_ATTEMPTS = 3  # a fold may remove the main index a reader was about to read


class VectorIndex:
    """A FAISS index (the main index, built by a train and never changed
    afterwards) plus what changed since: the ids deleted from it (masked at
    query time) and the vectors added (searched exactly, beside it).

    Why. A write used to clone the whole FAISS index, change the clone and
    save it whole: at 100k documents of the senses method that is ~460 MB
    copied twice and written once per upload, seconds each time. Now an
    upload or delete copies and saves only the changes; once they outgrow
    `FOLD_MAX_BYTES` or `FOLD_MAX_DELETED` they are folded into a new main
    index, once, as Lucene merges segments.

    Thread-safe without a lock: everything is in one immutable `Parts`,
    replaced whole by a write, so a reader sees the index before or after
    a change, never half of it."""

    def __init__(self, index: faiss.Index, changes: Changes | None = None, main_path: Path | None = None,
                 main_ids: np.ndarray | None = None) -> None:
        """`main_ids`: the sorted ids `index` holds, when already known (read from it otherwise)."""
        self._parts = Parts(index, changes or Changes.none(index.d), main_ids)
        self._main_path = main_path  # the file `index` was read from or written to, if any

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, kind: str | None = None) -> VectorIndex:
        """An index over `vectors` (n, d) with FAISS ids `ids` (n,).

        `kind` is "flat", "flat16" or "ivf"; None chooses by size.
        """
        ids, vectors = _checked(ids, vectors)
        n, dim = vectors.shape
        kind = kind or exact_kind(n, dim)
        if kind == "flat":
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        elif kind == "flat16":
            index = faiss.IndexIDMap2(faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_fp16,
                                                                 faiss.METRIC_INNER_PRODUCT))
        elif kind == "ivf":
            nlist = max(1, min(int(4 * math.sqrt(n)), n // 39))  # FAISS wants >= 39 points per list
            quantizer = faiss.IndexFlatIP(dim)
            index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
            index.train(vectors)
            index.nprobe = min(IVF_NPROBE, nlist)
        else:
            raise ValueError(f"unknown index kind {kind!r}; valid kinds are 'flat', 'flat16', 'ivf'")
        if n:
            index.add_with_ids(vectors, ids)
        return cls(index)

    @property
    def _index(self) -> faiss.Index:
        """The main FAISS index (benchmarks reach into it for IVF's lists)."""
        return self._parts.main

    @property
    def kind(self) -> str:
        main = self._parts.main
        if isinstance(main, faiss.IndexIVF):
            return "ivf"
        return "flat16" if isinstance(faiss.downcast_index(main.index), faiss.IndexScalarQuantizer) else "flat"

    @property
    def dim(self) -> int:
        return self._parts.main.d

    def __len__(self) -> int:
        return len(self._parts)

    def describe(self) -> str:
        """A short human-readable description, e.g. "flat (exact), 406 vectors of 100 dims"."""
        changes = self._parts.changes
        since = (f"; {len(changes.ids)} added and {len(changes.deleted)} deleted since it was built"
                 if len(changes.ids) or len(changes.deleted) else "")
        if self.kind == "flat":
            return f"flat (exact inner product), {len(self)} vectors of {self.dim} dims{since}"
        if self.kind == "flat16":
            return (f"flat float16 (exhaustive, half-precision inner product), {len(self)} vectors of "
                    f"{self.dim} dims{since}")
        ivf = faiss.extract_index_ivf(self._parts.main)
        return f"IVF{ivf.nlist} (approximate, nprobe={ivf.nprobe}), {len(self)} vectors of {self.dim} dims{since}"

    def ids(self) -> np.ndarray:
        """Every id in the index, sorted (int64)."""
        parts = self._parts
        kept = np.setdiff1d(parts.main_ids, parts.changes.deleted, assume_unique=True)
        return np.sort(np.concatenate([kept, parts.changes.ids]))

    def copy(self) -> VectorIndex:
        """An independent copy: writers change a copy and swap it in, so a
        reader holding the original never sees it changed. The main index
        is shared (nothing changes it); the changes are small."""
        twin = VectorIndex.__new__(VectorIndex)
        twin._parts, twin._main_path = self._parts, self._main_path
        return twin

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add `vectors` (n, d) under `ids` (n,); an id already present is replaced."""
        ids, vectors = _checked(ids, vectors, self.dim)
        if not len(ids):
            return
        self.remove(ids)
        parts = self._parts
        changes = parts.changes
        self._change(parts, changes.with_delta(np.concatenate([changes.ids, ids]),
                                               np.concatenate([changes.vectors, vectors])))

    def remove(self, ids: np.ndarray) -> int:
        """Remove the given ids; returns how many were there."""
        ids = np.unique(np.asarray(ids, dtype=np.int64))
        parts = self._parts
        changes = parts.changes
        in_delta = np.isin(changes.ids, ids)
        in_main = ids[holds(parts.main_ids, ids) & ~np.isin(ids, changes.deleted)]
        if not in_delta.any() and not len(in_main):
            return 0
        changes = changes.with_delta(changes.ids[~in_delta], changes.vectors[~in_delta])
        if len(in_main):
            changes = changes.with_deleted(np.union1d(changes.deleted, in_main))
        self._change(parts, changes)
        return int(in_delta.sum()) + len(in_main)

    def _change(self, parts: Parts, changes: Changes) -> None:
        """Swap in `changes`, folded into a new main index once they are large."""
        if changes.vectors.nbytes <= FOLD_MAX_BYTES and \
                len(changes.deleted) <= max(FOLD_MAX_DELETED, FOLD_DELETED_SHARE * parts.main.ntotal):
            self._parts = Parts(parts.main, changes, parts.main_ids)
            return
        main = faiss.clone_index(parts.main)
        if len(changes.deleted):
            main.remove_ids(changes.deleted)
        if len(changes.ids):
            main.add_with_ids(changes.vectors, changes.ids)
        self._parts, self._main_path = Parts(main, Changes.none(main.d)), None

    def vectors_of(self, ids: list[int]) -> np.ndarray | None:
        """The stored vectors (n, dim) of `ids`, or None where the index
        cannot give them back (IVF keeps no id -> vector map) or lacks an id."""
        if self.kind == "ivf":
            return None
        parts = self._parts
        changes = parts.changes
        rows = {int(i): row for row, i in enumerate(changes.ids)}
        found = []
        for i in map(int, ids):
            if i in rows:
                found.append(changes.vectors[rows[i]])
            elif not holds(parts.main_ids, np.array([i]))[0] or i in changes.deleted:
                return None  # an id deleted after the caller's ranking
            else:
                found.append(parts.main.reconstruct(i))
        return np.stack(found) if found else np.empty((0, self.dim), dtype=np.float32)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k by cosine: scores (q, k) float32 and ids (q, k) int64, -1 where
        fewer than k vectors exist."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        if queries.shape[1] != self.dim:
            raise ValueError(f"query vectors have {queries.shape[1]} dims, the index {self.dim}")
        parts = self._parts  # one snapshot: a write may swap in new parts meanwhile
        n = len(parts)
        k = max(1, min(k, n)) if n else 1
        scores, ids = parts.main.search(queries, k, params=parts.changes.search_parameters(parts.main))
        changes = parts.changes
        if not len(changes.ids):
            return scores, ids
        added = queries @ changes.vectors.T  # (q, m): the changes are few, searched exactly
        if added.shape[1] > k:
            top = np.argpartition(-added, k - 1, axis=1)[:, :k]
            added, added_ids = np.take_along_axis(added, top, axis=1), changes.ids[top]
        else:
            added_ids = np.broadcast_to(changes.ids, added.shape)
        scores, ids = np.concatenate([scores, added], axis=1), np.concatenate([ids, added_ids], axis=1)
        best = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(scores, best, axis=1), np.take_along_axis(ids, best, axis=1)

    # ---- saving ----------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write into `path`'s folder so that a reader, or a process killed
        half-way, never sees half of it: the main index once (at `path` on a
        first save, under a new name after a fold), then the changes file,
        which names the main index it belongs to: replacing it commits."""
        saved_changes = changes_path(path)
        main_path = self._main_path
        if main_path is None or main_path.parent != path.parent or not main_path.exists():
            main_path = path if not path.exists() and not saved_changes.exists() else next_main_path(path)
            with atomic_path(main_path) as tmp:
                faiss.write_index(self._parts.main, str(tmp))
                crash_point("vectors:tmp")
            self._main_path = main_path
        changes = self._parts.changes
        if main_path != path or len(changes.ids) or len(changes.deleted) or saved_changes.exists():
            with atomic_path(saved_changes) as tmp:
                with open(tmp, "wb") as handle:
                    np.savez(handle, main=np.array(main_path.name), deleted=changes.deleted, ids=changes.ids,
                             vectors=changes.vectors)
                crash_point("vectors:changes")
        for stale in path.parent.glob(f"{path.stem}*{path.suffix}"):
            if stale != main_path and not stale.name.endswith(".tmp"):
                stale.unlink(missing_ok=True)  # a main index a fold replaced

    @classmethod
    def load(cls, path: Path, previous: VectorIndex | None = None) -> VectorIndex:
        """The index saved at `path`. Given the `previous` load of the same
        path (another process wrote since), its main index is reused when
        it is still the one on disk: only the changes are read."""
        saved_changes = changes_path(path)
        for attempt in range(1, LOAD_ATTEMPTS + 1):
            if not saved_changes.exists():
                return cls(faiss.read_index(str(path)), main_path=path)
            with np.load(saved_changes, allow_pickle=False) as saved:
                main_path = path.with_name(str(saved["main"]))
                changes = Changes(saved["deleted"], saved["ids"], saved["vectors"])
            if previous is not None and previous._main_path == main_path:
                return cls(previous._parts.main, changes, main_path, previous._parts.main_ids)
            try:
                return cls(faiss.read_index(str(main_path)), changes, main_path)
            except RuntimeError:
                if attempt == LOAD_ATTEMPTS or main_path.exists():
                    raise
                logger.info("%s was folded while we read it; reading it again", path)  # the writer removed it
        raise AssertionError("unreachable")


def _checked(ids: np.ndarray, vectors: np.ndarray, dim: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or len(vectors) != len(ids):
        raise ValueError(f"need vectors (n, d) and ids (n,), got {vectors.shape} and {ids.shape}")
    if dim is not None and len(vectors) and vectors.shape[1] != dim:
        raise ValueError(f"vectors have {vectors.shape[1]} dims, the index {dim}")
    return ids, vectors
