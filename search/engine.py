"""The search engine: encode a query with each method, find the nearest
documents in its index (FAISS, or BM25's), fuse BM25 (or BM25 with RM3
expansion, search/rm3.py) with DBOW and DM for the Hybrid ranking
(search/hybrid.py), and attach the passage that matched.

Consumes a loaded `indexing.index.Index`; produces ranked `Hit`s. Safe to
share between threads (Streamlit sessions): the index's state lives in the
Index; the engine keeps only caches: the occurrences its explanations read
in context (search/occurrences.py) and the words of the documents its hits
show (search/analysed.py).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

import numpy as np

from indexing import korean
from indexing.documents import Sentence, Span, StoredDocument
from indexing.errors import InvalidQueryError, SenseSearchError, UnknownWordsError
from indexing.generation import Generation
from indexing.index import Index
from indexing.methods import EXPLAINING_METHOD, LEXICAL
from indexing.text import analysers, tokenize
from search.analysed import DocumentAnalyses
from search.explain import Explainer
from search.hits import Hit
from search.hybrid import HYBRID_CONFIG, HybridConfig, fuse_runs, offers_hybrid
from search.known import CollectionWords, require_a_known_word, with_retrain_hint
from search.meanings import QueryMeaning
from search.occurrences import OccurrenceReader
from search.passages import best_passage
from search.runs import best_per_document, dense_search, hybrid_runs, keyword_run, search_depth, sense_run
from search.sense_order import DEPTH as SENSE_ORDER_DEPTH
from search.sense_order import by_sense
from search.terms import mark_terms

logger = logging.getLogger(__name__)

# A pasted paragraph is a query too: CISI's dev queries (information needs
# written as paragraphs) run to thousands of characters. The bound keeps one
# query's biLM reading (a sentence at a time) well under a second
# (bench/results/decisions.md).
MAX_QUERY_CHARS = 5000
MAX_K = 100
SENTENCE_FANOUT = 10  # sentence-level methods fetch k * this many sentences to fill k documents
HYBRID = "hybrid"  # BM25 (with RM3 expansion), DBOW and DM fused at query time: no index of its own


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
        self._occurrences: OccurrenceReader | None = None
        self._occurrences_lock = threading.Lock()
        self._analyses = DocumentAnalyses()  # the words of documents that hits show, kept across queries
        korean.warm_up_in_background(index.store.holds_hangul)

    @property
    def methods(self) -> list[str]:
        """The methods this index answers, as the app shows them: Hybrid
        first, then BM25, then the others."""
        return available_methods(self.index.snapshot())

    def label(self, method: str) -> str:
        if method == HYBRID:
            return HYBRID_CONFIG.within(self.index.methods).label
        return self.index.method(method).label

    def search(self, query: str, method: str = HYBRID, k: int = 10, passages: bool = True,
               layer_weights: Sequence[float] | None = None, hybrid: HybridConfig = HYBRID_CONFIG,
               sources: Collection[str] = (), meanings: Mapping[str, str] | None = None) -> list[Hit]:
        """The k documents nearest to `query` by `method`, best first.
        `layer_weights` (one per biLM layer) re-weigh ELMo's layers for this
        query; `hybrid` sets the Hybrid ranking's fusion; other methods
        ignore them. `sources`, when given, keeps only documents from those
        sources (file names, uploads, corpus names: `sources()`), ranked as
        if the collection held nothing else. `meanings` maps query words to
        the senses the user means by them ("bank" -> "sloping land", the
        labels of `query_meanings`): the explanations' verdicts and the
        Senses column go by them instead of the page's reading.

        Raises InvalidQueryError for an unusable query and SenseSearchError for
        an unknown method.
        """
        query = check_query(query)
        live = self.index.snapshot()
        # The Senses column orders its first hits by their passages' verdicts.
        wanted = passages or method == EXPLAINING_METHOD or bool(meanings)
        explain = self._explainer(live, query, meanings) if wanted else None
        return self._search(live, query, method, k, passages, layer_weights, explain, hybrid,
                            self._allowed(sources))

    def search_all(self, query: str, methods: list[str] | None = None, k: int = 10,
                   layer_weights: Sequence[float] | None = None, hybrid: HybridConfig = HYBRID_CONFIG,
                   sources: Collection[str] = (), meanings: Mapping[str, str] | None = None,
                   ) -> dict[str, list[Hit] | str]:
        """Each method's hits, or the message of the error it raised; every
        method answers from the same snapshot of the index, over the
        documents of `sources` when given, with the query words' `meanings` (as `search`)."""
        query = check_query(query)
        live = self.index.snapshot()
        explain = self._explainer(live, query, meanings)
        allowed = self._allowed(sources)
        results: dict[str, list[Hit] | str] = {}
        for name in methods or available_methods(live):
            try:
                results[name] = self._search(live, query, name, k, True, layer_weights, explain, hybrid, allowed)
            except SenseSearchError as error:
                results[name] = str(error)
        return results

    def query_meanings(self, query: str, meanings: Mapping[str, str] | None = None) -> list[QueryMeaning]:
        """The query's words that the sense inventory gives two senses or
        more: the senses a user may say each means (`search`'s `meanings`),
        how the page reads it, and the user's choice among ``meanings``.
        None in an index without senses."""
        explain = self._explainer(self.index.snapshot(), check_query(query), meanings)
        return explain.meanings() if explain is not None else []

    def sources(self) -> dict[str, int]:
        """Each source of the stored documents -> its number of documents."""
        return self.index.store.sources()

    def _allowed(self, sources: Collection[str]) -> frozenset[int] | None:
        """The ids of the documents from `sources`; None (every document) when none is named."""
        return frozenset(self.index.store.ids_from(sources)) if sources else None

    def forget_readings(self) -> None:
        """Forget the occurrences read in context and the documents' words
        (benchmarks time cold reads)."""
        with self._occurrences_lock:
            self._occurrences = None
        self._analyses.forget()

    def _explainer(self, live: Generation, query: str, meanings: Mapping[str, str] | None = None) -> Explainer | None:
        """Contextual, sense-aware highlights when the index has a sense
        inventory, with the readings of earlier queries when they were read
        by the same senses (another generation's inventory starts afresh),
        and the query words' ``meanings`` the user chose."""
        senses = live.methods.get(EXPLAINING_METHOD)
        if senses is None:
            if meanings:
                raise InvalidQueryError("This index has no word senses, so a word's meaning cannot be set.")
            return None
        with self._occurrences_lock:
            if self._occurrences is None or self._occurrences.senses is not senses:
                self._occurrences = OccurrenceReader.with_general_inventory(senses)
            occurrences = self._occurrences
        return Explainer(senses, query, occurrences, self.index.store, meanings)

    def _search(self, live: Generation, query: str, method: str, k: int, passages: bool,
                layer_weights: Sequence[float] | None, explain: Explainer | None,
                hybrid: HybridConfig = HYBRID_CONFIG, allowed: frozenset[int] | None = None) -> list[Hit]:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= MAX_K:
            raise InvalidQueryError(f"Ask for between 1 and {MAX_K} results, not {k!r}.")
        k = int(k)
        by_verdicts = method == EXPLAINING_METHOD and explain is not None  # search/sense_order.py
        asked, k = k, max(k, SENSE_ORDER_DEPTH) if by_verdicts else k
        best_sentence: dict[int, int] = {}
        ranks: list[dict[str, int]] = []
        moved: dict[int, str] = {}  # the Senses column's documents its readings moved down: why
        if offers_hybrid(live.methods):
            hybrid = hybrid.within(live.methods)
        if method == HYBRID:
            scores, ids, ranks = self._hybrid(live, query, k, hybrid, allowed)
            encoder = live.method(hybrid.dense_methods[0])  # its word vectors choose the passage
        elif by_verdicts:
            scores, ids, ranks, moved = sense_run(live, self.index.store, self._analyses, query, k, explain,
                                                  hybrid, allowed)
            encoder = live.method(method)
        else:
            encoder = live.method(method)
            words = CollectionWords(encoder.document_frequency or {}, live)
            if encoder.document_frequency is not None:  # it reads any string (ELMo, senses): search/known.py
                require_a_known_word(query, words, encoder.label)
            try:
                vector = encoder.encode_query(query, layer_weights)
            except UnknownWordsError as error:
                raise with_retrain_hint(error, query, words) from None
            if encoder.unit == "sentence":
                scores, ids = live.search(method, vector, search_depth(live, method, k * SENTENCE_FANOUT, allowed))
                owners = self.index.store.sentence_documents(ids.tolist())
                if allowed is not None:
                    owners = {sid: doc for sid, doc in owners.items() if doc in allowed}
                scores, ids, best_sentence = best_per_document(scores, ids, owners, k)
            elif method == LEXICAL:
                scores, ids = keyword_run(live, query, k, allowed, vector)
            else:
                scores, ids = dense_search(live, method, vector, query, k, allowed)
        query_tokens = tokenize(query)
        hits, shown = [], {}  # shown: doc id -> (document, the sentence its passage comes from, the passage)
        for number, (score, doc_id) in enumerate(zip(scores.tolist(), ids.tolist())):
            document = self.index.store.get(doc_id)
            if document is None:  # deleted after this snapshot was taken
                continue
            rank = len(hits) + 1
            passage = None
            if passages or (by_verdicts and rank <= SENSE_ORDER_DEPTH):
                sentences = self.index.store.sentences(doc_id)
                sentence = self.index.store.sentence(best_sentence[doc_id]) if doc_id in best_sentence else None
                passage = best_passage(document, sentences, query_tokens, encoder, sentence,
                                       self._analyses.sentence_words)
                if passage is not None:
                    shown[doc_id] = (document, next(s for s in sentences if s.start <= passage.start < s.end),
                                     Span(passage.start, passage.end))
            hits.append(Hit(rank, doc_id, document.title, round(float(score), 4), method, document.source, passage,
                            ranks[number] if ranks else {}, analysers(document.text), moved.get(doc_id, "")))
        hits = self._explained(hits, shown, explain) if explain is not None else hits
        if by_verdicts:
            hits = by_sense(hits)[:asked]
            hits = hits if passages else [replace(h, passage=None) for h in hits]
        if method in (LEXICAL, HYBRID) and passages:
            terms = live.method(LEXICAL).encode_query(query)
            language = live.method(LEXICAL).config.language
            hits = [replace(h, passage=mark_terms(h.passage, terms, query, language)) if h.passage else h
                    for h in hits]
        return hits

    def _hybrid(self, live: Generation, query: str, k: int, config: HybridConfig,
                allowed: frozenset[int] | None = None) -> tuple[np.ndarray, np.ndarray, list[dict[str, int]]]:
        """The keyword run (BM25, or BM25 with RM3 expansion) and the dense
        methods re-queried with the keyword run's feedback, fused."""
        return fuse_runs(self.hybrid_runs(live, query, config, allowed), config, k)

    def hybrid_runs(self, live: Generation, query: str, config: HybridConfig = HYBRID_CONFIG,
                    allowed: frozenset[int] | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The runs the Hybrid ranking draws on, each scores (n,) and store
        ids (n,) best first: "bm25"; "rm3" (BM25 with RM3 expansion) when
        the config's keyword run or feedback is RM3's; and "<dense>+feedback"
        for each of its dense methods the index has (absent when neither the
        query nor the keyword run gives the method anything to go on). A
        query BM25 cannot use (only stop words) is refused as BM25 refuses
        it; one whose words no document holds is ranked by meaning alone. With `allowed` (store ids), every run holds
        only those documents."""
        return hybrid_runs(live, self.index.store, self._analyses, query, config.within(live.methods), allowed)[0]

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


def available_methods(live: Generation) -> list[str]:
    """The methods of `live` in the app's order: Hybrid (where the index has
    BM25 and DBOW or DM), BM25, then the others in the index's order."""
    names = list(live.methods)
    first = [HYBRID] if offers_hybrid(names) else []
    return first + [n for n in names if n == LEXICAL] + [n for n in names if n != LEXICAL]
