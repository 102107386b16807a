"""A method's run of document ids cut to what a query asks for: searched
as deep as the documents it may show need (`search_depth`), over those
documents (`within`), without the uploads a Doc2Vec model cannot place yet
(`dense_search`, search/uploads.py; BM25's by `keyword_run`), and, for
sentence-level methods, one entry per document (`best_per_document`); and
the runs the Hybrid and Senses columns fuse (`hybrid_runs`), and the Senses
column's ranking (`sense_run`). Runs are scores (n,) and store ids (n,),
best first. Split from search/engine.py, which calls them.
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from indexing.errors import InvalidQueryError
from indexing.generation import Generation
from indexing.methods import LEXICAL
from indexing.store import DocumentStore
from search.analysed import DocumentAnalyses
from search.explain import Explainer
from search.hybrid import HybridConfig, dense_run, feedback_query, fuse_runs, offers_hybrid
from search.rm3 import rm3_query, rm3_search
from search.sense_rank import DEPTH as SENSE_DEPTH
from search.sense_rank import TEMPERATURE, by_sense_probability, fused_term_scores, weighed_words
from search.uploads import inferred_count, unplaced_uploads


def search_depth(live: Generation, method: str, depth: int, allowed: frozenset[int] | None) -> int:
    """How many rows to ask `method`'s index for: `depth`, or every row when
    only the `allowed` documents count (any of them may rank last)."""
    return depth if allowed is None else max(depth, len(live.vectors[method]))


def dense_search(live: Generation, method: str, vector: np.ndarray, query: str, k: int,
                 allowed: frozenset[int] | None) -> tuple[np.ndarray, np.ndarray]:
    """The k best documents of a document-level vector method for `query`
    (encoded as `vector`), without the uploads it cannot place yet
    (search/uploads.py): scores (n,) and store ids (n,), n <= k.

    Every upload since training might be held back, so the exact depth is k
    plus their number; it grows with each upload until a retrain. Searched
    first with room for k held back, four times deeper each time too few
    are left, up to that bound: the same k documents, at the cost of k
    unless more than k uploads crowd the top."""
    bound = k + inferred_count(live, method)
    whole = min(bound, len(live.vectors[method]))
    depth = min(bound, 2 * k)
    while True:
        asked = search_depth(live, method, depth, allowed)
        scores, ids = live.search(method, vector, asked)
        unplaced = unplaced_uploads(live, method, query, ids)
        keep = ~np.isin(ids, np.fromiter(unplaced, dtype=np.int64, count=len(unplaced)))
        run = within((scores[keep], ids[keep]), allowed, k)
        if len(run[1]) == k or len(ids) < asked or asked >= whole:
            return run
        depth = min(bound, 4 * asked)


def keyword_run(live: Generation, query: str, k: int, allowed: frozenset[int] | None,
                terms: list[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """BM25's k best documents for `query` (its `terms`, when already read):
    scores (n,) and store ids (n,); raises InvalidQueryError when the query
    has only stop words or none of its words occurs in the documents."""
    terms = live.method(LEXICAL).encode_query(query) if terms is None else terms
    scores, ids = dense_search(live, LEXICAL, terms, query, k, allowed)
    if not len(ids):
        raise InvalidQueryError(f"None of the words of {query!r} occur in the documents.")
    return scores, ids


def within(run: tuple[np.ndarray, np.ndarray], allowed: frozenset[int] | None,
           k: int) -> tuple[np.ndarray, np.ndarray]:
    """The first k rows of a run (scores (n,), store ids (n,)) whose ids are `allowed`."""
    scores, ids = run
    if allowed is not None:
        keep = np.isin(ids, np.fromiter(allowed, dtype=np.int64, count=len(allowed)))
        scores, ids = scores[keep], ids[keep]
    return scores[:k], ids[:k]


def best_per_document(scores: np.ndarray, sentence_ids: np.ndarray, documents: dict[int, int],
                      k: int) -> tuple[np.ndarray, np.ndarray, dict[int, int]]:
    """A document's score is that of its best sentence; keep the top k, and
    each one's best sentence id."""
    best: dict[int, tuple[float, int]] = {}
    for score, sid in zip(scores.tolist(), sentence_ids.tolist()):
        doc = documents.get(sid)
        if doc is not None and score > best.get(doc, (-np.inf, 0))[0]:
            best[doc] = (score, sid)
    top = sorted(best.items(), key=lambda item: -item[1][0])[:k]
    return (np.array([s for _, (s, _) in top], dtype=np.float32), np.array([d for d, _ in top], dtype=np.int64),
            {d: sid for d, (_, sid) in top})


def hybrid_runs(live: Generation, store: DocumentStore, analyses: DocumentAnalyses, query: str, config: HybridConfig,
                allowed: frozenset[int] | None) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, float]]:
    """The runs the Hybrid ranking draws on (`SearchEngine.hybrid_runs`), and
    the config's keyword run's query: term -> weight (a plain BM25 query
    counts a term as often as the query has it; RM3's is its expanded query).
    Every dense method of ``config`` must be in ``live`` (`HybridConfig.within`)."""
    lexical = live.method(LEXICAL)
    terms = lexical.encode_query(query)
    depth = search_depth(live, LEXICAL, config.depth, allowed)
    runs = {LEXICAL: within(live.search(LEXICAL, terms, depth), allowed, config.depth)}
    keyword_query = dict(Counter(terms))
    if "rm3" in (config.lexical, config.feedback_from):
        top = runs[LEXICAL][1][: config.rm3.feedback_documents].tolist()
        feedback = {i: analyses.feedback_terms(document, config.rm3.max_chars, lexical.config.language)
                    for i, document in store.get_many(top).items()}
        expanded = rm3_query(live.vectors[LEXICAL], terms, runs[LEXICAL], feedback, config.rm3)
        runs["rm3"] = within(rm3_search(live.vectors[LEXICAL], expanded, depth), allowed, config.depth)
        keyword_query = expanded if config.lexical == "rm3" else keyword_query
    top = runs[config.feedback_from][1][: config.feedback_depth].tolist()
    unread = 0
    for method in config.dense_methods:
        dense = live.method(method)
        try:
            inferred = dense.encode_query(query)
        except InvalidQueryError:
            unread += 1
            inferred = None  # no query word in the method's vocabulary: the feedback alone places it
        feedback = live.vectors[method].vectors_of(top)
        if feedback is None:  # an IVF index keeps no vectors to give back: read them from the model
            feedback = dense.encode_documents(list(store.get_many(top).values()))[1]
        vector = feedback_query(inferred, feedback, config.query_weight)
        if vector is not None:
            runs[dense_run(method)] = dense_search(live, method, vector, query, config.depth, allowed)
    if unread == len(config.dense_methods) and not len(runs[LEXICAL][1]):  # no run can use it: say it as BM25 does
        raise InvalidQueryError(f"None of the words of {query!r} occur in the documents.")
    return runs, keyword_query


def sense_run(live: Generation, store: DocumentStore, analyses: DocumentAnalyses, query: str, k: int,
              explain: Explainer, config: HybridConfig, allowed: frozenset[int] | None,
              ) -> tuple[np.ndarray, np.ndarray, list[dict[str, int]], dict[int, str]]:
    """The Senses column's ranking: Hybrid's (BM25's in an index without
    Hybrid), its first documents weighed by the senses they use the
    query's words in (search/sense_rank.py); with each document's ranks
    in Hybrid's runs, as the Hybrid column gives them, and why the documents
    its readings moved down were moved."""
    bm25 = live.vectors[LEXICAL]
    if offers_hybrid(live.methods):
        runs, keyword_query = hybrid_runs(live, store, analyses, query, config, allowed)
        scores, ids, ranks = fuse_runs(runs, config, max(k, SENSE_DEPTH))
        term_scores = fused_term_scores(bm25.term_scores, keyword_query, runs[config.lexical],
                                        config.bm25_weight, config.norm)
    else:
        scores, ids = keyword_run(live, query, max(k, SENSE_DEPTH), allowed)
        ranks, term_scores = [], bm25.term_scores
    ranks_of = dict(zip(ids.tolist(), ranks))
    scores, ids, moved = by_sense_probability(
        scores, ids, [store.get(doc_id) for doc_id in ids[:SENSE_DEPTH].tolist()],
        weighed_words(explain.query_words(TEMPERATURE)), term_scores,
        lambda jobs: explain.occurrence_probabilities(jobs, lambda document: store.sentences(document.id)))
    return scores[:k], ids[:k], [ranks_of[i] for i in ids[:k].tolist()] if ranks else [], moved
