"""Topical context bags for word-sense induction (``python -m bench.senses_eval
--features context|both``).

Consumes tokenised sentences (the corpus, no labels) and target occurrences
(``bench.elmo_eval.Occurrence``); produces one float32 vector per occurrence:
the idf-weighted mean of the word2vec vectors of the content words within
``BAG_WINDOW`` tokens of the target, centred on the mean bag of that word's
occurrences and unit-normalised. Content words: lower-cased, alphabetic (inner
``-'’.`` allowed), at least 2 characters, not a function word (``indexing.stopwords``), not
the target itself, and in the word2vec vocabulary. Word vectors are taken unit
length before averaging, so the idf weights, not word frequency through the
vector norms, set each word's share. This mirrors what the product could do:
word2vec trained unsupervised on the user's own corpus.
"""
from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from bench.elmo_eval import Occurrence
from indexing.linalg import unit_rows

logger = logging.getLogger(__name__)

BAG_WINDOW = 10
WORD2VEC = {"sg": 1, "vector_size": 100, "window": 5, "min_count": 2, "epochs": 10, "workers": 1, "seed": 0}
_CONTENT = re.compile(r"[^\W\d_]{2,}(?:[-'’.][^\W\d_]+)*|[^\W\d_](?:[-'’.][^\W\d_]+)+")


def lower(sentences: Iterable[Sequence[str]]) -> list[list[str]]:
    return [[t.lower() for t in s] for s in sentences]


def train_word2vec(sentences: list[list[str]]):
    """gensim Word2Vec (``WORD2VEC`` settings) on lower-cased token lists."""
    from gensim.models import Word2Vec

    model = Word2Vec(sentences=sentences, **WORD2VEC)
    logger.info("word2vec: %d sentences, vocabulary %d", len(sentences), len(model.wv))
    return model


def sentence_idf(sentences: list[list[str]]) -> dict[str, float]:
    """log(N / df) with df counted over sentences."""
    df = Counter(w for s in sentences for w in set(s))
    n = len(sentences)
    return {w: math.log(n / c) for w, c in df.items()}


def is_content(token: str) -> bool:
    from indexing.stopwords import ENGLISH_STOP_WORDS as STOPWORDS

    return token not in STOPWORDS and _CONTENT.fullmatch(token) is not None


def raw_bag(occurrence: Occurrence, target: str, wv, idf: dict[str, float]) -> np.ndarray | None:
    """The idf-weighted mean unit word vector of the content words around the
    target, or None when there is none."""
    tokens = [t.lower() for t in occurrence.tokens]
    i = occurrence.index
    skip = {target.lower(), tokens[i]}
    around = tokens[max(0, i - BAG_WINDOW):i] + tokens[i + 1:i + 1 + BAG_WINDOW]
    words = [w for w in around if w not in skip and w in wv.key_to_index and is_content(w)]
    if not words:
        return None
    weights = np.array([idf.get(w, 0.0) for w in words], dtype=np.float32)
    if weights.sum() <= 0:
        return None
    vectors = np.stack([wv.get_vector(w, norm=True) for w in words])
    return (weights[:, None] * vectors).sum(axis=0) / weights.sum()


def context_bags(groups: dict[str, list[Occurrence]], wv, idf: dict[str, float]) -> tuple[dict[str, np.ndarray], int]:
    """Per word (the key, also the target dropped from its bags): unit rows of
    bag - the word's mean bag, float32 ``(n, dim)``; an occurrence without a
    content word gets a zero row. Also the number of such empty bags."""
    out, empty = {}, 0
    for word, occurrences in groups.items():
        bags = [raw_bag(o, word, wv, idf) for o in occurrences]
        present = [b for b in bags if b is not None]
        empty += len(bags) - len(present)
        mean = np.mean(present, axis=0) if present else np.zeros(wv.vector_size, dtype=np.float32)
        rows = np.stack([b - mean if b is not None else np.zeros_like(mean) for b in bags]).astype(np.float32)
        out[word] = unit_rows(rows)
    return out, empty


def centred_unit(vectors: np.ndarray) -> np.ndarray:
    """Unit rows of ``vectors`` minus their mean (one word's occurrences)."""
    return unit_rows(vectors - vectors.mean(axis=0))


def combined(elmo: np.ndarray, bags: np.ndarray) -> np.ndarray:
    """[unit centred ELMo, unit bag] / sqrt(2): both halves weigh the same."""
    return np.concatenate([centred_unit(elmo), bags], axis=1) / np.float32(math.sqrt(2))
