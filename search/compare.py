"""DM against DBOW on one query: how far the two Doc2Vec modes agree.

Consumes two rankings of the same query (document ids, best first, each as
deep as the engine lets a query go); produces a `Comparison`: how many of
the top k they share, Spearman's rank correlation over the documents
either puts in its top k (a document one of them ranks below its whole
list counts as ranked just below that list), and each document's rank in
both. DM predicts each next word from its context plus the document
vector; DBOW predicts the document's words from the document vector alone:
where they disagree, DM has weighed word order and local context, DBOW
the bag of words.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RankPair:
    doc_id: int
    rank_a: int | None  # 1-based; None: below the first ranking's whole list
    rank_b: int | None


@dataclass(frozen=True)
class Comparison:
    k: int
    shared: int  # documents in both top k
    spearman: float | None  # over the union of the two top k; None with fewer than 2 documents
    pairs: list[RankPair]  # the union of the two top k, by best rank in either


def compare_rankings(a: list[int], b: list[int], k: int) -> Comparison:
    """Compare rankings `a` and `b` (document ids, best first, each at least
    `k` long where the collection allows) on their top `k`."""
    rank_a = {doc: i for i, doc in enumerate(a, 1)}
    rank_b = {doc: i for i, doc in enumerate(b, 1)}
    union = list(dict.fromkeys(a[:k] + b[:k]))
    pairs = sorted((RankPair(doc, rank_a.get(doc), rank_b.get(doc)) for doc in union),
                   key=lambda p: min(p.rank_a or len(a) + 1, p.rank_b or len(b) + 1))
    shared = len(set(a[:k]) & set(b[:k]))
    if len(pairs) < 2:
        return Comparison(k, shared, None, pairs)
    x = np.array([p.rank_a or len(a) + 1 for p in pairs], dtype=np.float64)
    y = np.array([p.rank_b or len(b) + 1 for p in pairs], dtype=np.float64)
    return Comparison(k, shared, _spearman(x, y), pairs)


def _spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman's rho: Pearson's r of the ranks (ties share their mean rank)."""
    rx, ry = _ranks(x), _ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


def _ranks(values: np.ndarray) -> np.ndarray:
    order = values.argsort(kind="stable")
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.arange(1, len(values) + 1)
    for value in np.unique(values):  # ties: their mean rank
        tied = values == value
        ranks[tied] = ranks[tied].mean()
    return ranks
