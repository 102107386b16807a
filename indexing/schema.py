"""Every SQL statement of the document store, in one place."""
from __future__ import annotations

SCHEMA_VERSION = 1

CREATE = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,          -- also the document's FAISS id
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL UNIQUE,
    n_words INTEGER NOT NULL,
    added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sentences (
    id INTEGER PRIMARY KEY,          -- also the sentence's FAISS id
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    start INTEGER NOT NULL,          -- character offsets into documents.text
    end INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sentences_doc ON sentences(doc_id, position);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

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
DOCUMENT_IDS = "SELECT id FROM documents ORDER BY id"
COUNTS = "SELECT COUNT(*), COALESCE(SUM(n_words), 0) FROM documents"

SENTENCES_OF = "SELECT id, doc_id, position, start, end FROM sentences WHERE doc_id = ? ORDER BY position"
GET_SENTENCE = "SELECT id, doc_id, position, start, end FROM sentences WHERE id = ?"
SENTENCE_IDS = "SELECT id FROM sentences ORDER BY id"
SENTENCE_DOCS = "SELECT id, doc_id FROM sentences WHERE id IN ({placeholders})"
COUNT_SENTENCES = "SELECT COUNT(*) FROM sentences"
