"""Every SQL statement of the document store, in one place."""
from __future__ import annotations

# 2: ids are AUTOINCREMENT, so a deleted document's id (its FAISS id, and
# Doc2Vec's tag) is never handed to a new document (version 1 reused it).
SCHEMA_VERSION = 2

_DOCUMENTS_TABLE = """
CREATE TABLE IF NOT EXISTS {name} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- also the document's FAISS id, never reused
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    n_words INTEGER NOT NULL,
    added_at TEXT NOT NULL
)"""
_SENTENCES_TABLE = """
CREATE TABLE IF NOT EXISTS {name} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- also the sentence's FAISS id, never reused
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    start INTEGER NOT NULL,          -- character offsets into documents.text
    end INTEGER NOT NULL
)"""
_SENTENCES_INDEX = "CREATE INDEX IF NOT EXISTS sentences_doc ON sentences(doc_id, position)"

# What the general sense inventory's biLM read of each ambiguous word of a
# document (indexing/senses/readings.py), and for which models (`version`).
# A cache of work done at indexing: a document without it is read at query
# time, so adding this table to an older store needs no new schema version.
_READINGS_TABLE = """
CREATE TABLE IF NOT EXISTS readings (
    doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    data BLOB NOT NULL
)"""

CREATE = ";\n".join([
    _DOCUMENTS_TABLE.format(name="documents"),
    _SENTENCES_TABLE.format(name="sentences"),
    _SENTENCES_INDEX,
    _READINGS_TABLE,
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
]) + ";"

# Version 1 -> 2: SQLite cannot add AUTOINCREMENT to a table, so both tables
# are copied into new ones (ids kept; sqlite_sequence starts at the largest).
# Runs in one transaction with foreign keys off, so dropping the old
# documents table does not cascade into the sentences.
MIGRATE_1_TO_2 = [
    _DOCUMENTS_TABLE.format(name="documents_v2"),
    "INSERT INTO documents_v2 SELECT id, title, source, text, content_hash, n_words, added_at FROM documents",
    _SENTENCES_TABLE.format(name="sentences_v2"),
    "INSERT INTO sentences_v2 SELECT id, doc_id, position, start, end FROM sentences",
    "DROP TABLE sentences",
    "DROP TABLE documents",
    "ALTER TABLE documents_v2 RENAME TO documents",
    "ALTER TABLE sentences_v2 RENAME TO sentences",
    _SENTENCES_INDEX,
]

GET_META = "SELECT value FROM meta WHERE key = ?"
SET_META = "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"

INSERT_DOCUMENT = (
    "INSERT INTO documents(title, source, text, content_hash, n_words, added_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
INSERT_SENTENCE = "INSERT INTO sentences(doc_id, position, start, end) VALUES (?, ?, ?, ?)"
FIND_HASH = "SELECT id FROM documents WHERE content_hash = ?"
DELETE_DOCUMENT = "DELETE FROM documents WHERE id = ?"

_DOCUMENT_COLUMNS = "id, title, text, source, content_hash, n_words, added_at"
GET_DOCUMENT = f"SELECT {_DOCUMENT_COLUMNS} FROM documents WHERE id = ?"
ALL_DOCUMENTS = f"SELECT {_DOCUMENT_COLUMNS} FROM documents ORDER BY id"
CONTAINING = f"SELECT {_DOCUMENT_COLUMNS} FROM documents WHERE text LIKE ? ESCAPE '\\' ORDER BY id LIMIT ?"
LIST_DOCUMENTS = "SELECT id, title, source, n_words, added_at FROM documents ORDER BY id"
TITLED_CONTAINING = "SELECT id, title FROM documents WHERE instr(casefold(title), casefold(?)) > 0 ORDER BY id"
TITLED_EXACTLY = "SELECT id, title FROM documents WHERE title = ? ORDER BY id"
DOCUMENT_IDS = "SELECT id FROM documents ORDER BY id"
COUNTS = "SELECT COUNT(*), COALESCE(SUM(n_words), 0) FROM documents"
ANY_HANGUL = "SELECT 1 FROM documents WHERE text GLOB '*[가-힣]*' LIMIT 1"  # SQLite's GLOB ranges are code points
SOURCES = "SELECT source, COUNT(*) FROM documents GROUP BY source ORDER BY source"
IDS_FROM_SOURCE = "SELECT id FROM documents WHERE source = ?"

SENTENCES_OF = "SELECT id, doc_id, position, start, end FROM sentences WHERE doc_id = ? ORDER BY position"
GET_SENTENCE = "SELECT id, doc_id, position, start, end FROM sentences WHERE id = ?"
SENTENCE_IDS = "SELECT id FROM sentences ORDER BY id"
SENTENCE_DOCS = "SELECT id, doc_id FROM sentences WHERE id IN ({placeholders})"

# Only for a document still stored: a reading of one deleted meanwhile is dropped.
PUT_READINGS = ("INSERT INTO readings(doc_id, version, data) SELECT ?, ?, ? WHERE EXISTS "
                "(SELECT 1 FROM documents WHERE id = ?) "
                "ON CONFLICT(doc_id) DO UPDATE SET version = excluded.version, data = excluded.data")
GET_READINGS = "SELECT doc_id, data FROM readings WHERE version = ? AND doc_id IN ({placeholders})"
READ_AMONG = "SELECT doc_id FROM readings WHERE version = ? AND doc_id IN ({placeholders})"
UNREAD = ("SELECT id FROM documents WHERE id NOT IN (SELECT doc_id FROM readings WHERE version = ?) "
          "ORDER BY id")
# One row of readings per document at most (its key), of stored documents only: a count, without a join.
UNREAD_COUNT = "SELECT (SELECT COUNT(*) FROM documents) - (SELECT COUNT(*) FROM readings WHERE version = ?)"
