"""The document store: SQLite (WAL mode) holding documents, their sentences
with character offsets, and content hashes that recognise re-uploads.

Consumes `Document`s from ingest; produces `StoredDocument`s whose `id` is the
FAISS id of the document in every document-level index.
"""
from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from indexing import schema
from indexing.documents import Document, Listed, Sentence, StoredDocument
from indexing.errors import IndexVersionError
from indexing.text import split_sentences, words

logger = logging.getLogger(__name__)

SQL_SLICE = 10_000  # ids per IN (...) list


def content_hash(text: str) -> str:
    """SHA-256 of the text with white space collapsed: the same content
    re-uploaded with other line breaks is still recognised."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


class DocumentStore:
    """SQLite-backed documents and sentences. Safe to share across threads:
    each thread gets its own connection; SQLite serialises the writers."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        db = self._connection()
        db.executescript(schema.CREATE)  # idempotent; executescript commits by itself
        db.execute("PRAGMA foreign_keys=OFF")  # the upgrade copies tables; nothing may cascade
        try:
            with self._transaction() as db:
                self._check_version(db)
        finally:
            db.execute("PRAGMA foreign_keys=ON")

    def _check_version(self, db: sqlite3.Connection) -> None:
        """Stamp a new store with the schema version; upgrade a version-1
        store (ids were reused); refuse any other version."""
        found = db.execute(schema.GET_META, ("schema_version",)).fetchone()
        if found is not None and int(found[0]) == schema.SCHEMA_VERSION:
            return
        if found is not None and int(found[0]) == 1:
            logger.info("upgrading the document store %s to schema version %d", self.path, schema.SCHEMA_VERSION)
            for statement in schema.MIGRATE_1_TO_2:
                db.execute(statement)
            if db.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise IndexVersionError(f"The document store {self.path} holds sentences of missing documents; "
                                        "it was not upgraded. Point --data-dir at a new directory and rebuild.")
        elif found is not None:
            raise IndexVersionError(
                f"The document store {self.path} has schema version {found[0]}, this "
                f"SenseSearch reads version {schema.SCHEMA_VERSION}. Use a matching "
                "SenseSearch version, or point --data-dir at a new directory and rebuild."
            )
        db.execute(schema.SET_META, ("schema_version", str(schema.SCHEMA_VERSION)))

    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            db.execute("PRAGMA synchronous=NORMAL")
            # SQLite's lower() folds ASCII only: titles are found in any case, "Émile" too.
            db.create_function("casefold", 1, lambda text: text.casefold() if isinstance(text, str) else text,
                               deterministic=True)
            self._local.db = db
        return db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def add(self, documents: Iterable[Document]) -> tuple[list[int], list[Document]]:
        """Store new documents with their sentences, in one transaction.

        Returns the ids of the documents added, in order, and the documents
        skipped because the same content is already stored (or repeated in
        this batch).
        """
        added: list[int] = []
        duplicates: list[Document] = []
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._transaction() as db:
            for doc in documents:
                digest = content_hash(doc.text)
                if db.execute(schema.FIND_HASH, (digest,)).fetchone():
                    duplicates.append(doc)
                    continue
                cursor = db.execute(
                    schema.INSERT_DOCUMENT,
                    (doc.title, doc.source, doc.text, digest, len(words(doc.text)), now),
                )
                doc_id = int(cursor.lastrowid)
                db.executemany(
                    schema.INSERT_SENTENCE,
                    [(doc_id, i, s.start, s.end) for i, s in enumerate(split_sentences(doc.text))],
                )
                added.append(doc_id)
        logger.info("stored %d documents, %d duplicates skipped", len(added), len(duplicates))
        return added, duplicates

    def delete(self, doc_id: int) -> bool:
        """Delete a document and its sentences; False if there was none."""
        with self._transaction() as db:
            return db.execute(schema.DELETE_DOCUMENT, (doc_id,)).rowcount > 0

    def get(self, doc_id: int) -> StoredDocument | None:
        row = self._connection().execute(schema.GET_DOCUMENT, (doc_id,)).fetchone()
        return StoredDocument(*row) if row else None

    def get_many(self, doc_ids: Iterable[int]) -> dict[int, StoredDocument]:
        return {d: doc for d in doc_ids if (doc := self.get(d)) is not None}

    def __iter__(self) -> Iterator[StoredDocument]:
        for row in self._connection().execute(schema.ALL_DOCUMENTS):
            yield StoredDocument(*row)

    def __len__(self) -> int:
        return self.counts()[0]

    def listing(self) -> list[Listed]:
        """Every document's id, title, source, words and time added, by id."""
        return [Listed(*row) for row in self._connection().execute(schema.LIST_DOCUMENTS)]

    def titled(self, text: str, exact: bool = False) -> dict[int, str]:
        """Id -> title of the documents whose title holds `text` (any case;
        with `exact`, whose title is `text`), by id: read by SQLite, not by
        listing every document."""
        sql = schema.TITLED_EXACTLY if exact else schema.TITLED_CONTAINING
        return dict(self._connection().execute(sql, (text,)).fetchall())

    def document_ids(self) -> list[int]:
        return [r[0] for r in self._connection().execute(schema.DOCUMENT_IDS)]

    def sources(self) -> dict[str, int]:
        """Each source (file name, upload or corpus name) -> its number of documents, by name."""
        return dict(self._connection().execute(schema.SOURCES).fetchall())

    def ids_from(self, sources: Iterable[str]) -> set[int]:
        """The ids of the documents from any of `sources`."""
        db = self._connection()
        return {row[0] for source in set(sources) for row in db.execute(schema.IDS_FROM_SOURCE, (source,))}

    def counts(self) -> tuple[int, int]:
        """(number of documents, number of words)."""
        n_docs, n_words = self._connection().execute(schema.COUNTS).fetchone()
        return int(n_docs), int(n_words)

    def holds_hangul(self) -> bool:
        """Whether any stored document holds a Hangul syllable (reads every
        text of a store that holds none: ask off the query path)."""
        return self._connection().execute(schema.ANY_HANGUL).fetchone() is not None

    def sentences(self, doc_id: int) -> list[Sentence]:
        return [Sentence(*r) for r in self._connection().execute(schema.SENTENCES_OF, (doc_id,))]

    def containing(self, word: str, limit: int) -> list[StoredDocument]:
        """Up to ``limit`` documents whose text contains ``word`` (a substring
        match, case-insensitive for ASCII; callers check word boundaries)."""
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self._connection().execute(schema.CONTAINING, (f"%{escaped}%", limit))
        return [StoredDocument(*row) for row in rows]

    def sentences_of(self, doc_ids: list[int]) -> dict[int, list[Sentence]]:
        """Each given document's sentences, in order."""
        return {doc_id: self.sentences(doc_id) for doc_id in doc_ids}

    def sentence(self, sentence_id: int) -> Sentence | None:
        row = self._connection().execute(schema.GET_SENTENCE, (sentence_id,)).fetchone()
        return Sentence(*row) if row else None

    def sentence_ids(self) -> list[int]:
        return [r[0] for r in self._connection().execute(schema.SENTENCE_IDS)]

    def sentence_documents(self, sentence_ids: list[int]) -> dict[int, int]:
        """Map sentence id -> document id for the given sentence ids."""
        return dict(self._in_slices(schema.SENTENCE_DOCS, sentence_ids))

    def _in_slices(self, sql: str, ids: list[int], *before: object) -> Iterator[tuple]:
        """The rows of ``sql`` (its ``{placeholders}`` the ids, after the
        parameters ``before``) over ``ids`` in slices: SQLite caps the number
        of parameters of one statement (32,766 since 3.32), and a filtered
        search asks about every sentence."""
        for start in range(0, len(ids), SQL_SLICE):
            part = ids[start : start + SQL_SLICE]
            yield from self._connection().execute(sql.format(placeholders=",".join("?" * len(part))), [*before, *part])

    # -- occurrence readings (indexing/senses/readings.py) --------------------
    def put_readings(self, version: str, readings: dict[int, bytes]) -> None:
        """Keep each document's serialised readings (by id), made with the
        models named by ``version``, in one transaction; a document deleted
        meanwhile gets none."""
        with self._transaction() as db:
            db.executemany(schema.PUT_READINGS, [(doc_id, version, data, doc_id) for doc_id, data in readings.items()])

    def readings(self, doc_ids: list[int], version: str) -> dict[int, bytes]:
        """The serialised readings of those of ``doc_ids`` read with ``version``'s models."""
        return dict(self._in_slices(schema.GET_READINGS, doc_ids, version))

    def read_among(self, doc_ids: list[int], version: str) -> set[int]:
        """Those of ``doc_ids`` that have readings of ``version``'s models (`readings`, without their data)."""
        return {row[0] for row in self._in_slices(schema.READ_AMONG, doc_ids, version)}

    def unread(self, version: str) -> list[int]:
        """The ids of the documents with no readings of ``version``'s models."""
        return [r[0] for r in self._connection().execute(schema.UNREAD, (version,))]

    def unread_count(self, version: str) -> int:
        """How many documents have no readings of ``version``'s models (`unread`, counted)."""
        return self._connection().execute(schema.UNREAD_COUNT, (version,)).fetchone()[0]
