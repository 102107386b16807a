"""The sense inventory of a corpus: for each frequent content word, its senses
(clusters of its contextual vectors), each labelled so a person recognises it:
the neighbouring words most characteristic of the sense, and an example.

Consumes occurrences (word, contextual vector, neighbouring words, sentence)
gathered by ``OccurrenceSample``; produces a ``SenseInventory`` that assigns
any new occurrence of a known word to its nearest sense, and saves to
``senses.json`` + ``senses.npz``.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from indexing.senses.cluster import Clusters, assign, centred, cluster_senses

LABEL_WORDS = 4
EXAMPLE_CHARS = 220


@dataclass(frozen=True)
class Sense:
    word: str
    index: int  # 0 is the most frequent sense
    count: int  # occurrences in the sample that built the inventory
    label: tuple[str, ...]  # the neighbouring words most characteristic of this sense
    example: str  # a sentence close to the sense's centre
    example_span: tuple[int, int]  # the word's offsets in `example`

    @property
    def name(self) -> str:
        """"bank (river, water, flood)": how the UI names a sense."""
        return f"{self.word} ({', '.join(self.label[:3])})" if self.label else self.word


@dataclass
class _Word:
    mean: np.ndarray  # (d,)
    centroids: np.ndarray  # (k, d)
    senses: list[Sense]
    silhouette: float


class OccurrenceSample:
    """Up to ``per_word`` occurrences of every word (reservoir sampling, so a
    word's sample is uniform over the corpus), plus each word's total count."""

    def __init__(self, per_word: int, seed: int = 0) -> None:
        self.per_word = per_word
        self.counts: Counter[str] = Counter()
        self.vectors: dict[str, list[np.ndarray]] = {}
        self.contexts: dict[str, list[tuple[str, ...]]] = {}
        self.examples: dict[str, list[tuple[str, int, int]]] = {}
        self._rng = np.random.default_rng(seed)

    def add(self, word: str, vector: np.ndarray, context: tuple[str, ...], example: tuple[str, int, int]) -> None:
        self.counts[word] += 1
        n = self.counts[word]
        if n <= self.per_word:
            self.vectors.setdefault(word, []).append(vector.astype(np.float16))
            self.contexts.setdefault(word, []).append(context)
            self.examples.setdefault(word, []).append(example)
            return
        slot = int(self._rng.integers(0, n))
        if slot < self.per_word:
            self.vectors[word][slot] = vector.astype(np.float16)
            self.contexts[word][slot] = context
            self.examples[word][slot] = example


class SenseInventory:
    def __init__(self, words: dict[str, _Word]) -> None:
        self._words = words

    def __contains__(self, word: str) -> bool:
        return word in self._words

    def __len__(self) -> int:
        return len(self._words)

    def words(self) -> list[str]:
        return sorted(self._words)

    def ambiguous_words(self) -> list[str]:
        return sorted(w for w, entry in self._words.items() if len(entry.senses) > 1)

    def senses(self, word: str) -> list[Sense]:
        return list(self._words[word].senses) if word in self._words else []

    def assign(self, word: str, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Sense index and cosine to its centre per row of ``vectors`` (n, d),
        or None for a word the inventory does not know."""
        entry = self._words.get(word)
        if entry is None:
            return None
        return assign(np.atleast_2d(vectors), entry.mean, entry.centroids)

    def assign_part(self, word: str, vectors: np.ndarray, part: slice) -> np.ndarray | None:
        """Sense index per row of ``vectors`` (n, d), read from the features
        in ``part`` alone (e.g. the context bag), or None for an unknown word."""
        entry = self._words.get(word)
        if entry is None:
            return None
        centroids = entry.centroids[:, part]
        centroids = centroids / np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-8)
        return assign(np.atleast_2d(vectors)[:, part], entry.mean[part], centroids)[0]

    def split_gain(self, word: str) -> float:
        """How clearly the word's occurrences fell into its senses: the
        silhouette gain over structureless data (0.0 for one sense or an
        unknown word; see cluster.py)."""
        entry = self._words.get(word)
        return float(entry.silhouette) if entry is not None and len(entry.senses) > 1 else 0.0

    def centred(self, word: str, vectors: np.ndarray) -> np.ndarray:
        """Rows of ``vectors`` in the space the word's senses were clustered in."""
        return centred(np.atleast_2d(vectors), self._words[word].mean)

    @classmethod
    def build(cls, sample: OccurrenceSample, min_count: int, max_senses: int, min_silhouette: float,
              document_frequency: Counter[str], n_documents: int, seed: int = 0,
              max_words: int | None = None, on_progress=None, min_documents: int = 1) -> SenseInventory:
        """Senses for the ``max_words`` most frequent words seen ``min_count``
        times in at least ``min_documents`` documents (a word that only one
        article uses, "aardvark", has its senses split by nothing but noise)."""
        frequent = [w for w, n in sorted(sample.counts.items(), key=lambda item: (-item[1], item[0]))
                    if n >= min_count and document_frequency.get(w, 0) >= min_documents][:max_words]
        words = {}
        for done, word in enumerate(frequent, 1):
            if on_progress is not None and done % 50 == 0:
                on_progress(done, len(frequent))
            vectors = np.stack(sample.vectors[word]).astype(np.float32)
            clusters = cluster_senses(vectors, max_senses, min_silhouette, seed=seed)
            senses = _label(word, clusters, vectors, sample.contexts[word], sample.examples[word],
                            document_frequency, n_documents)
            words[word] = _Word(clusters.mean, clusters.centroids, senses, clusters.silhouette)
        return cls(words)

    def save(self, directory: Path) -> None:
        order = sorted(self._words)
        meta = {w: {"silhouette": self._words[w].silhouette,
                    "senses": [asdict(s) for s in self._words[w].senses]} for w in order}
        (directory / "senses.json").write_text(json.dumps(meta))
        arrays = {"means": np.stack([self._words[w].mean for w in order]) if order else np.zeros((0, 0)),
                  "centroids": (np.concatenate([self._words[w].centroids for w in order])
                                if order else np.zeros((0, 0)))}
        np.savez(directory / "senses.npz", **arrays)

    @classmethod
    def load(cls, directory: Path) -> SenseInventory:
        meta = json.loads((directory / "senses.json").read_text())
        with np.load(directory / "senses.npz") as arrays:
            means, centroids = arrays["means"].astype(np.float32), arrays["centroids"].astype(np.float32)
        words, row = {}, 0
        for i, (word, entry) in enumerate(meta.items()):
            senses = [Sense(**{**s, "label": tuple(s["label"]), "example_span": tuple(s["example_span"])})
                      for s in entry["senses"]]
            words[word] = _Word(means[i], centroids[row : row + len(senses)], senses, entry["silhouette"])
            row += len(senses)
        return cls(words)


def _label(word: str, clusters: Clusters, vectors: np.ndarray, contexts: list[tuple[str, ...]],
           examples: list[tuple[str, int, int]], document_frequency: Counter[str], n_documents: int) -> list[Sense]:
    """Name each sense by the neighbours that are frequent in it and rarer in
    the word's other senses (and in the corpus), and pick as example the
    occurrence nearest its centre."""
    k = len(clusters.centroids)
    overall = Counter(w for context in contexts for w in set(context))
    closeness = (centred(vectors, clusters.mean) * clusters.centroids[clusters.labels]).sum(axis=1)
    senses = []
    for j in range(k):
        members = np.flatnonzero(clusters.labels == j)
        inside = Counter(w for i in members for w in set(contexts[i]))
        def score(w: str) -> float:
            idf = math.log((n_documents + 1) / (document_frequency.get(w, 0) + 1)) + 1.0
            if k == 1:
                return inside[w] * idf
            return inside[w] * math.log((inside[w] + 0.5) / len(members) / ((overall[w] + 0.5) / len(contexts))) * idf
        label = tuple(w for w in sorted(inside, key=lambda w: (-score(w), w))
                      if w != word and inside[w] >= min(2, len(members)))[:LABEL_WORDS]
        text, start, end = examples[int(members[np.argmax(closeness[members])])]
        senses.append(Sense(word, j, len(members), label, *_trim(text, start, end)))
    return senses


def _trim(text: str, start: int, end: int) -> tuple[str, tuple[int, int]]:
    """About EXAMPLE_CHARS of ``text`` around ``[start, end)``, cut between
    words ("…" where text was left out), with the word's new offsets."""
    if len(text) <= EXAMPLE_CHARS:
        return text, (start, end)
    lo = max(0, min(start - EXAMPLE_CHARS // 3, len(text) - EXAMPLE_CHARS))
    hi = lo + EXAMPLE_CHARS
    if lo > 0 and not text[lo - 1].isspace():  # never start inside a word
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else start
    if hi < len(text) and not text[hi].isspace():  # nor end inside one
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else max(hi, end)
    piece = text[lo:hi]
    lead = len(piece) - len(piece.lstrip())
    prefix, suffix = ("… " if lo > 0 else ""), (" …" if hi < len(text) else "")
    shift = len(prefix) - lo - lead
    return prefix + piece.strip() + suffix, (start + shift, end + shift)
