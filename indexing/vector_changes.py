"""What changed in a FAISS index since a train built it (`VectorIndex`,
indexing/vectors.py): the ids deleted from it, masked at query time, and the
vectors uploaded since, searched exactly beside it; and where they are saved
beside it (`vectors.changes.npz`, which names the main index it belongs to).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from pathlib import Path

import faiss
import numpy as np


@dataclass(frozen=True)
class Changes:
    """What changed since the main index was built: `deleted`, the sorted
    ids masked out of it, and the vectors (m, d) added under `ids` (m,)."""

    deleted: np.ndarray
    ids: np.ndarray
    vectors: np.ndarray

    @classmethod
    def none(cls, dim: int) -> Changes:
        return cls(np.empty(0, np.int64), np.empty(0, np.int64), np.empty((0, dim), np.float32))

    def with_delta(self, ids: np.ndarray, vectors: np.ndarray) -> Changes:
        return replace(self, ids=ids, vectors=vectors)

    def with_deleted(self, deleted: np.ndarray) -> Changes:
        return replace(self, deleted=deleted)

    @functools.cached_property
    def _selector(self) -> tuple | None:
        """FAISS's "every id but the deleted ones" (with the parts it points to, kept alive)."""
        if not len(self.deleted):
            return None
        batch = faiss.IDSelectorBatch(self.deleted)
        return faiss.IDSelectorNot(batch), batch

    def search_parameters(self, main: faiss.Index) -> faiss.SearchParameters | None:
        """What makes a search of `main` skip the deleted ids (None: nothing to skip)."""
        if self._selector is None:
            return None
        if isinstance(main, faiss.IndexIVF):
            return faiss.SearchParametersIVF(sel=self._selector[0], nprobe=main.nprobe)
        return faiss.SearchParameters(sel=self._selector[0])


@dataclass(frozen=True)
class Parts:
    """The main FAISS index, its ids (sorted) and the changes since."""

    main: faiss.Index
    changes: Changes
    main_ids: np.ndarray = None

    def __post_init__(self) -> None:
        if self.main_ids is None:
            object.__setattr__(self, "main_ids", faiss_ids(self.main))

    def __len__(self) -> int:
        """The vectors held: the main index's, less the deleted, plus the added."""
        return int(self.main.ntotal) - len(self.changes.deleted) + len(self.changes.ids)


def faiss_ids(index: faiss.Index) -> np.ndarray:
    """Every id `index` holds, sorted (int64)."""
    if not isinstance(index, faiss.IndexIVF):
        found = faiss.vector_to_array(index.id_map)
    else:
        invlists = index.invlists
        parts = [faiss.rev_swig_ptr(invlists.get_ids(i), invlists.list_size(i)).copy()
                 for i in range(invlists.nlist) if invlists.list_size(i)]
        found = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    return np.sort(found.astype(np.int64))


def holds(sorted_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """(len(ids),) bool: which of `ids` are in `sorted_ids`."""
    at = np.searchsorted(sorted_ids, ids)
    return (at < len(sorted_ids)) & (sorted_ids[np.minimum(at, len(sorted_ids) - 1)] == ids) \
        if len(sorted_ids) else np.zeros(len(ids), dtype=bool)


def changes_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.changes.npz")


def next_main_path(path: Path) -> Path:
    """`vectors.<n>.faiss` for `vectors.faiss`, n one more than any there."""
    numbers = [int(p.name.split(".")[-2]) for p in path.parent.glob(f"{path.stem}.*{path.suffix}")
               if p.name.split(".")[-2].isdigit()]
    return path.with_name(f"{path.stem}.{max(numbers, default=0) + 1}{path.suffix}")
