"""An index: the document store plus, per retrieval method, a trained model
and its FAISS index, kept in one data directory.

Layout of the data directory:

    store.sqlite3                 documents and sentences (the source of truth)
    CURRENT                       name of the live generation, replaced atomically
    indexes/<generation>/         manifest.json and one folder per method:
        <method>/                 model files + vectors.faiss
    write.lock                    held (flock) by the one process writing

Crash safety. Uploads commit to the store first. A build or retrain writes a
whole new generation into `<name>.partial`, renames it, then switches CURRENT:
that switch is the commit point. Every file inside a generation is replaced by
rename. So a process killed at any moment leaves the previous index loadable,
and the next writer (or opener) removes what the killed one left behind
(`.partial` folders, generations CURRENT does not name, `*.tmp` files) and
encodes whatever was stored but not yet indexed (indexing/generation.py
knows the generations on disk; indexing/crash.py names the points where the
tests kill a writer).

Concurrency. One writer at a time: a thread lock within a process, flock on
write.lock across processes. A write never changes the `Generation` readers
hold: it changes copies of the vectors, saves them, and swaps in a new
`Generation`; a reader takes one per query (`snapshot()`), so it sees the
index wholly before or wholly after a write, never half of it.
"""
from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np

from indexing.contract import Method
from indexing.crash import crash_point
from indexing.documents import Document, IngestReport, StoredDocument
from indexing.errors import IndexNotFoundError, SenseSearchError
from indexing.generation import Generation, current_name, load_current, new_name, remove_debris, switch_current
from indexing.manifest import now, read_manifest, read_revision, write_manifest
from indexing.methods import DEFAULT_METHODS, REQUIRED_METHODS, check_configs, train_method
from indexing.progress import Progress, no_progress
from indexing.store import DocumentStore
from indexing.text import words
from indexing.searchable import Searchable, build_searchable, load_searchable, searchable_path

logger = logging.getLogger(__name__)

DATA_DIR_ENV = "SENSESEARCH_DATA_DIR"
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
ENCODE_BATCH = 16  # documents encoded between two progress reports (and the biLM batch remembered)


def data_dir(path: str | Path | None = None) -> Path:
    """The data directory: the argument, else $SENSESEARCH_DATA_DIR, else ./data."""
    chosen = path or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR
    return Path(chosen).expanduser().resolve()


class Index:
    """The store and every method's model and vectors. Thread-safe; writes
    are also serialised across processes by a lock file."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = data_dir(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.store = DocumentStore(self.directory / "store.sqlite3")
        self._write_lock = threading.RLock()
        self._write_depth = 0
        self._generation: Generation | None = None

    # ---- opening -------------------------------------------------------
    @classmethod
    def open(cls, directory: str | Path | None = None, on_progress: Progress = no_progress) -> Index:
        """Load the live index; raises IndexNotFoundError when there is none
        (without creating anything: a mistyped directory stays absent)."""
        if not (data_dir(directory) / "CURRENT").exists():
            raise IndexNotFoundError(f"No index in {data_dir(directory)} yet; build one first.")
        index = cls(directory)
        index.load_existing(on_progress)
        return index

    def load_existing(self, on_progress: Progress = no_progress) -> bool:
        """Load the live index if there is one; False when there is none yet.
        Then repair what a killed writer left (see `reconcile`)."""
        try:
            self._generation = load_current(self.directory)
        except IndexNotFoundError:
            return False
        self.reconcile(on_progress)
        return True

    def build_if_missing(self, documents: Callable[[], Iterable[Document]], on_progress: Progress = no_progress,
                         configs: Mapping[str, object] | None = None) -> bool:
        """Build from `documents()` unless an index exists (or another process
        or thread built one while we waited for the lock). If the store holds
        documents but there is no index (a first build was killed after
        storing them), train over the store instead. True if it built."""
        with self._writing(on_progress):
            if self._generation is not None or self.load_existing(on_progress):
                return False
            if len(self.store):
                logger.info("the store holds documents but no index: training over the store")
                self.retrain(on_progress, configs=configs)
            else:
                self.build(documents(), on_progress, configs=configs)
            return True

    def refresh(self, on_progress: Progress = no_progress) -> bool:
        """Catch up with writes made by another process (a command-line
        upload or retrain) without waiting: while a writer is busy, keep the
        generation we have and try again on the next call. True if it
        switched to a newer one."""
        live = self._generation
        if live is None or not self._changed_on_disk(live):
            return False
        with self._writing(on_progress, wait=False):
            pass  # entering the write lock loads what changed on disk
        return self._generation is not live

    @property
    def exists(self) -> bool:
        return self._generation is not None

    def _live(self) -> Generation:
        if self._generation is None:
            raise IndexNotFoundError(f"No index in {self.directory} yet; build one first.")
        return self._generation

    # ---- reading -------------------------------------------------------
    def snapshot(self) -> Generation:
        """The live generation, to answer one query with: writes made while
        the query runs do not change it."""
        return self._live()

    @property
    def methods(self) -> dict[str, Method]:
        return self._live().methods

    def method(self, name: str) -> Method:
        return self._live().method(name)

    def status(self) -> dict:
        """What the status panel shows: counts, training facts, index types."""
        n_docs, n_words = self.store.counts()
        live = self._generation
        status = {"data_dir": str(self.directory), "documents": n_docs, "words": n_words}
        if live is None:
            return {**status, "trained": None, "methods": {}}
        methods = {
            name: {**live.manifest["methods"].get(name, {}), "index": live.vectors[name].describe(),
                   "vectors": len(live.vectors[name])}
            for name in live.methods
        }
        return {**status, "trained": live.manifest.get("trained_on"), "methods": methods,
                "generation": live.name, "revision": live.revision,
                "format_version": live.manifest.get("format_version"),
                "libraries": live.manifest.get("libraries", {})}

    # ---- writing -------------------------------------------------------
    @contextmanager
    def _writing(self, on_progress: Progress = no_progress, wait: bool = True) -> Iterator[bool]:
        """One writer at a time: threads by an RLock, processes by flock.
        Re-entrant: flock on a second descriptor would block on our own lock.

        The first entry first tidies up (see `_tidy`). With `wait=False` it
        yields False, without the lock, when another writer holds it."""
        if not self._write_lock.acquire(blocking=wait):
            yield False
            return
        try:
            if self._write_depth:
                self._write_depth += 1
                try:
                    yield True
                finally:
                    self._write_depth -= 1
                return
            with open(self.directory / "write.lock", "a") as lock_file:
                try:
                    fcntl.flock(lock_file, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    yield False
                    return
                self._write_depth = 1
                try:
                    self._tidy(on_progress)
                    yield True
                finally:
                    self._write_depth = 0
                    fcntl.flock(lock_file, fcntl.LOCK_UN)
        finally:
            self._write_lock.release()

    def _tidy(self, on_progress: Progress) -> None:
        """With the write lock just taken: remove what a killed writer left,
        follow another process's writes, and make FAISS match the store."""
        remove_debris(self.directory)
        self._follow_disk()
        self._reconcile(on_progress)

    def _changed_on_disk(self, live: Generation) -> bool:
        return current_name(self.directory) != live.name or read_revision(live.path) != live.revision

    def _follow_disk(self) -> None:
        """Load what another process wrote since we loaded our generation: a
        retrain (CURRENT names another generation, ours is gone) or uploads
        and deletes (the manifest's revision moved on). Otherwise our next
        save would overwrite their vectors with our older ones."""
        live = self._generation
        if live is None:
            return
        name = current_name(self.directory)
        if name != live.name:
            logger.info("index generation changed on disk; loading %s", name)
            self._generation = load_current(self.directory)
        elif read_revision(live.path) != live.revision:
            logger.info("generation %s was written by another process; reloading its vectors", name)
            vectors = {name: load_searchable(method, live.path / name) for name, method in live.methods.items()}
            self._generation = replace(live, manifest=read_manifest(live.path), vectors=vectors)

    def build(self, documents: Iterable[Document], on_progress: Progress = no_progress,
              methods: Iterable[str] = DEFAULT_METHODS,
              configs: Mapping[str, object] | None = None) -> IngestReport:
        """Store `documents`, then train every method over the whole store.
        `configs` maps method names to configs that replace their defaults."""
        configs = check_configs(configs)
        with self._writing(on_progress):
            report = self._store(documents)
            crash_point("build:stored")
            self.retrain(on_progress, methods, configs)
        return report

    def retrain(self, on_progress: Progress = no_progress, methods: Iterable[str] | None = None,
                configs: Mapping[str, object] | None = None) -> None:
        """Train every method anew over the whole store and switch to the result.
        `configs` maps method names to configs that replace their defaults
        (e.g. tiny Doc2VecConfigs in tests); methods not named keep the config
        they were trained with, or their default on a first build (or when
        the live index could not be read: retraining is how it is rebuilt)."""
        configs = check_configs(configs)
        with self._writing(on_progress):
            names = tuple(methods or (self._generation.methods if self._generation else DEFAULT_METHODS))
            if not methods:
                names += tuple(n for n in REQUIRED_METHODS if n not in names)
            # A retrain keeps each method's current config unless told otherwise.
            current = {n: m.config for n, m in (self._generation.methods.items() if self._generation else ())}
            configs = {**current, **configs}
            documents = list(self.store)
            if not documents:
                raise SenseSearchError("The store has no documents to train on; add some first.")
            name = new_name()
            staging = self.directory / "indexes" / (name + ".partial")
            staging.mkdir(parents=True)
            try:
                generation = self._train_generation(staging, names, documents, on_progress, configs)
                final = staging.with_name(name)
                os.replace(staging, final)
                crash_point("retrain:staged")
                switch_current(self.directory, name)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            crash_point("retrain:switched")
            previous, self._generation = self._generation, replace(generation, path=final)
            remove_debris(self.directory)
            logger.info("switched to index generation %s (previous %s)", name, previous and previous.name)
            self._reconcile(on_progress)

    def _train_generation(self, path: Path, names: tuple[str, ...], documents: list[StoredDocument],
                          on_progress: Progress, configs: dict[str, object]) -> Generation:
        methods = {name: train_method(name, documents, on_progress, configs.get(name)) for name in names}
        encoded = self._encode_all(methods, documents, on_progress)
        vectors, described = {}, {}
        for name, method in methods.items():
            index = build_searchable(method, *encoded.pop(name))
            folder = path / name
            folder.mkdir()
            method.save(folder)
            index.save(searchable_path(method, folder))
            crash_point("retrain:staging")
            vectors[name], described[name] = index, method.describe()
        n_words = sum(d.n_words for d in documents)
        manifest = {
            "created_at": now(),
            "trained_on": {"at": now(), "documents": len(documents), "words": n_words,
                           "sources": dict(Counter(d.source for d in documents).most_common(20))},
            "methods": described,
            "revision": 0,
        }
        return Generation(path, write_manifest(path, self._counted(manifest, vectors)), methods, vectors)

    def _counted(self, manifest: dict, vectors: dict[str, Searchable]) -> dict:
        n_docs, n_words = self.store.counts()
        methods = {name: {**facts, "vectors": len(vectors[name]), "index": vectors[name].describe()}
                   for name, facts in manifest["methods"].items()}
        return {**manifest, "documents": n_docs, "words": n_words, "methods": methods}

    def _encode(self, method: Method, documents: list[StoredDocument],
                on_progress: Progress) -> tuple[np.ndarray, np.ndarray]:
        return self._encode_all({"": method}, documents, on_progress)[""]

    def _encode_all(self, methods: dict[str, Method], documents: list[StoredDocument],
                    on_progress: Progress) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """FAISS ids and vectors of `documents` for every method. Each batch of
        documents goes through all methods in turn, so that methods reading the
        same biLM layers (ELMo, senses) encode each sentence once
        (`indexing.contextual` remembers the last batch)."""
        stage = "Encoding with " + ", ".join(m.label for m in methods.values())
        found: dict[str, tuple[list, list]] = {name: ([], []) for name in methods}
        on_progress(0, len(documents), stage)
        for start in range(0, len(documents), ENCODE_BATCH):
            batch = documents[start : start + ENCODE_BATCH]
            sentences = self.store.sentences_of([d.id for d in batch])
            for name, method in methods.items():
                ids, vectors = method.encode_documents(batch, sentences)
                found[name][0].append(ids)
                found[name][1].append(vectors)
            on_progress(min(start + ENCODE_BATCH, len(documents)), len(documents), stage)
        return {name: (np.concatenate(ids), np.concatenate(vectors)) if ids
                else (np.empty(0, dtype=np.int64), np.empty((0, methods[name].dim), dtype=np.float32))
                for name, (ids, vectors) in found.items()}

    def _store(self, documents: Iterable[Document]) -> IngestReport:
        report = IngestReport()
        usable = []
        for doc in documents:
            if words(doc.text):
                usable.append(doc)
            else:
                report.errors.append(f"{doc.title}: no words in the text.")
        added, duplicates = self.store.add(usable)
        report.added.extend(added)
        report.duplicates.extend(d.title for d in duplicates)
        return report

    def add_documents(self, documents: Iterable[Document], on_progress: Progress = no_progress) -> IngestReport:
        """Store new documents and make them searchable at once, with vectors
        inferred by the existing models (no retraining). Once this returns
        they are in the store, whatever happens to the process next."""
        with self._writing(on_progress):
            report = self._store(documents)
            crash_point("add:stored")
            live = self._generation
            if report.added and live is not None:
                documents = list(self.store.get_many(report.added).values())
                vectors = {}
                for name, (ids, vecs) in self._encode_all(live.methods, documents, on_progress).items():
                    vectors[name] = live.vectors[name].copy()
                    vectors[name].add(ids, vecs)
                self._publish(live, vectors)
        return report

    def delete(self, doc_id: int) -> bool:
        """Delete a document from the store and from every index."""
        with self._writing():
            sentence_ids = [s.id for s in self.store.sentences(doc_id)]
            if not self.store.delete(doc_id):
                return False
            crash_point("delete:stored")
            live = self._generation
            if live is not None:
                vectors = {}
                for name, method in live.methods.items():
                    vectors[name] = live.vectors[name].copy()
                    vectors[name].remove(np.array(sentence_ids if method.unit == "sentence" else [doc_id],
                                                  dtype=np.int64))
                methods = {name: method.forget([doc_id]) for name, method in live.methods.items()}
                self._publish(live, vectors, methods)
        return True

    def reconcile(self, on_progress: Progress = no_progress) -> None:
        """Make every FAISS index hold exactly the store's documents: encode
        what was stored but not indexed (an upload cut short), drop what was
        deleted, and remove what a killed writer left behind. Runs on every
        open; waits for another process's write only if there is something
        to repair."""
        with self._writing(on_progress, wait=False) as locked:
            if locked:
                self._reconcile(on_progress)  # nothing left to do if taking the lock did it
                return
        live = self._generation
        if live is None:
            return
        stored = self._stored_ids(live)
        if self._differences(live, stored) or self._forgotten(live, stored) or self._stale_manifest(live):
            with self._writing(on_progress):  # wait for the busy writer
                self._reconcile(on_progress)

    def _stored_ids(self, live: Generation) -> dict[str, np.ndarray]:
        """The store's ids per unit the methods of `live` index ("document",
        "sentence"), int64, read once for every check of a reconcile."""
        units = {method.unit for method in live.methods.values()} | {"document"}
        read = {"document": self.store.document_ids, "sentence": self.store.sentence_ids}
        return {unit: np.array(read[unit](), dtype=np.int64) for unit in units}

    def _forgotten(self, live: Generation, stored: dict[str, np.ndarray]) -> dict[str, Method]:
        """The methods that still remember a deleted document (a writer was
        killed between the store's delete and saving the trained ids), each
        without it."""
        documents = set(stored["document"].tolist())
        return {name: method.forget(gone) for name, method in live.methods.items()
                if (gone := method.remembered() - documents)}

    def _differences(self, live: Generation,
                     stored: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per method whose FAISS ids differ from the store: the ids to drop
        (n_extra,) and the ids to add (n_missing,)."""
        found = {}
        for name, method in live.methods.items():
            wanted, have = stored[method.unit], live.vectors[name].ids()
            extra, missing = np.setdiff1d(have, wanted), np.setdiff1d(wanted, have)
            if len(extra) or len(missing):
                found[name] = (extra, missing)
        return found

    def _stale_manifest(self, live: Generation) -> bool:
        """The manifest's counts lag the vectors: a writer was killed after
        saving them and before the manifest."""
        counts = {name: facts.get("vectors") for name, facts in live.manifest.get("methods", {}).items()}
        return counts != {name: len(vectors) for name, vectors in live.vectors.items()} \
            or live.manifest.get("documents") != self.store.counts()[0]

    def _reconcile(self, on_progress: Progress) -> None:
        """`reconcile`, with the write lock held."""
        live = self._generation
        if live is None:
            return
        stored = self._stored_ids(live)
        differences, forgotten = self._differences(live, stored), self._forgotten(live, stored)
        if not differences and not forgotten and not self._stale_manifest(live):
            return
        methods = {**live.methods, **forgotten}
        vectors = dict(live.vectors)
        for name, (extra, missing) in differences.items():
            method = methods[name]
            vectors[name] = live.vectors[name].copy()
            vectors[name].remove(extra)
            if len(missing):
                doc_ids = (set(self.store.sentence_documents(missing.tolist()).values())
                           if method.unit == "sentence" else missing.tolist())
                documents = list(self.store.get_many(sorted(doc_ids)).values())
                logger.info("%s: indexing %d documents missing from the index", name, len(documents))
                vectors[name].add(*self._encode(method, documents, on_progress))
        self._publish(live, vectors, methods)

    def _publish(self, live: Generation, vectors: dict[str, Searchable],
                 methods: dict[str, Method] | None = None) -> None:
        """Save the changed vectors (and the state of methods that forgot
        deleted documents) into the live generation, then a manifest with
        fresh counts and the next revision, and only then swap them in for
        readers. A kill between two saves leaves files that agree with the
        store or that the next writer reconciles."""
        methods = methods or live.methods
        for name, method in methods.items():
            if method is not live.methods[name]:
                method.save_state(live.path / name)
        for name, index in vectors.items():
            if index is not live.vectors[name]:
                index.save(searchable_path(live.methods[name], live.path / name))
                crash_point(f"persist:{name}")
        crash_point("persist:vectors")
        manifest = write_manifest(live.path, self._counted({**live.manifest, "revision": live.revision + 1}, vectors))
        self._generation = replace(live, manifest=manifest, vectors=vectors, methods=methods)
