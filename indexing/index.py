"""An index: the document store plus, per retrieval method, a trained model
and its FAISS index, kept in one data directory.

Layout of the data directory:

    store.sqlite3                 documents and sentences (the source of truth)
    CURRENT                       name of the live generation, replaced atomically
    indexes/<generation>/         manifest.json and one folder per method:
        <method>/                 model files + vectors.faiss (+ vectors.changes.npz)
    write.lock                    held (flock) by the one process writing
    tuning/, models/              a tuning of ELMo's checkpoint and the tuned biLM (indexing/tuning.py)

Crash safety. Uploads commit to the store first. A build, a retrain or a
tuning of ELMo writes a whole new generation into `<name>.partial`, renames
it, then switches CURRENT: that switch is the commit point. Every file
inside a generation is replaced by rename. So a process killed at any moment
leaves the previous index loadable, and the next writer (or opener) removes
what the killed one left behind (`.partial` folders, generations CURRENT
does not name, `*.tmp` files) and encodes whatever was stored but not yet
indexed. Where each part lives: indexing/pipeline.py stores, trains, encodes
and commits a generation; indexing/updates.py adds an upload's vectors to the
live generation, removes a deletion's, and publishes either;
indexing/generation.py knows the generations on
disk and follows other processes' writes; indexing/reconcile.py finds where
the index and the store disagree and mends it; indexing/write_lock.py
serialises writers; indexing/crash.py names the points where the tests kill
a writer.

Concurrency. One writer at a time: a thread lock within a process, flock on
write.lock across processes. A write never changes the `Generation` readers
hold: it changes copies of the vectors, saves them, and swaps in a new
`Generation`; a reader takes one per query (`snapshot()`), so it sees the
index wholly before or wholly after a write, never half of it.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from indexing.contract import Method
from indexing.crash import crash_point
from indexing.documents import Document, IngestReport
from indexing.errors import IndexNotFoundError, SenseSearchError
from indexing.generation import Generation, changed_on_disk, describe, follow_disk, load_current, remove_debris
from indexing.methods import DEFAULT_METHODS, EXPLAINING_METHOD, REQUIRED_METHODS, check_configs
from indexing.pipeline import commit_generation, reading_senses, store_documents
from indexing.progress import Progress, no_progress
from indexing.reconcile import out_of_step, repair
from indexing.senses.readings import keep_readings, unread_count
from indexing.store import DocumentStore
from indexing.updates import publish, with_added, without
from indexing.write_lock import WriteLock

logger = logging.getLogger(__name__)

DATA_DIR_ENV = "SENSESEARCH_DATA_DIR"
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


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
        self._generation: Generation | None = None
        self._writing = WriteLock(self.directory, self._tidy).held

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
        if live is None or not changed_on_disk(self.directory, live):
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
        status = {"data_dir": str(self.directory), "documents": n_docs, "words": n_words,
                  "unread_senses": self.unread_senses()}
        return {**status, **(describe(self._generation) if self._generation else {"trained": None, "methods": {}})}

    # ---- writing (`self._writing()`: one writer, indexing/write_lock.py) -
    def _tidy(self, on_progress: Progress) -> None:
        """With the write lock just taken: remove what a killed writer left,
        follow another process's writes, and make FAISS match the store."""
        remove_debris(self.directory)
        self._follow_disk()
        self._reconcile(on_progress)

    def _follow_disk(self) -> None:
        """Load what another process wrote since we loaded our generation
        (otherwise our next save would overwrite their vectors with ours)."""
        if self._generation is not None:
            self._generation = follow_disk(self.directory, self._generation)

    def build(self, documents: Iterable[Document], on_progress: Progress = no_progress,
              methods: Iterable[str] = DEFAULT_METHODS,
              configs: Mapping[str, object] | None = None) -> IngestReport:
        """Store `documents`, then train every method over the whole store.
        `configs` maps method names to configs that replace their defaults."""
        configs = check_configs(configs)
        with self._writing(on_progress):
            report = store_documents(self.store, documents)
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
            if "elmo" in configs:  # a biLM tuned to the collection stays (indexing/tuning.py)
                from indexing.tuning import tuned_home

                configs["elmo"] = tuned_home(self.directory, self._generation, configs["elmo"])
            documents = list(self.store)
            if not documents:
                raise SenseSearchError("The store has no documents to train on; add some first.")
            generation = commit_generation(self.directory, names, self.store, documents, on_progress, configs,
                                           after_batch=reading_senses(self.store, names))
            crash_point("retrain:switched")
            previous, self._generation = self._generation, generation
            remove_debris(self.directory)
            logger.info("switched to index generation %s (previous %s)", generation.name,
                        previous and previous.name)
            self._reconcile(on_progress)

    def tune_elmo(self, config=None, on_progress: Progress = no_progress, resume: bool = False) -> None:
        """Tune the ELMo column's biLM to the stored documents (a
        `TuneConfig`: minutes or epochs) and switch to a generation whose
        ELMo reads it; every other method is carried over (indexing/tuning.py).
        Stopped or killed, the live index is unchanged and `resume` continues
        the run."""
        from indexing.elmo.tune import TuneConfig
        from indexing.tuning import tune_generation

        with self._writing(on_progress):
            generation = tune_generation(self.directory, self.store, self._live(), config or TuneConfig(),
                                         on_progress, resume)
            previous, self._generation = self._generation, generation
            remove_debris(self.directory)
            logger.info("switched to tuned generation %s (previous %s)", generation.name, previous and previous.name)
            self._reconcile(on_progress)

    def add_documents(self, documents: Iterable[Document], on_progress: Progress = no_progress) -> IngestReport:
        """Store new documents and make them searchable at once, with vectors
        inferred by the existing models (no retraining). Once this returns
        they are in the store, whatever happens to the process next."""
        with self._writing(on_progress):
            report = store_documents(self.store, documents)
            crash_point("add:stored")
            live = self._generation
            if report.added and live is not None:
                documents = list(self.store.get_many(report.added).values())
                self._generation = publish(live, self.store, with_added(live, self.store, documents, on_progress,
                                                                        reading_senses(self.store, live.methods)))
                crash_point("add:published")
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
                self._generation = publish(live, self.store, *without(live, doc_id, sentence_ids))
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
        if out_of_step(live, self.store):
            with self._writing(on_progress):  # wait for the busy writer
                self._reconcile(on_progress)

    def _reconcile(self, on_progress: Progress) -> None:
        """`reconcile`, with the write lock held."""
        live = self._generation
        if live is None:
            return
        if (mended := repair(live, self.store, on_progress)) is None:
            return
        self._generation = publish(live, self.store, mended.vectors, mended.methods)
        if mended.unindexed:
            self.read_senses(mended.unindexed, on_progress)

    def read_senses(self, doc_ids: list[int] | None = None, on_progress: Progress = no_progress) -> int:
        """Read the sense of each ambiguous word of the documents ``doc_ids``
        (None: of every document not yet read with the shipped models, as
        `unread_senses` counts them) and keep it in the store
        (indexing/senses/readings.py), when the live generation explains
        senses; how many documents were read. Whatever this leaves unread
        (it was killed, the models changed) is read at query time instead."""
        with self._writing(on_progress):
            return keep_readings(self.store, doc_ids, on_progress) if self._explains_senses else 0

    def unread_senses(self) -> int:
        """Documents whose senses are read at each query that shows them, more
        slowly: never read, or read with older models (`read_senses` reads them)."""
        return unread_count(self.store) if self._explains_senses else 0

    @property
    def _explains_senses(self) -> bool:
        return self._generation is not None and EXPLAINING_METHOD in self._generation.methods
