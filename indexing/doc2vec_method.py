"""Doc2Vec DM and DBOW as retrieval methods (the `Method` contract): one
vector per document, trained ones from the model, others inferred
(indexing/doc2vec.py), scaled down by the hub penalty where the config
sets one (indexing/hubness.py); query vectors inferred the same way; word
vectors for the passages' highlights. Plus the trainer and loader the registry
(indexing/methods.py) names them by.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from indexing.doc2vec import Doc2VecConfig, Doc2VecModel
from indexing.doc2vec_corpus import TaggedCorpus
from indexing.documents import Sentence, StoredDocument
from indexing.errors import UnknownWordsError
from indexing.hubness import hub_radii, shrunk
from indexing.linalg import pair_percentile, unit_rows
from indexing.progress import Progress, no_progress
from indexing.text import words


class Doc2VecMethod:
    """Doc2Vec DM or DBOW: one vector per document."""

    unit = "document"
    layers: tuple[str, ...] = ()
    index_kind: str | None = None
    document_frequency = None  # unknown words: it refuses the query itself

    def __init__(self, name: str, model: Doc2VecModel) -> None:
        self.name = name
        self.model = model
        self.label = "Doc2Vec DM" if model.config.dm else "Doc2Vec DBOW"
        self.dim = model.dim
        self.config = model.config
        wv = model.model.wv
        # Doc2Vec word vectors share a common direction (DM's random pairs are
        # far from orthogonal: bench/results/decisions.md); removing the mean makes
        # cosine tell related words from unrelated ones.
        self._word_mean = wv.vectors.mean(axis=0) if len(wv) else np.zeros(wv.vector_size, np.float32)
        self.related_threshold = self._random_pair_percentile(99.0)

    def encode_documents(self, documents: list[StoredDocument],
                         sentences: Mapping[int, list[Sentence]] | None = None) -> tuple[np.ndarray, np.ndarray]:
        ids = np.array([d.id for d in documents], dtype=np.int64)
        vectors = self.model.encode_documents(documents)
        if not self.hub_weight:
            return ids, vectors
        radii = hub_radii(unit_rows(vectors), self.model.pseudo_queries, self.config.hub_neighbours)
        return ids, shrunk(vectors, radii, self.hub_weight)

    @property
    def hub_weight(self) -> float:
        """The weight of the hub penalty its documents are scaled by
        (indexing/hubness.py); 0 for a model saved before there were
        pseudo-queries to measure it against."""
        return self.config.hub_penalty if self.model.pseudo_queries is not None else 0.0

    def encode_query(self, text: str, layer_weights: Sequence[float] | None = None) -> np.ndarray:
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


def doc2vec_trainer(name: str, default: Doc2VecConfig):
    """The registry's trainer of method `name` (dm or dbow), `default` its config."""

    def train(documents: list[StoredDocument], on_progress: Progress = no_progress,
              config: Doc2VecConfig | None = None) -> Doc2VecMethod:
        config = default if config is None else config
        if not isinstance(config, Doc2VecConfig):
            raise TypeError(f"the {name} method takes a Doc2VecConfig, not {type(config).__name__}")
        return Doc2VecMethod(name, Doc2VecModel.train(TaggedCorpus(documents), config, on_progress))

    return train


def load_doc2vec(name: str, directory: Path) -> Doc2VecMethod:
    return Doc2VecMethod(name, Doc2VecModel.load(directory))
