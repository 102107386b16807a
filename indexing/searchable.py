"""The searchable index a method's documents go into: a FAISS `VectorIndex`
for vector methods, a `BM25Index` for BM25. Both keep store ids, answer
`ids()`, `add`, `remove`, `copy`, `save`, `search`, `describe` and `len`, so
that builds, uploads, deletes, reconcile and the crash tests treat every
method alike; only building and loading need to know which one it is.
"""
from __future__ import annotations

from pathlib import Path
from typing import Union

import numpy as np

from indexing.bm25 import BM25Index
from indexing.vectors import VectorIndex

Searchable = Union[VectorIndex, BM25Index]


def _is_bm25(method) -> bool:
    return method.index_kind == "bm25"


def build_searchable(method, ids: np.ndarray, encoded: np.ndarray) -> Searchable:
    """The index of `method` over the encoded documents with store ids `ids` (n,)."""
    if _is_bm25(method):
        return BM25Index.build(ids, list(encoded), method.config)
    return VectorIndex.build(ids, encoded, kind=method.index_kind)


def searchable_path(method, folder: Path) -> Path:
    """Where `method`'s index lives inside its folder of a generation."""
    return folder / (BM25Index.FILE if _is_bm25(method) else "vectors.faiss")


def load_searchable(method, folder: Path, previous: Searchable | None = None) -> Searchable:
    """`method`'s index in `folder`; `previous`, its earlier load from the
    same folder, lends what has not changed on disk since (its main index)."""
    path = searchable_path(method, folder)
    return BM25Index.load(path, previous) if _is_bm25(method) else VectorIndex.load(path, previous)
