"""What differs between a live generation and the store, the source of
truth: documents stored but not indexed (an upload cut short), indexed but
deleted, still remembered by a model after their delete, or a manifest
whose counts lag the vectors (a writer killed between two saves).

Consumes a `Generation` and the `DocumentStore`; produces the differences
and the vectors and models that mend them (`repair`), which the index
publishes with the write lock held (`Index._reconcile`).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from indexing.contract import Method
from indexing.generation import Generation
from indexing.pipeline import encode
from indexing.progress import Progress
from indexing.searchable import Searchable
from indexing.store import DocumentStore

logger = logging.getLogger(__name__)


def stored_ids(live: Generation, store: DocumentStore) -> dict[str, np.ndarray]:
    """The store's ids per unit the methods of `live` index ("document",
    "sentence"), int64, read once for every check of a reconcile."""
    units = {method.unit for method in live.methods.values()} | {"document"}
    read = {"document": store.document_ids, "sentence": store.sentence_ids}
    return {unit: np.array(read[unit](), dtype=np.int64) for unit in units}


def forgotten(live: Generation, stored: dict[str, np.ndarray]) -> dict[str, Method]:
    """The methods that still remember a deleted document (a writer was
    killed between the store's delete and saving the trained ids), each
    without it."""
    documents = set(stored["document"].tolist())
    return {name: method.forget(gone) for name, method in live.methods.items()
            if (gone := method.remembered() - documents)}


def differences(live: Generation, stored: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per method whose FAISS ids differ from the store: the ids to drop
    (n_extra,) and the ids to add (n_missing,)."""
    found = {}
    for name, method in live.methods.items():
        wanted, have = stored[method.unit], live.vectors[name].ids()  # both sorted, unique
        if np.array_equal(have, wanted):
            continue  # the usual case, checked on every write: 0.2 s of set differences at 100k saved
        extra = np.setdiff1d(have, wanted, assume_unique=True)
        missing = np.setdiff1d(wanted, have, assume_unique=True)
        if len(extra) or len(missing):
            found[name] = (extra, missing)
    return found


def stale_manifest(live: Generation, store: DocumentStore) -> bool:
    """The manifest's counts lag the vectors: a writer was killed after
    saving them and before the manifest."""
    counts = {name: facts.get("vectors") for name, facts in live.manifest.get("methods", {}).items()}
    return counts != {name: len(vectors) for name, vectors in live.vectors.items()} \
        or live.manifest.get("documents") != store.counts()[0]


def out_of_step(live: Generation, store: DocumentStore) -> bool:
    """Whether anything above needs repair."""
    stored = stored_ids(live, store)
    return bool(differences(live, stored) or forgotten(live, stored) or stale_manifest(live, store))


@dataclass(frozen=True)
class Repair:
    """What makes a generation agree with the store again."""

    vectors: dict[str, Searchable]  # every method's, copies where they changed
    methods: dict[str, Method]  # every method, without the deleted documents it remembered
    unindexed: list[int]  # documents an upload stored but did not finish, now encoded


def repair(live: Generation, store: DocumentStore, on_progress: Progress) -> Repair | None:
    """The repair of everything above: each method's vectors less what was
    deleted and with what was stored but not indexed (encoded now), its
    model without the deleted documents it remembers; None when ``live``
    agrees with ``store``."""
    stored = stored_ids(live, store)
    to_change, to_forget = differences(live, stored), forgotten(live, stored)
    if not to_change and not to_forget and not stale_manifest(live, store):
        return None
    methods = {**live.methods, **to_forget}
    vectors = dict(live.vectors)
    unindexed: set[int] = set()
    for name, (extra, missing) in to_change.items():
        method = methods[name]
        vectors[name] = live.vectors[name].copy()
        vectors[name].remove(extra)
        if len(missing):
            doc_ids = (set(store.sentence_documents(missing.tolist()).values())
                       if method.unit == "sentence" else missing.tolist())
            documents = list(store.get_many(sorted(doc_ids)).values())
            logger.info("%s: indexing %d documents missing from the index", name, len(documents))
            vectors[name].add(*encode({name: method}, store, documents, on_progress)[name])
            unindexed.update(d.id for d in documents)
    return Repair(vectors, methods, sorted(unindexed))
