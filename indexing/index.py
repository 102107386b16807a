"""An index: the document store plus, per retrieval method, a trained model
and its FAISS index, kept in one data directory.

Layout of the data directory:

    store.sqlite3                 documents and sentences (the source of truth)
    CURRENT                       name of the live generation, replaced atomically
    indexes/<generation>/         manifest.json and one folder per method:
        <method>/                 model files + vectors.faiss

A build or retrain writes a whole new generation and then switches CURRENT, so
a reader never sees a half-written index. Uploads go to the store first, then
into the live generation's FAISS indexes; on every load the FAISS ids are
checked against the store and whatever is missing is encoded again.
"""
from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexing.documents import Document, IngestReport, StoredDocument
from indexing.errors import IndexCorruptError, IndexNotFoundError, SenseSearchError
from indexing.manifest import now, read_manifest, write_manifest
from indexing.methods import DEFAULT_METHODS, METHODS, Method, check_configs, load_method, train_method
from indexing.progress import Progress, no_progress
from indexing.store import DocumentStore
from indexing.text import words
from indexing.vectors import VectorIndex

logger = logging.getLogger(__name__)

DATA_DIR_ENV = "SENSESEARCH_DATA_DIR"
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
ENCODE_BATCH = 64  # documents encoded between two progress reports


def data_dir(path: str | Path | None = None) -> Path:
    """The data directory: the argument, else $SENSESEARCH_DATA_DIR, else ./data."""
    chosen = path or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR
    return Path(chosen).expanduser().resolve()


@dataclass
class _Generation:
    """One complete, loaded index generation. Readers take a reference to it
    once per query, so a retrain swapping in a new one never disturbs them."""

    path: Path
    manifest: dict
    methods: dict[str, Method]
    vectors: dict[str, VectorIndex]


class Index:
    """The store and every method's model and vectors. Thread-safe; writes
    are also serialised across processes by a lock file."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = data_dir(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.store = DocumentStore(self.directory / "store.sqlite3")
        self._write_lock = threading.RLock()
        self._write_depth = 0
        self._generation: _Generation | None = None

    # ---- opening -------------------------------------------------------
    @classmethod
    def open(cls, directory: str | Path | None = None, on_progress: Progress = no_progress) -> Index:
        """Load the live index; raises IndexNotFoundError when there is none
        (without creating anything: a mistyped directory stays absent)."""
        if not (data_dir(directory) / "CURRENT").exists():
            raise IndexNotFoundError(f"No index in {data_dir(directory)} yet; build one first.")
        index = cls(directory)
        index._generation = index._load_current()
        index.reconcile(on_progress)
        return index

    def load_existing(self, on_progress: Progress = no_progress) -> bool:
        """Load the live index if there is one; False when there is none yet."""
        try:
            self._generation = self._load_current()
        except IndexNotFoundError:
            return False
        self.reconcile(on_progress)
        return True

    def build_if_missing(self, documents: Callable[[], Iterable[Document]],
                         on_progress: Progress = no_progress) -> bool:
        """Build from `documents()` unless an index exists (or another process
        or thread built one while we waited for the lock). True if it built."""
        with self._writing():
            if self._generation is not None or self.load_existing(on_progress):
                return False
            self.build(documents(), on_progress)
            return True

    @property
    def exists(self) -> bool:
        return self._generation is not None

    def _load_current(self) -> _Generation:
        pointer = self.directory / "CURRENT"
        if not pointer.exists():
            raise IndexNotFoundError(f"No index in {self.directory} yet; build one first.")
        path = self.directory / "indexes" / pointer.read_text().strip()
        manifest = read_manifest(path)
        methods: dict[str, Method] = {}
        vectors: dict[str, VectorIndex] = {}
        for name in _ordered(manifest.get("methods", {})):
            try:
                methods[name] = load_method(name, path / name)
                vectors[name] = VectorIndex.load(path / name / "vectors.faiss")
            except SenseSearchError:
                raise
            except Exception as error:  # noqa: BLE001 - any unreadable file means the same to the user
                raise IndexCorruptError(
                    f"The {name} part of the index in {path} cannot be read ({error}); rebuild the index."
                ) from error
        return _Generation(path, manifest, methods, vectors)

    def _live(self) -> _Generation:
        if self._generation is None:
            raise IndexNotFoundError(f"No index in {self.directory} yet; build one first.")
        return self._generation

    # ---- reading -------------------------------------------------------
    @property
    def methods(self) -> dict[str, Method]:
        return self._live().methods

    def method(self, name: str) -> Method:
        methods = self._live().methods
        if name not in methods:
            raise SenseSearchError(f"This index has no {name!r} method; it has {', '.join(methods)}.")
        return methods[name]

    def search_vectors(self, name: str, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Scores (k,) and FAISS ids (k,) of the nearest vectors of one method."""
        live = self._live()
        if name not in live.vectors:
            raise SenseSearchError(f"This index has no {name!r} method; it has {', '.join(live.vectors)}.")
        scores, ids = live.vectors[name].search(query, k)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

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
                "generation": live.path.name, "format_version": live.manifest.get("format_version"),
                "libraries": live.manifest.get("libraries", {})}

    # ---- writing -------------------------------------------------------
    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One writer at a time: threads by an RLock, processes by flock.
        Re-entrant: flock on a second descriptor would block on our own lock."""
        with self._write_lock:
            if self._write_depth:
                self._write_depth += 1
                try:
                    yield
                finally:
                    self._write_depth -= 1
                return
            with open(self.directory / "write.lock", "w") as lock_file:
                fcntl.flock(lock_file, fcntl.LOCK_EX)
                self._write_depth = 1
                try:
                    self._follow_current()
                    yield
                finally:
                    self._write_depth = 0
                    fcntl.flock(lock_file, fcntl.LOCK_UN)

    def _follow_current(self) -> None:
        """Switch to the live generation if another process retrained since
        we loaded ours: that retrain deleted our generation's folder, so
        writing into it would fail."""
        pointer = self.directory / "CURRENT"
        if self._generation is not None and pointer.exists() \
                and pointer.read_text().strip() != self._generation.path.name:
            logger.info("index generation changed on disk; loading %s", pointer.read_text().strip())
            self._generation = self._load_current()

    def build(self, documents: Iterable[Document], on_progress: Progress = no_progress,
              methods: Iterable[str] = DEFAULT_METHODS,
              configs: Mapping[str, object] | None = None) -> IngestReport:
        """Store `documents`, then train every method over the whole store.
        `configs` maps method names to configs that replace their defaults."""
        configs = check_configs(configs)
        with self._writing():
            report = self._store(documents)
            self.retrain(on_progress, methods, configs)
        return report

    def retrain(self, on_progress: Progress = no_progress, methods: Iterable[str] | None = None,
                configs: Mapping[str, object] | None = None) -> None:
        """Train every method anew over the whole store and switch to the result.
        `configs` maps method names to configs that replace their defaults
        (e.g. tiny Doc2VecConfigs in tests); methods not named keep the config
        they were trained with, or their default on a first build."""
        configs = check_configs(configs)
        with self._writing():
            names = tuple(methods or (self._generation.methods if self._generation else DEFAULT_METHODS))
            # A retrain keeps each method's current config unless told otherwise.
            current = {n: m.config for n, m in (self._generation.methods.items() if self._generation else ())}
            configs = {**current, **configs}
            documents = list(self.store)
            if not documents:
                raise SenseSearchError("The store has no documents to train on; add some first.")
            name = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6}"
            staging = self.directory / "indexes" / (name + ".partial")
            staging.mkdir(parents=True)
            try:
                generation = self._train_generation(staging, names, documents, on_progress, configs)
                final = staging.with_name(name)
                os.replace(staging, final)
                generation.path = final
                _replace_text(self.directory / "CURRENT", name)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            previous, self._generation = self._generation, generation
            self._remove_old_generations(keep=name)
            logger.info("switched to index generation %s (previous %s)", name, previous and previous.path.name)
        self.reconcile(on_progress)  # documents uploaded while we trained

    def _train_generation(self, path: Path, names: tuple[str, ...], documents: list[StoredDocument],
                          on_progress: Progress, configs: dict[str, object]) -> _Generation:
        methods, vectors, described = {}, {}, {}
        for name in names:
            method = train_method(name, documents, on_progress, configs.get(name))
            ids, vecs = self._encode(method, documents, on_progress)
            index = VectorIndex.build(ids, vecs)
            folder = path / name
            folder.mkdir()
            method.save(folder)
            index.save(folder / "vectors.faiss")
            methods[name], vectors[name], described[name] = method, index, method.describe()
        n_words = sum(d.n_words for d in documents)
        manifest = {
            "created_at": now(),
            "trained_on": {"at": now(), "documents": len(documents), "words": n_words,
                           "sources": dict(Counter(d.source for d in documents).most_common(20))},
            "methods": described,
        }
        write_manifest(path, self._counted(manifest, vectors))
        return _Generation(path, read_manifest(path), methods, vectors)

    def _counted(self, manifest: dict, vectors: dict[str, VectorIndex]) -> dict:
        n_docs, n_words = self.store.counts()
        methods = {name: {**facts, "vectors": len(vectors[name]), "index": vectors[name].describe()}
                   for name, facts in manifest["methods"].items()}
        return {**manifest, "documents": n_docs, "words": n_words, "methods": methods}

    def _encode(self, method: Method, documents: list[StoredDocument],
                on_progress: Progress) -> tuple[np.ndarray, np.ndarray]:
        stage = f"Encoding with {method.label}"
        all_ids, all_vectors = [np.empty(0, dtype=np.int64)], [np.empty((0, method.dim), dtype=np.float32)]
        on_progress(0, len(documents), stage)
        for start in range(0, len(documents), ENCODE_BATCH):
            ids, vectors = method.encode_documents(documents[start : start + ENCODE_BATCH])
            all_ids.append(ids)
            all_vectors.append(vectors)
            on_progress(min(start + ENCODE_BATCH, len(documents)), len(documents), stage)
        return np.concatenate(all_ids), np.concatenate(all_vectors)

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
        inferred by the existing models (no retraining)."""
        with self._writing():
            report = self._store(documents)
            if report.added and self._generation is not None:
                self._index_documents(self.store.get_many(report.added).values(), on_progress)
        return report

    def delete(self, doc_id: int) -> bool:
        """Delete a document from the store and from every index."""
        with self._writing():
            sentence_ids = [s.id for s in self.store.sentences(doc_id)]
            if not self.store.delete(doc_id):
                return False
            if self._generation is not None:
                for name, method in self._generation.methods.items():
                    gone = sentence_ids if method.unit == "sentence" else [doc_id]
                    self._generation.vectors[name].remove(np.array(gone, dtype=np.int64))
                self._persist()
        return True

    def reconcile(self, on_progress: Progress = no_progress) -> None:
        """Make every FAISS index hold exactly the store's documents: encode
        what was stored but not indexed (an upload cut short), drop what was
        deleted. Runs on every open."""
        if self._generation is None:
            return
        with self._writing():
            live, changed = self._generation, False
            for name, method in live.methods.items():
                wanted = self.store.sentence_ids() if method.unit == "sentence" else self.store.document_ids()
                have = live.vectors[name].ids()
                extra = np.setdiff1d(have, np.array(wanted, dtype=np.int64))
                missing = np.setdiff1d(np.array(wanted, dtype=np.int64), have)
                if len(extra):
                    live.vectors[name].remove(extra)
                    changed = True
                if len(missing):
                    doc_ids = (set(self.store.sentence_documents(missing.tolist()).values())
                               if method.unit == "sentence" else missing.tolist())
                    documents = list(self.store.get_many(sorted(doc_ids)).values())
                    logger.info("%s: indexing %d documents missing from the index", name, len(documents))
                    ids, vectors = self._encode(method, documents, on_progress)
                    live.vectors[name].add(ids, vectors)
                    changed = True
            if changed:
                self._persist()

    def _index_documents(self, documents: Iterable[StoredDocument], on_progress: Progress) -> None:
        documents = list(documents)
        live = self._live()
        for name, method in live.methods.items():
            ids, vectors = self._encode(method, documents, on_progress)
            live.vectors[name].add(ids, vectors)
        self._persist()

    def _persist(self) -> None:
        """Save the live FAISS indexes and refresh the manifest's counts."""
        live = self._live()
        for name, vectors in live.vectors.items():
            vectors.save(live.path / name / "vectors.faiss")
        live.manifest = self._counted(live.manifest, live.vectors)
        write_manifest(live.path, live.manifest)

    def _remove_old_generations(self, keep: str) -> None:
        for path in (self.directory / "indexes").iterdir():
            if path.name != keep:
                shutil.rmtree(path, ignore_errors=True)


def _ordered(names: Iterable[str]) -> list[str]:
    """Method names in the order of the METHODS table (DM before DBOW)."""
    order = {name: i for i, name in enumerate(METHODS)}
    return sorted(names, key=lambda name: order.get(name, len(order)))


def _replace_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
