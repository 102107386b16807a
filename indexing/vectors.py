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
import threading
from pathlib import Path

import faiss
import numpy as np

from indexing.atomic import atomic_path
from indexing.crash import crash_point

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


class VectorIndex:
    """A FAISS index plus the ids it holds. Thread-safe."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index
        self._lock = threading.RLock()

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
    def kind(self) -> str:
        if isinstance(self._index, faiss.IndexIVF):
            return "ivf"
        return "flat16" if isinstance(faiss.downcast_index(self._index.index), faiss.IndexScalarQuantizer) else "flat"

    @property
    def dim(self) -> int:
        return self._index.d

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def describe(self) -> str:
        """A short human-readable description, e.g. "flat (exact), 406 vectors of 100 dims"."""
        if self.kind == "flat":
            return f"flat (exact inner product), {len(self)} vectors of {self.dim} dims"
        if self.kind == "flat16":
            return f"flat float16 (exhaustive, half-precision inner product), {len(self)} vectors of {self.dim} dims"
        ivf = faiss.extract_index_ivf(self._index)
        return f"IVF{ivf.nlist} (approximate, nprobe={ivf.nprobe}), {len(self)} vectors of {self.dim} dims"

    def ids(self) -> np.ndarray:
        """Every id in the index, sorted (int64)."""
        with self._lock:
            if self.kind != "ivf":
                found = faiss.vector_to_array(self._index.id_map)
            else:
                invlists = faiss.extract_index_ivf(self._index).invlists
                parts = [
                    faiss.rev_swig_ptr(invlists.get_ids(i), invlists.list_size(i)).copy()
                    for i in range(invlists.nlist)
                    if invlists.list_size(i)
                ]
                found = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
        return np.sort(found.astype(np.int64))

    def copy(self) -> VectorIndex:
        """An independent copy: writers change a copy and swap it in, so a
        reader holding the original never sees it half-updated."""
        with self._lock:
            return VectorIndex(faiss.clone_index(self._index))

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids, vectors = _checked(ids, vectors, self.dim)
        if len(ids):
            with self._lock:
                self._index.add_with_ids(vectors, ids)

    def remove(self, ids: np.ndarray) -> int:
        """Remove the given ids; returns how many were there."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if not len(ids):
            return 0
        with self._lock:
            return int(self._index.remove_ids(ids))

    def vectors_of(self, ids: list[int]) -> np.ndarray | None:
        """The stored vectors (n, dim) of `ids`, or None where the index
        cannot give them back (IVF keeps no id -> vector map) or lacks an id."""
        if self.kind == "ivf":
            return None
        with self._lock:
            try:
                return np.stack([self._index.reconstruct(int(i)) for i in ids]) if ids else \
                    np.empty((0, self.dim), dtype=np.float32)
            except RuntimeError:  # an id deleted after the caller's ranking
                return None

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k by cosine: scores (q, k) float32 and ids (q, k) int64, -1 where
        fewer than k vectors exist."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        if queries.shape[1] != self.dim:
            raise ValueError(f"query vectors have {queries.shape[1]} dims, the index {self.dim}")
        with self._lock:
            k = max(1, min(k, len(self))) if len(self) else 1
            return self._index.search(queries, k)

    def save(self, path: Path) -> None:
        """Write atomically: a reader never sees a half-written file."""
        with atomic_path(path) as tmp:
            with self._lock:
                faiss.write_index(self._index, str(tmp))
            crash_point("vectors:tmp")

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        return cls(faiss.read_index(str(path)))


def _checked(ids: np.ndarray, vectors: np.ndarray, dim: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or len(vectors) != len(ids):
        raise ValueError(f"need vectors (n, d) and ids (n,), got {vectors.shape} and {ids.shape}")
    if dim is not None and len(vectors) and vectors.shape[1] != dim:
        raise ValueError(f"vectors have {vectors.shape[1]} dims, the index {dim}")
    return ids, vectors
