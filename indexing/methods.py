"""Retrieval methods: each turns documents and queries into vectors for one
FAISS index (BM25: into terms for a BM25 index, indexing/searchable.py). A method is trained over the store, saved into its own folder of
the index directory, and loaded back by name.

Adding a method means writing one class with this contract and one entry in
`METHODS`; nothing else changes.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Protocol

import numpy as np

from indexing.doc2vec import DBOW_CONFIG, DM_CONFIG, Doc2VecConfig, Doc2VecModel, TaggedCorpus
from indexing.documents import Sentence, StoredDocument
from indexing.errors import UnknownMethodError, UnknownWordsError
from indexing.linalg import pair_percentile
from indexing.progress import Progress, no_progress
from indexing.text import words

logger = logging.getLogger(__name__)


class Method(Protocol):
    """The contract every retrieval method meets."""

    name: str
    label: str  # shown in the UI
    unit: str  # "document": FAISS ids are document ids; "sentence": sentence ids
    dim: int
    config: object  # the frozen config dataclass it was trained with

    def encode_documents(self, documents: list[StoredDocument],
                         sentences: Mapping[int, list[Sentence]]) -> tuple[np.ndarray, np.ndarray]:
        """FAISS ids (n,) int64 and unit vectors (n, dim) float32. `sentences`
        holds each document's stored sentences (their ids are sentence-unit
        methods' FAISS ids)."""

    def encode_query(self, text: str) -> np.ndarray:
        """A vector (dim,) whose inner product with a stored vector is the
        score; raises InvalidQueryError for text it cannot use. Methods with
        `layers` take `layer_weights` (one per layer) as well."""

    def word_vectors(self, tokens: list[str]) -> np.ndarray:
        """Unit vectors (n, dim') of context-free words, zeros for unknown ones."""

    related_threshold: float  # word cosine above which two words count as related
    # A method may fix its FAISS index kind ("flat", "flat16" or "ivf"); without
    # `index_kind` the kind follows the collection size (indexing/vectors.py).

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


class Doc2VecMethod:
    """Doc2Vec DM or DBOW: one vector per document."""

    unit = "document"
    layers: tuple[str, ...] = ()

    def __init__(self, name: str, model: Doc2VecModel) -> None:
        self.name = name
        self.model = model
        self.label = "Doc2Vec DM" if model.config.dm else "Doc2Vec DBOW"
        self.dim = model.dim
        self.config = model.config
        wv = model.model.wv
        # Doc2Vec word vectors share a common direction (DM's random pairs have
        # a median cosine of 0.46 on the demo corpus); removing the mean makes
        # cosine tell related words from unrelated ones.
        self._word_mean = wv.vectors.mean(axis=0) if len(wv) else np.zeros(wv.vector_size, np.float32)
        self.related_threshold = self._random_pair_percentile(99.0)

    def encode_documents(self, documents: list[StoredDocument],
                         sentences: Mapping[int, list[Sentence]] | None = None) -> tuple[np.ndarray, np.ndarray]:
        ids = np.array([d.id for d in documents], dtype=np.int64)
        return ids, self.model.encode_documents(documents)

    def encode_query(self, text: str) -> np.ndarray:
        tokens = words(text)
        if not self.model.known_words(tokens):
            raise UnknownWordsError(
                f"None of the words of {text.strip()!r} occur in the {self.label} model's "
                "vocabulary, so it cannot place the query; try other words."
            )
        return self.model.infer(tokens)

    def word_vectors(self, tokens: list[str]) -> np.ndarray:
        wv = self.model.model.wv
        out = np.zeros((len(tokens), wv.vector_size), dtype=np.float32)
        rows = np.array([wv.key_to_index.get(token, -1) for token in tokens], dtype=np.int64)
        known = rows >= 0
        out[known] = wv.vectors[rows[known]] - self._word_mean
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=out, where=norms > 0)

    def _random_pair_percentile(self, percentile: float) -> float:
        """The cosine that only (100 - percentile)% of random word pairs reach."""
        vocabulary = self.model.model.wv.index_to_key
        if len(vocabulary) < 2:
            return 1.0
        rng = np.random.default_rng(0)
        picked = [vocabulary[i] for i in rng.integers(0, len(vocabulary), 4000)]
        vectors = self.word_vectors(picked)
        return pair_percentile(vectors[:2000], vectors[2000:], percentile)

    def remembered(self) -> frozenset[int]:
        return self.model.trained_ids

    def forget(self, doc_ids: Iterable[int]) -> Doc2VecMethod:
        gone = self.model.trained_ids & {int(i) for i in doc_ids}
        return Doc2VecMethod(self.name, self.model.forget(gone)) if gone else self

    def save_state(self, directory: Path) -> None:
        self.model.save_trained_ids(directory)

    def describe(self) -> dict:
        from dataclasses import asdict

        return {"kind": "doc2vec", "label": self.label, "unit": self.unit, "dim": self.dim,
                "config": asdict(self.model.config), "vocabulary": len(self.model.model.wv)}

    def save(self, directory: Path) -> None:
        self.model.save(directory)
        (directory / "method.json").write_text(json.dumps({"kind": "doc2vec", "name": self.name}))


def _train_doc2vec(name: str, default: Doc2VecConfig):
    def train(documents: list[StoredDocument], on_progress: Progress = no_progress,
              config: Doc2VecConfig | None = None) -> Doc2VecMethod:
        config = default if config is None else config
        if not isinstance(config, Doc2VecConfig):
            raise TypeError(f"the {name} method takes a Doc2VecConfig, not {type(config).__name__}")
        return Doc2VecMethod(name, Doc2VecModel.train(TaggedCorpus(documents), config, on_progress))

    return train


def _load_doc2vec(name: str, directory: Path) -> Doc2VecMethod:
    return Doc2VecMethod(name, Doc2VecModel.load(directory))


# name -> (trainer, loader). The default build trains every method listed here.
# A trainer is `train(documents, on_progress, config=None)`; None means its default config.
def _train_elmo(documents, on_progress=no_progress, config=None):
    from indexing.elmo_method import train_elmo

    return train_elmo(documents, on_progress, config, "elmo")


def _load_elmo(name: str, directory: Path):
    from indexing.elmo_method import load_elmo

    return load_elmo(name, directory)


def _train_senses(documents, on_progress=no_progress, config=None):
    from indexing.senses.method import train_senses

    return train_senses(documents, on_progress, config, "senses")


def _load_senses(name: str, directory: Path):
    from indexing.senses.method import load_senses

    return load_senses(name, directory)


def _train_bm25(documents, on_progress=no_progress, config=None):
    from indexing.bm25_method import train_bm25

    return train_bm25(documents, on_progress, config, "bm25")


def _load_bm25(name: str, directory: Path):
    from indexing.bm25_method import load_bm25

    return load_bm25(name, directory)


# ELMo and senses import torch lazily: `python -m indexing status` and the
# Doc2Vec-only paths never pay for it.
METHODS = {
    "dm": (_train_doc2vec("dm", DM_CONFIG), _load_doc2vec),
    "dbow": (_train_doc2vec("dbow", DBOW_CONFIG), _load_doc2vec),
    "elmo": (_train_elmo, _load_elmo),
    "senses": (_train_senses, _load_senses),
    "bm25": (_train_bm25, _load_bm25),
}
DEFAULT_METHODS = ("dm", "dbow", "elmo", "senses", "bm25")
LEXICAL = "bm25"  # the keyword index
# Every generation has a BM25 index (the Hybrid ranking needs it): a retrain
# of an index made before it existed adds it.
REQUIRED_METHODS = (LEXICAL,)


def _entry(name: str):
    if name not in METHODS:
        raise UnknownMethodError(f"unknown method {name!r}; valid methods are {', '.join(METHODS)}")
    return METHODS[name]


def train_method(name: str, documents: list[StoredDocument], on_progress: Progress = no_progress,
                 config: object | None = None) -> Method:
    """Train method `name` over `documents`. `config` replaces the method's
    default config (e.g. a `Doc2VecConfig` with `vector_size=8` in tests)."""
    return _entry(name)[0](documents, on_progress, config)


def check_configs(configs: Mapping[str, object] | None) -> dict[str, object]:
    """`configs` (method name -> config) as a dict; raises UnknownMethodError
    for a name that is not a method."""
    configs = dict(configs or {})
    for name in configs:
        _entry(name)
    return configs


def load_method(name: str, directory: Path) -> Method:
    return _entry(name)[1](name, directory)
