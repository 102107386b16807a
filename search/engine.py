"""The search engine: encode a query with each method, find the nearest
documents in its FAISS index, and attach the passage that matched.

Consumes a loaded `indexing.index.Index`; produces ranked `Hit`s. Safe to
share between threads (Streamlit sessions): all state lives in the Index.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from indexing.documents import Sentence, Span, StoredDocument
from indexing.errors import InvalidQueryError, SenseSearchError
from indexing.generation import Generation
from indexing.index import Index
from indexing.text import tokenize
from search.explain import Explainer
from search.hits import Hit
from search.passages import best_passage

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 1000
MAX_K = 100
SENTENCE_FANOUT = 10  # sentence-level methods fetch k * this many sentences to fill k documents
EXPLAINING_METHOD = "senses"  # the method whose sense inventory explains every method's hits


def check_query(query: str) -> str:
    """The query stripped; raises InvalidQueryError if it is unusable."""
    if not isinstance(query, str) or not query.strip():
        raise InvalidQueryError("Type a query: it is empty.")
    query = query.strip()
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidQueryError(f"The query has {len(query)} characters; keep it under {MAX_QUERY_CHARS}.")
    if not tokenize(query):
        raise InvalidQueryError(f"The query {query!r} has no words to search for.")
    return query


class SearchEngine:
    """Answers queries over one Index. Every query reads one snapshot of the
    index (`Index.snapshot()`), so an upload or retrain in another thread
    changes the next query's answer, never half of this one's."""

    def __init__(self, index: Index) -> None:
        self.index = index

    @property
    def methods(self) -> list[str]:
        return list(self.index.methods)

    def search(self, query: str, method: str = "dbow", k: int = 10, passages: bool = True,
               layer_weights: Sequence[float] | None = None) -> list[Hit]:
        """The k documents nearest to `query` by `method`, best first.
        `layer_weights` (one per biLM layer) re-weigh ELMo's layers for this
        query; other methods ignore them.

        Raises InvalidQueryError for an unusable query and SenseSearchError for
        an unknown method.
        """
        query = check_query(query)
        live = self.index.snapshot()
        explain = self._explainer(live, query) if passages else None
        return self._search(live, query, method, k, passages, layer_weights, explain)

    def search_all(self, query: str, methods: list[str] | None = None, k: int = 10,
                   layer_weights: Sequence[float] | None = None) -> dict[str, list[Hit] | str]:
        """Each method's hits, or the message of the error it raised; every
        method answers from the same snapshot of the index."""
        query = check_query(query)
        live = self.index.snapshot()
        explain = self._explainer(live, query)
        results: dict[str, list[Hit] | str] = {}
        for name in methods or list(live.methods):
            try:
                results[name] = self._search(live, query, name, k, True, layer_weights, explain)
            except SenseSearchError as error:
                results[name] = str(error)
        return results

    @staticmethod
    def _explainer(live: Generation, query: str) -> Explainer | None:
        """Contextual, sense-aware highlights when the index has a sense inventory."""
        senses = live.methods.get(EXPLAINING_METHOD)
        return Explainer(senses, query) if senses is not None else None

    def _search(self, live: Generation, query: str, method: str, k: int, passages: bool,
                layer_weights: Sequence[float] | None, explain: Explainer | None) -> list[Hit]:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= MAX_K:
            raise InvalidQueryError(f"Ask for between 1 and {MAX_K} results, not {k!r}.")
        k = int(k)
        encoder = live.method(method)
        vector = (encoder.encode_query(query, layer_weights) if getattr(encoder, "layers", ())
                  else encoder.encode_query(query))
        best_sentence: dict[int, int] = {}
        if encoder.unit == "sentence":
            scores, ids = live.search(method, vector, k * SENTENCE_FANOUT)
            scores, ids, best_sentence = _best_per_document(
                scores, ids, self.index.store.sentence_documents(ids.tolist()), k)
        else:
            scores, ids = live.search(method, vector, k)
        query_tokens = tokenize(query)
        hits, shown = [], {}  # shown: doc id -> (document, the sentence its passage comes from, the passage)
        for score, doc_id in zip(scores.tolist(), ids.tolist()):
            document = self.index.store.get(doc_id)
            if document is None:  # deleted after this snapshot was taken
                continue
            rank = len(hits) + 1
            passage = None
            if passages:
                sentences = self.index.store.sentences(doc_id)
                sentence = self.index.store.sentence(best_sentence[doc_id]) if doc_id in best_sentence else None
                passage = best_passage(document, sentences, query_tokens, encoder, sentence)
                if passage is not None:
                    shown[doc_id] = (document, next(s for s in sentences if s.start <= passage.start < s.end),
                                     Span(passage.start, passage.end))
            hits.append(Hit(rank, doc_id, document.title, round(float(score), 4), method, document.source, passage))
        return self._explained(hits, shown, explain) if explain is not None else hits

    @staticmethod
    def _explained(hits: list[Hit], shown: dict[int, tuple[StoredDocument, Sentence, Span]],
                   explain: Explainer) -> list[Hit]:
        """Replace each passage's word-vector highlights with sense-aware ones;
        the occurrences read in context are encoded in one batch."""
        explain.prefetch(list(shown.values()))
        explained = []
        for hit in hits:
            if hit.doc_id in shown:
                hit = replace(hit, passage=replace(hit.passage, highlights=explain(*shown[hit.doc_id])))
            explained.append(hit)
        return explained


def _best_per_document(scores: np.ndarray, sentence_ids: np.ndarray, documents: dict[int, int],
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
