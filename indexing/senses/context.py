"""Topical context bags: what the words around an occurrence are about.

A word's sense shows in the words around it ("bank" near "river", "flood"
vs near "loan", "rates"). A context bag is the idf-weighted mean of the unit
word2vec vectors of the content words within ``window`` tokens of an
occurrence (the word itself left out). The word2vec model (gensim,
skip-gram) is trained on the indexed corpus itself.

Why both views: our small biLM knows syntax better than topic, and on
CoarseWSD-20 these bags tell senses apart better than its vectors alone;
`python -m bench senses` measures each view and their mix
(bench/results/senses.md has the current figures). `sense_features` joins
the two views into what an occurrence's sense is read from.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexing.linalg import unit_rows
from indexing.text import is_content_word

FILE = "context.kv"


@dataclass(frozen=True)
class ContextConfig:
    vector_size: int = 100
    window: int = 5  # word2vec's training window
    bag_window: int = 10  # words each side of an occurrence that make its bag
    min_count: int = 2
    epochs: int = 5
    seed: int = 0


class ContextBags:
    def __init__(self, vectors, config: ContextConfig) -> None:
        self.vectors = vectors  # gensim KeyedVectors, rows unit-normalised
        self.config = config
        self.dim = vectors.vector_size

    @classmethod
    def train(cls, sentences: Iterable[list[str]], config: ContextConfig = ContextConfig()) -> ContextBags:
        from gensim.models import Word2Vec

        corpus = [s for s in sentences if s]
        model = Word2Vec(corpus, vector_size=config.vector_size, window=config.window, min_count=config.min_count,
                         sg=1, epochs=config.epochs, seed=config.seed, workers=1)
        vectors = model.wv
        vectors.fill_norms()
        vectors.vectors = vectors.get_normed_vectors()
        return cls(vectors, config)

    def bags(self, words: Sequence[str], positions: Sequence[int], idf: Mapping[str, float] | None = None,
             default_idf: float = 1.0) -> np.ndarray:
        """Context bags ``(len(positions), dim)`` of the words at ``positions``
        of one sentence ``words``; zero where no neighbour is known."""
        if not len(positions):
            return np.zeros((0, self.dim), dtype=np.float32)
        # One matrix product per sentence: rows are the occurrences, columns the
        # sentence's words; a weight where the word is a known content word in
        # the occurrence's window and is not the occurrence's own word.
        weights = np.array([(idf.get(w, default_idf) if idf is not None else 1.0)
                            if w in self.vectors.key_to_index and is_content_word(w) else 0.0 for w in words],
                           dtype=np.float32)  # (n,)
        rows = np.asarray(positions)[:, None]  # (p, 1)
        columns = np.arange(len(words))[None, :]  # (1, n)
        ids = np.unique(np.asarray(words, dtype=object), return_inverse=True)[1].reshape(-1)
        near = (np.abs(columns - rows) <= self.config.bag_window) & (ids[None, :] != ids[rows])  # (p, n)
        mix = near * weights  # (p, n)
        known = np.flatnonzero(weights)
        out = np.zeros((len(positions), self.dim), dtype=np.float32)
        if len(known):
            out = mix[:, known] @ self.vectors.vectors[[self.vectors.key_to_index[words[j]] for j in known]]
        total = mix.sum(axis=1, keepdims=True)
        return np.divide(out, total, out=np.zeros_like(out), where=total > 0).astype(np.float32)

    def word_vectors(self, words: Sequence[str]) -> np.ndarray:
        """Unit word2vec vectors ``(len(words), dim)``; zero for unknown words."""
        out = np.zeros((len(words), self.dim), dtype=np.float32)
        known = [(row, self.vectors.key_to_index[w]) for row, w in enumerate(words) if w in self.vectors.key_to_index]
        if known:
            rows, ids = zip(*known)
            out[list(rows)] = self.vectors.vectors[list(ids)]
        return out

    def save(self, directory: Path) -> None:
        self.vectors.save(str(directory / FILE))

    @classmethod
    def load(cls, directory: Path, config: ContextConfig) -> ContextBags:
        from gensim.models import KeyedVectors

        return cls(KeyedVectors.load(str(directory / FILE)), config)


def sense_features(vectors: np.ndarray, bags: np.ndarray, space_mean: np.ndarray, context_weight: float) -> np.ndarray:
    """``[sqrt(1 - w) * unit(vector - mean), sqrt(w) * unit(bag)]`` per row."""
    contextual = unit_rows(np.atleast_2d(vectors) - space_mean) if len(vectors) else np.atleast_2d(vectors)
    topical = unit_rows(bags) if len(bags) else bags
    return np.concatenate([math.sqrt(1 - context_weight) * contextual, math.sqrt(context_weight) * topical],
                          axis=1).astype(np.float32)
