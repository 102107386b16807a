"""Flat vs IVF: the measurement behind `EXACT_MAX_FLOATS` in
indexing/vectors.py, and FAISS search alone at 1M vectors.

Vectors are real: pure-DBOW Doc2Vec vectors (100 dims, 5 epochs) of every
sentence of the growth benchmark's paragraph pool, trained with our
`Doc2VecModel`. To reach 1M they are tiled: each copy after the first gets
Gaussian noise of norm ~0.3 (cosine ~0.96 to its original) and is
renormalised. Queries are real too: the CISI, NFCorpus and demo queries,
inferred by the same model as the app infers queries.

For each size both index kinds are built by `VectorIndex.build` (IVF with
the product's nlist formula and nprobe), and one query at a time is searched
as the app does, with FAISS using one thread and all cores: latency p50/p95
and IVF recall@10 against exact search.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import faiss
import numpy as np

from bench.paragraphs import paragraph_pool
from bench.speed import real_queries
from indexing.doc2vec import Doc2VecConfig, Doc2VecModel
from indexing.doc2vec_corpus import TaggedCorpus
from indexing.text import split_sentences, words
from indexing.vectors import EXACT_MAX_FLOATS, IVF_NPROBE, exact_kind, VectorIndex

logger = logging.getLogger(__name__)

K = 10
NOISE_NORM = 0.3
SEED = 3
VECTOR_CONFIG = Doc2VecConfig(dm=0, dbow_words=0, epochs=5, min_count=2)  # document vectors only: fast
EXTRA_NPROBES = (32, 64, 128)  # timed with one thread
# FAISS's OpenMP threads: one, and the default the app runs with (all cores).
# On a busy 2-core machine the default made one flat search of 100k vectors
# ~10x slower than one thread (threads spin while waiting for a core).
THREADS = tuple(sorted({1, faiss.omp_get_max_threads()}))


@dataclass(frozen=True)
class _Text:
    """The two fields TaggedCorpus reads from a stored document."""

    id: int
    text: str


def sentence_vectors() -> tuple[np.ndarray, np.ndarray, dict]:
    """Unit DBOW vectors (n, 100) of every sentence of the paragraph pool,
    unit query vectors (q, 100), and facts about them."""
    texts: list[_Text] = []
    for _source, paragraph in paragraph_pool():
        for span in split_sentences(paragraph):
            sentence = paragraph[span.start : span.end]
            if len(words(sentence)) >= 3:
                texts.append(_Text(len(texts), sentence))
    start = time.perf_counter()
    model = Doc2VecModel.train(TaggedCorpus(texts), VECTOR_CONFIG)
    train_s = time.perf_counter() - start
    vectors = np.stack([model.model.dv[t.id] for t in texts]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = [q for q in real_queries() if model.known_words(words(q))]
    query_vectors = np.stack([model.infer(words(q)) for q in queries]).astype(np.float32)
    return vectors, query_vectors, {"sentences": len(texts), "train_s": round(train_s, 1),
                                    "queries": len(queries)}


def tiled(vectors: np.ndarray, n: int) -> np.ndarray:
    """`n` unit vectors: `vectors`, then noisy copies of them, shuffled."""
    rng = np.random.default_rng(SEED)
    parts, have = [vectors], len(vectors)
    sigma = NOISE_NORM / np.sqrt(vectors.shape[1])
    while have < n:
        take = vectors[: n - have]
        noisy = take + rng.normal(0.0, sigma, take.shape).astype(np.float32)
        parts.append(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))
        have += len(take)
    out = np.concatenate(parts)[:n]
    return out[rng.permutation(n)]


def _timed_search(index: VectorIndex, queries: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Top-K ids (q, K), one query at a time as the app searches, and the
    latency of each in ms."""
    found, times = np.empty((len(queries), K), dtype=np.int64), []
    index.search(queries[:1], K)  # warm-up
    for row, query in enumerate(queries):
        start = time.perf_counter()
        _scores, ids = index.search(query[None, :], K)
        times.append((time.perf_counter() - start) * 1000)
        found[row] = ids[0]
    return found, times


def _latency(times: list[float]) -> dict[str, float]:
    return {"p50_ms": float(np.median(times)), "p95_ms": float(np.percentile(times, 95))}


def _recall(found: np.ndarray, exact: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(e)) / K for f, e in zip(found.tolist(), exact.tolist())]))


def _ivf(index: VectorIndex) -> faiss.IndexIVF:
    return faiss.extract_index_ivf(index._index)  # noqa: SLF001 - the bench varies nprobe


def run_faiss(sizes: list[int], n_queries: int) -> dict:
    base, queries, facts = sentence_vectors()
    queries = queries[:n_queries]
    largest = tiled(base, max(sizes))
    rows = []
    for n in sorted(sizes):
        vectors, ids = largest[:n], np.arange(n, dtype=np.int64)
        start = time.perf_counter()
        flat = VectorIndex.build(ids, vectors, kind="flat")
        flat_build = time.perf_counter() - start
        start = time.perf_counter()
        ivf = VectorIndex.build(ids, vectors, kind="ivf")
        ivf_build = time.perf_counter() - start
        row = {"vectors": n, "real_vectors": min(n, len(base)),
               "product_kind": exact_kind(n, vectors.shape[1]),
               "flat": {"build_s": flat_build}, "ivf": {"describe": ivf.describe(), "build_s": ivf_build,
                                                        "nprobe": IVF_NPROBE},
               "ivf_other_nprobe": {}}
        exact = None
        for threads in THREADS:
            faiss.omp_set_num_threads(threads)
            found, times = _timed_search(flat, queries)
            exact = found if exact is None else exact
            row["flat"][f"{threads}_threads"] = _latency(times)
            _ivf(ivf).nprobe = IVF_NPROBE
            found, times = _timed_search(ivf, queries)
            row["ivf"][f"{threads}_threads"] = _latency(times)
            row["ivf"]["recall@10"] = _recall(found, exact)
        faiss.omp_set_num_threads(THREADS[0])
        for nprobe in EXTRA_NPROBES:
            if nprobe < _ivf(ivf).nlist:
                _ivf(ivf).nprobe = nprobe
                found, times = _timed_search(ivf, queries)
                row["ivf_other_nprobe"][nprobe] = {**_latency(times), "recall@10": _recall(found, exact)}
        faiss.omp_set_num_threads(THREADS[-1])
        del flat, ivf
        rows.append(row)
        logger.info("%d vectors: %s", n, row)
    return {"vectors": "pure-DBOW Doc2Vec vectors of real sentences (100 dims), tiled with noise of norm "
                       f"{NOISE_NORM} past {len(base):,}", "queries": "real queries, inferred",
            "facts": facts, "k": K, "exact_max_floats": EXACT_MAX_FLOATS, "threads": list(THREADS),
            "faiss_compile_options": faiss.get_compile_options(),
            "rows": rows}
