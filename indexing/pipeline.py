"""Store, train and encode: the build-time path from read documents to a
new index generation on disk (store what has words, train every method,
encode every document with each, build and save each method's searchable
index, write the manifest).

Consumes documents, the store's documents and sentences, method names and configs;
produces a `Generation` in a staging folder that the index then commits
(indexing/index.py). Encoding is also what an upload and a repair use.
"""
from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import numpy as np

from indexing.contract import Method
from indexing.crash import crash_point
from indexing.documents import Document, IngestReport, StoredDocument, batches
from indexing.generation import Generation, new_name, switch_current
from indexing.manifest import now, write_manifest
from indexing.methods import EXPLAINING_METHOD, load_method, train_method
from indexing.progress import Progress
from indexing.searchable import Searchable, build_searchable, load_searchable, searchable_path
from indexing.senses.readings import keep_readings
from indexing.store import DocumentStore
from indexing.text import words

# Documents and words encoded between two progress reports, in one biLM call
# (16 long Wikipedia articles of the demo were 112k tokens: 650 MB of layers).
ENCODE_BATCH, ENCODE_WORDS = 16, 20_000
AfterBatch = Callable[[list[StoredDocument]], object]  # what else is done with a batch that every method encoded


def reading_senses(store: DocumentStore, methods: Iterable[str]) -> AfterBatch | None:
    """What `encode` does after each batch when ``methods`` explain senses:
    keep the senses of its documents that have none, read while the
    biLM's reader still holds their sentences. A build, a retrain and an
    upload encode every document they add or hold, so none of those is
    left unread (`Index.read_senses` reads the rest)."""
    if EXPLAINING_METHOD not in methods:
        return None
    return lambda batch: keep_readings(store, [document.id for document in batch])


def store_documents(store: DocumentStore, documents: Iterable[Document]) -> IngestReport:
    """Add `documents` to the store, less those with no words (an error
    each) and those it already holds (a duplicate each)."""
    report = IngestReport()
    usable = []
    for doc in documents:
        if words(doc.text):
            usable.append(doc)
        else:
            report.errors.append(f"{doc.title}: no words in the text.")
    added, duplicates = store.add(usable)
    report.added.extend(added)
    report.duplicates.extend(d.title for d in duplicates)
    return report


def commit_generation(directory: Path, names: tuple[str, ...], store: DocumentStore,
                      documents: list[StoredDocument], on_progress: Progress,
                      configs: dict[str, object], carried: Generation | None = None,
                      after_batch: AfterBatch | None = None) -> Generation:
    """Train a whole new generation into `<name>.partial`, rename it, and
    switch CURRENT to it: that switch is the commit point of a build, a
    retrain or a tuning. Methods of `carried` (the live generation) that are
    not in `names` are copied over unchanged. On any failure the staging
    folder goes and CURRENT is untouched. `after_batch`: as `encode`'s."""
    name = new_name()
    staging = directory / "indexes" / (name + ".partial")
    staging.mkdir(parents=True)
    try:
        generation = train_generation(staging, names, store, documents, on_progress, configs, after_batch)
        if carried is not None:
            generation = carry_over(generation, carried, store)
        final = staging.with_name(name)
        os.replace(staging, final)
        crash_point("retrain:staged")
        switch_current(directory, name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return replace(generation, path=final)


def train_generation(path: Path, names: tuple[str, ...], store: DocumentStore, documents: list[StoredDocument],
                     on_progress: Progress, configs: dict[str, object],
                     after_batch: AfterBatch | None = None) -> Generation:
    """Train the methods `names` over `documents`, encode them, and save
    everything into `path` (a staging folder)."""
    methods = {name: train_method(name, documents, on_progress, configs.get(name)) for name in names}
    encoded = encode(methods, store, documents, on_progress, after_batch)
    vectors, described = {}, {}
    for name, method in methods.items():
        index = build_searchable(method, *encoded.pop(name))
        folder = path / name
        folder.mkdir()
        method.save(folder)
        index.save(searchable_path(method, folder))
        crash_point("retrain:staging")
        vectors[name], described[name] = index, method.describe()
    manifest = {
        "created_at": now(),
        "trained_on": {"at": now(), "documents": len(documents), "words": sum(d.n_words for d in documents),
                       "sources": dict(Counter(d.source for d in documents).most_common(20))},
        "methods": described,
        "revision": 0,
    }
    return Generation(path, write_manifest(path, counted(manifest, vectors, store)), methods, vectors)


def carry_over(generation: Generation, live: Generation, store: DocumentStore) -> Generation:
    """`generation` plus a copy of each of `live`'s methods it does not have
    (files hard-linked where the disk allows: a generation's files are only
    ever replaced, never changed in place), loaded from the copy; the
    manifest keeps when those were trained."""
    methods, vectors = dict(generation.methods), dict(generation.vectors)
    described = dict(generation.manifest["methods"])
    for name in live.methods:
        if name in methods:
            continue
        folder = generation.path / name
        shutil.copytree(live.path / name, folder, copy_function=_link_or_copy)
        methods[name] = load_method(name, folder)
        vectors[name] = load_searchable(methods[name], folder)
        described[name] = {k: v for k, v in live.manifest["methods"][name].items() if k not in ("vectors", "index")}
        crash_point("retrain:staging")
    order = list(live.methods) + [n for n in methods if n not in live.methods]
    manifest = {**generation.manifest, "trained_on": live.manifest.get("trained_on"),
                "methods": {n: described[n] for n in order}}
    return Generation(generation.path, write_manifest(generation.path, counted(manifest, vectors, store)),
                      {n: methods[n] for n in order}, {n: vectors[n] for n in order})


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def counted(manifest: dict, vectors: dict[str, Searchable], store: DocumentStore) -> dict:
    """`manifest` with the store's and each index's counts as they are now."""
    n_docs, n_words = store.counts()
    methods = {name: {**facts, "vectors": len(vectors[name]), "index": vectors[name].describe()}
               for name, facts in manifest["methods"].items()}
    return {**manifest, "documents": n_docs, "words": n_words, "methods": methods}


def encode(methods: dict[str, Method], store: DocumentStore, documents: list[StoredDocument],
           on_progress: Progress, after_batch: AfterBatch | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """FAISS ids and vectors of `documents` for every method, a batch of
    documents through all methods in turn, then through `after_batch` (the
    index keeps each word's sense reading there: it reads the text with the
    distilled biLM as ELMo has just done, and takes the sentences that the
    biLM's reader still holds; `contextual.BiLMReader.encode_layers`).
    ELMo reads the distilled biLM, Senses the LM-only one."""
    stage = "Encoding with " + ", ".join(m.label for m in methods.values())
    found: dict[str, tuple[list, list]] = {name: ([], []) for name in methods}
    on_progress(0, len(documents), stage)
    done = 0
    for batch in batches(documents, ENCODE_BATCH, ENCODE_WORDS):
        sentences = store.sentences_of([d.id for d in batch])
        for name, method in methods.items():
            ids, vectors = method.encode_documents(batch, sentences)
            found[name][0].append(ids)
            found[name][1].append(vectors)
        if after_batch is not None:
            after_batch(batch)
        done += len(batch)
        on_progress(done, len(documents), stage)
    return {name: (np.concatenate(ids), np.concatenate(vectors)) if ids
            else (np.empty(0, dtype=np.int64), np.empty((0, methods[name].dim), dtype=np.float32))
            for name, (ids, vectors) in found.items()}
