"""The contract every retrieval method meets (`Method`), and the part of it
that methods which learn nothing per document share (`LearnsNoDocuments`).

Consumed by each method's module (doc2vec_method, elmo_method,
senses/method, bm25_method) and by those that hold methods (the registry in
methods.py, generation.py, index.py); imports no method, so no method
module imports the registry.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from indexing.documents import Sentence, StoredDocument


class Method(Protocol):
    """The contract every retrieval method meets."""

    name: str
    label: str  # shown in the UI
    unit: str  # "document": FAISS ids are document ids; "sentence": sentence ids
    dim: int
    config: object  # the frozen config dataclass it was trained with
    # The layers whose mix a query may weigh (ELMo's three: the page offers a
    # slider each); () for methods without.
    layers: tuple[str, ...]
    # The FAISS index kind the method fixes ("flat", "flat16", "ivf"; "bm25" for
    # BM25's own index), or None: the kind follows the collection size
    # (indexing/vectors.py).
    index_kind: str | None
    # The collection's words counted at training, for methods that place any
    # text (ELMo, senses) and so need the engine to ask for a known word first
    # (search/known.py); None for methods that refuse unknown words themselves.
    document_frequency: Mapping[str, int] | None

    def encode_documents(self, documents: list[StoredDocument],
                         sentences: Mapping[int, list[Sentence]]) -> tuple[np.ndarray, np.ndarray]:
        """FAISS ids (n,) int64 and vectors (n, dim) float32, unit or
        shorter where the method weighs a document down (Doc2Vec: an upload
        by how little of it the model knows, a hub by how close it sits to
        where queries fall, indexing/hubness.py). `sentences`
        holds each document's stored sentences (their ids are sentence-unit
        methods' FAISS ids)."""

    def encode_query(self, text: str, layer_weights: Sequence[float] | None = None) -> np.ndarray:
        """A vector (dim,) whose inner product with a stored vector is the
        score (BM25: the query's terms); raises InvalidQueryError for text it
        cannot use. `layer_weights`, one per `layers`, mixes the layers
        (None: the method's default mix; methods without layers ignore it)."""

    def word_vectors(self, tokens: list[str]) -> np.ndarray:
        """Unit vectors (n, dim') of context-free words, zeros for unknown ones."""

    related_threshold: float  # word cosine above which two words count as related

    def describe(self) -> dict:
        """Config and facts for the manifest."""

    def save(self, directory: Path) -> None: ...

    def remembered(self) -> frozenset[int]:
        """Ids of the documents whose vectors the model itself learned in
        training (Doc2Vec's trained ids); it hands them back for those ids."""

    def forget(self, doc_ids: Iterable[int]) -> Method:
        """This method without what it learned of `doc_ids` (deleted
        documents): ids are never reused, but a stale trained id would still
        stand for a document that is gone. Self when there is nothing to forget."""

    def save_state(self, directory: Path) -> None:
        """Save, atomically, what `forget` changes (after a delete)."""


class LearnsNoDocuments:
    """For methods that encode every document from its text alone (ELMo,
    senses, BM25): nothing to forget when one is deleted."""

    def remembered(self) -> frozenset[int]:
        return frozenset()

    def forget(self, doc_ids: Iterable[int]) -> LearnsNoDocuments:
        return self

    def save_state(self, directory: Path) -> None:
        pass
