"""BM25 as a retrieval method: documents and queries become their keyword
terms (`indexing.text.terms`), which a `BM25Index` (indexing/bm25.py)
scores. Nothing is trained: "training" reads the store's documents into a
new BM25 index, so a retrain recomputes the collection statistics and folds
the uploads' delta index into the main one.

Consumes stored documents; produces (store ids (n,), each document's terms)
for `BM25Index`, and a query's terms.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from indexing.bm25 import BM25Config
from indexing.documents import Sentence, StoredDocument
from indexing.errors import InvalidQueryError
from indexing.contract import LearnsNoDocuments
from indexing.progress import Progress, no_progress
from indexing.text import terms


class BM25Method(LearnsNoDocuments):
    """Keyword search: one entry per document, no vectors."""

    unit = "document"
    layers: tuple[str, ...] = ()
    index_kind = "bm25"  # its searchable index is a BM25Index, not FAISS
    document_frequency = None  # a query without terms is refused by encode_query
    label = "BM25"
    dim = 1  # word_vectors' width: no word is related to another, only equal
    related_threshold = 1.0  # passages count only the query's own words

    def __init__(self, name: str, config: BM25Config) -> None:
        self.name, self.config = name, config

    def encode_documents(self, documents: list[StoredDocument],
                         sentences: Mapping[int, list[Sentence]] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Store ids (n,) and each document's terms, an object array (n,) of lists."""
        encoded = np.empty(len(documents), dtype=object)
        encoded[:] = [terms(d.text, self.config.language) for d in documents]
        return np.array([d.id for d in documents], dtype=np.int64), encoded

    def encode_query(self, text: str, layer_weights: Sequence[float] | None = None) -> list[str]:
        """The query's terms; raises InvalidQueryError when it has none (only
        stop words or numbers)."""
        found = terms(text, self.config.language)
        if not found:
            raise InvalidQueryError(
                f"The query {text.strip()!r} has only common words (like 'the', 'of') or numbers, which "
                "keyword search ignores; add a word that says what you are looking for.")
        return found

    def word_vectors(self, tokens: list[str]) -> np.ndarray:
        return np.zeros((len(tokens), 1), dtype=np.float32)

    def describe(self) -> dict:
        return {"kind": "bm25", "label": self.label, "unit": self.unit, "config": asdict(self.config)}

    def save(self, directory: Path) -> None:
        (directory / "method.json").write_text(json.dumps({"kind": "bm25", "name": self.name,
                                                           "config": asdict(self.config)}))


def train_bm25(documents: list[StoredDocument], on_progress: Progress = no_progress,
               config: BM25Config | None = None, name: str = "bm25") -> BM25Method:
    config = BM25Config() if config is None else config
    if not isinstance(config, BM25Config):
        raise TypeError(f"the {name} method takes a BM25Config, not {type(config).__name__}")
    return BM25Method(name, config)


def load_bm25(name: str, directory: Path) -> BM25Method:
    return BM25Method(name, BM25Config(**json.loads((directory / "method.json").read_text())["config"]))
