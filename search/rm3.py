"""RM3 query expansion for the product's BM25 (relevance models: Lavrenko &
Croft, 2001, "Relevance-Based Language Models"; RM3, the relevance model
mixed with the query: Abdul-Jaleel et al., 2004, "UMass at TREC 2004").
BM25 ranks once; the terms that weigh most in its first documents, each
weighted by how well BM25 scored the documents that hold it, join the
query; BM25 ranks again with the weighted query. So "erosion" also finds
the documents about river banks and floods that never say "erosion".

Consumes a query's terms, BM25's first ranking (scores (n,), store ids
(n,), best first), the stored text of its first documents and the BM25
index; produces the expanded ranking, scores (n,) and store ids (n,). The
terms are the index's own (`indexing.text.terms`, the analyser BM25
indexed the documents with), and the scores are the index's
(`BM25Index.search_weighted`): no second analyser, index or idf.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from indexing.bm25 import BM25Index
from indexing.text import terms


@dataclass(frozen=True)
class RM3Config:
    """RM3's parameters: Anserini's (and Pyserini's) defaults, which the
    benchmark's RM3 baseline uses too (bench/retrievers.py). They were not
    tuned on our collections."""

    # BM25's first documents that form the relevance model.
    feedback_documents: int = 10
    # The relevance model's heaviest terms that join the query.
    feedback_terms: int = 10
    # The original query's share of the expanded query's weight; the
    # expansion terms share the rest.
    query_weight: float = 0.5
    # Each feedback document is read up to this many characters (about 1,500
    # words; CISI's and NFCorpus's documents are a few thousand at most), so
    # that a long upload (a book as one PDF) cannot make a query slow: its
    # opening stands for it. Analysing the text costs more than scoring.
    max_chars: int = 10_000

    def __post_init__(self) -> None:
        if not 0.0 <= self.query_weight <= 1.0:
            raise ValueError(f"query_weight must lie in [0, 1], not {self.query_weight}")
        if self.feedback_documents < 1 or self.feedback_terms < 1 or self.max_chars < 1:
            raise ValueError("need feedback_documents, feedback_terms and max_chars >= 1, not "
                             f"{self.feedback_documents}, {self.feedback_terms}, {self.max_chars}")


RM3_CONFIG = RM3Config()
_LAST_WORD = re.compile(r"\S+$")


def feedback_terms(text: str, max_chars: int, language: str = "english") -> list[str]:
    """The BM25 terms of the opening `max_chars` characters of `text` (a
    word cut by the limit is left out, as it is no term of the index)."""
    if len(text) > max_chars:
        cut_inside_a_word = not text[max_chars].isspace()
        text = _LAST_WORD.sub("", text[:max_chars]) if cut_inside_a_word else text[:max_chars]
    return terms(text, language)


def relevance_model(feedback: list[tuple[float, list[str]]], n_terms: int) -> dict[str, float]:
    """RM1 over the feedback documents, each (its BM25 score, its terms):
    P(t | R) ~ sum over documents of score * tf(t, d) / |d|; its `n_terms`
    heaviest terms (ties by term), weights summing to 1. Empty when no
    document has a term."""
    weights: Counter[str] = Counter()
    for score, document in feedback:
        for term, count in Counter(document).items():
            weights[term] += score * count / len(document)
    heaviest = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:n_terms]
    mass = sum(weight for _term, weight in heaviest)
    return {term: weight / mass for term, weight in heaviest} if mass > 0 else {}


def expanded_query(query: list[str], feedback: list[tuple[float, list[str]]],
                   config: RM3Config = RM3_CONFIG) -> dict[str, float]:
    """RM3's weighted query: the query's terms (each weighted by its share
    of the query) times `config.query_weight`, plus the relevance model's
    terms times the rest; the weights sum to 1. Without feedback (no
    document, or no term in them) the query's terms alone, summing to 1."""
    if not query:
        return {}
    original = {term: count / len(query) for term, count in Counter(query).items()}
    expansion = relevance_model(feedback, config.feedback_terms)
    if not expansion:
        return original
    weights: Counter[str] = Counter({t: config.query_weight * w for t, w in original.items()})
    for term, weight in expansion.items():
        weights[term] += (1.0 - config.query_weight) * weight
    return dict(weights)


def rm3_query(index: BM25Index, query: list[str], first: tuple[np.ndarray, np.ndarray],
              documents: Mapping[int, list[str]], config: RM3Config = RM3_CONFIG) -> dict[str, float]:
    """RM3's weighted query (term -> weight, `expanded_query`) for `query`
    (its BM25 terms), from BM25's ranking `first` for them (scores (n,) and
    store ids (n,), best first) and `documents` (store id -> `feedback_terms`
    of at least its first `config.feedback_documents`; one deleted since is
    skipped). Empty when no document holds a query term."""
    query = index.known(query)  # a term no document holds would only dilute the others' weights
    scores, ids = first
    top = [(float(s), i) for s, i in zip(scores[: config.feedback_documents].tolist(),
                                         ids[: config.feedback_documents].tolist()) if i in documents]
    return expanded_query(query, [(s, documents[i]) for s, i in top if documents[i]], config)


def rm3_search(index: BM25Index, weights: Mapping[str, float], k: int) -> tuple[np.ndarray, np.ndarray]:
    """BM25 again with RM3's weighted query (`rm3_query`): scores (k',)
    float32 and store ids (k',) int64, k' <= k; empty for an empty query."""
    if not weights:
        return np.empty(0, dtype=np.float32), np.empty(0, dtype=np.int64)
    found_scores, found_ids = index.search_weighted(weights, k)
    return found_scores[0], found_ids[0]
