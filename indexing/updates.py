"""Changes to the live generation between two retrains: an upload's vectors
added, a deletion's removed, and how either is published to readers.

Consumes the live `Generation`, the store and the documents changed;
produces copies of the changed vectors (and of methods that forgot a
document), then `publish` saves them into the live generation's folder and
returns the `Generation` that readers take next (indexing/index.py swaps it
in). Nothing here holds the write lock: the index does.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from indexing.contract import Method
from indexing.crash import crash_point
from indexing.documents import StoredDocument
from indexing.generation import Generation
from indexing.manifest import write_manifest
from indexing.pipeline import AfterBatch, counted, encode
from indexing.progress import Progress
from indexing.searchable import Searchable, searchable_path
from indexing.store import DocumentStore


def with_added(live: Generation, store: DocumentStore, documents: list[StoredDocument], on_progress: Progress,
               after_batch: AfterBatch | None = None) -> dict[str, Searchable]:
    """Copies of ``live``'s vectors with ``documents`` encoded by its models
    (no retraining) and added."""
    vectors = {}
    for name, (ids, vecs) in encode(live.methods, store, documents, on_progress, after_batch).items():
        vectors[name] = live.vectors[name].copy()
        vectors[name].add(ids, vecs)
    return vectors


def without(live: Generation, doc_id: int, sentence_ids: list[int]) -> tuple[dict[str, Searchable],
                                                                            dict[str, Method]]:
    """Copies of ``live``'s vectors without document ``doc_id`` (whose
    sentences were ``sentence_ids``), and its methods having forgotten it."""
    vectors = {}
    for name, method in live.methods.items():
        vectors[name] = live.vectors[name].copy()
        vectors[name].remove(np.array(sentence_ids if method.unit == "sentence" else [doc_id], dtype=np.int64))
    return vectors, {name: method.forget([doc_id]) for name, method in live.methods.items()}


def publish(live: Generation, store: DocumentStore, vectors: dict[str, Searchable],
            methods: dict[str, Method] | None = None) -> Generation:
    """Save the changed vectors (and the state of methods that forgot
    deleted documents) into the live generation, then a manifest with
    fresh counts and the next revision; the generation readers should take
    next. A kill between two saves leaves files that agree with the store
    or that the next writer reconciles."""
    methods = methods or live.methods
    for name, method in methods.items():
        if method is not live.methods[name]:
            method.save_state(live.path / name)
    for name, index in vectors.items():
        if index is not live.vectors[name]:
            index.save(searchable_path(live.methods[name], live.path / name))
            crash_point(f"persist:{name}")
    crash_point("persist:vectors")
    manifest = write_manifest(live.path, counted({**live.manifest, "revision": live.revision + 1}, vectors, store))
    return replace(live, manifest=manifest, vectors=vectors, methods=methods)
