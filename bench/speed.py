"""Speed, memory and growth: build the product index over 1k, 10k and 100k
real paragraphs (bench/paragraphs.py) and time every stage, then load it in
a new process and time queries end to end (`SearchEngine.search` with
passages: encode the query, search FAISS, pick and highlight the passage).

FAISS and torch run on one thread, as in the app (indexing/vectors.py,
indexing/contextual.py). Each phase runs in a fresh subprocess, so peak
memory (ru_maxrss) is that of one build or one serving process. Queries are
timed cold: the caches of recent query encodings are emptied before each
query, and the explanation's cache of passages read in context before each
method (it is kept across one method's queries, as in use). Query texts are real: the CISI and
NFCorpus queries and the demo benchmark's queries, shuffled with a fixed
seed. Doc2Vec epochs may be reduced for the growth builds (`--epochs`):
training time then scales linearly back to the product's epochs, which the
results show as an estimate next to the measurement.
"""
from __future__ import annotations

import json
import logging
import random
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from bench.timing import StageClock, forget_caches, peak_mb, percentile, phase_main, run_phase

logger = logging.getLogger(__name__)

QUERY_SEED = 11
K = 10
# Latency is also reported apart for short queries (what people type) and
# longer ones (CISI's and NFCorpus's paragraph-long queries): the biLM reads a
# query at ~0.5 ms a token, one sentence at a time.
SHORT_QUERY_WORDS = 12


def real_queries() -> list[str]:
    """Every CISI and NFCorpus query and the demo benchmark's queries, in a
    fixed shuffled order."""
    from bench.datasets import load_cisi, load_nfcorpus
    from bench.demo import QUERIES

    found = [*load_cisi().queries.values(), *load_nfcorpus().queries.values(), *QUERIES]
    found = [q for q in found if q.strip() and len(q) < 1000]
    random.Random(QUERY_SEED).shuffle(found)
    return found


def phase_build(size: int, data_dir: str, epochs: int | None) -> dict:
    from bench.paragraphs import paragraphs
    from indexing.index import Index
    from indexing.methods import DEFAULT_METHODS

    documents, sources = paragraphs(size)
    configs = _configs(epochs)
    clock = StageClock()
    start = time.perf_counter()
    index = Index(data_dir)
    index.add_documents(documents)  # stores only: there is no index generation yet
    stored = time.perf_counter()
    index.retrain(clock, DEFAULT_METHODS, configs)
    end = time.perf_counter()
    n_docs, n_words = index.store.counts()
    stages = {"store (tokenise, split sentences, SQLite)": stored - start}
    previous = stored
    for stage, (first, last) in clock.seen.items():  # in the order they ran
        stages[f"before {stage} (tokenise, vocabulary, save)"] = first - previous
        stages[stage] = last - first
        previous = last
    stages["FAISS build, save, manifest"] = end - previous
    training = {}
    for name in DEFAULT_METHODS:
        config = index.method(name).config
        train_s = stages.get(f"Training Doc2Vec {name.upper()}")
        if train_s and hasattr(config, "epochs"):
            default = _configs(None)[name].epochs
            training[name] = {"epochs": config.epochs, "default_epochs": default, "train_s": train_s,
                              "words_per_s": n_words * config.epochs / max(train_s, 1e-9),
                              "extra_s_at_default_epochs": train_s * (default / config.epochs - 1)}
    build_s = end - start
    # The same build with the product's epochs: training time scales with epochs.
    full_s = build_s + sum(t["extra_s_at_default_epochs"] for t in training.values())
    return {"documents": n_docs, "words": n_words, "sources": sources, "build_s": build_s,
            "build_s_product_epochs_estimate": full_s, "docs_per_s": n_docs / build_s,
            "stages_s": stages, "training": training, "build_peak_mb": peak_mb(),
            "configs": {n: asdict(c) for n, c in configs.items()}}


def _configs(epochs: int | None) -> dict:
    """The product's Doc2Vec configs, with `epochs` if given."""
    from indexing.doc2vec import DBOW_CONFIG, DM_CONFIG

    configs = {"dm": DM_CONFIG, "dbow": DBOW_CONFIG}  # other methods keep their defaults
    return {n: replace(c, epochs=epochs) if epochs else c for n, c in configs.items()}


def phase_query(data_dir: str, n_queries: int) -> dict:
    from indexing.errors import InvalidQueryError
    from indexing.index import Index
    from search.engine import SearchEngine

    start = time.perf_counter()
    engine = SearchEngine(Index.open(data_dir))
    load_s = time.perf_counter() - start
    queries = real_queries()[:n_queries]
    latency = {}
    for method in engine.methods:
        engine.search("a warm-up query about the weather", method, K)
        forget_caches(engine)  # nothing read for another method's run of the same queries
        full, cpu, bare, refused, short = [], [], [], 0, []
        for query in queries:
            try:
                forget_caches(engine, readings=False)
                t, c = time.perf_counter(), time.process_time()
                engine.search(query, method, K)
                full.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
                short.append(len(query.split()) <= SHORT_QUERY_WORDS)
                forget_caches(engine, readings=False)
                t = time.perf_counter()
                engine.search(query, method, K, passages=False)
                bare.append((time.perf_counter() - t) * 1000)
            except InvalidQueryError:
                refused += 1
        latency[method] = {"p50_ms": percentile(full, 50), "p95_ms": percentile(full, 95),
                           # CPU time of the process (all threads): what a query costs
                           # when it has the cores to itself, spinning FAISS threads included
                           "cpu_p50_ms": percentile(cpu, 50), "cpu_p95_ms": percentile(cpu, 95),
                           "no_passages_p50_ms": percentile(bare, 50), "no_passages_p95_ms": percentile(bare, 95),
                           "queries": len(full), "refused": refused,
                           **_by_length(full, short),
                           # Hybrid has no index of its own: it fuses the runs of the methods it names.
                           "index": engine.index.status()["methods"].get(method, {}).get(
                               "index", f"fusion: {engine.label(method)}")}
    return {"load_s": load_s, "latency": latency, "query_peak_mb": peak_mb()}


def _by_length(times: list[float], short: list[bool]) -> dict:
    """p50 and p95 of `times` for short and for longer queries, and their counts."""
    out = {}
    for name, wanted in (("short", True), ("long", False)):
        part = [t for t, s in zip(times, short) if s == wanted]
        out |= {f"{name}_queries": len(part), f"{name}_p50_ms": percentile(part, 50),
                f"{name}_p95_ms": percentile(part, 95)}
    return out


def ivf_contents(index) -> tuple[np.ndarray, np.ndarray]:
    """(ids (n,), vectors (n, d)) held by an IVF-flat `VectorIndex`: its
    inverted lists store the raw float32 vectors."""
    import faiss

    ivf = faiss.extract_index_ivf(index._index)
    ids, vectors = [], []
    for i in range(ivf.nlist):
        size = ivf.invlists.list_size(i)
        if size:
            ids.append(faiss.rev_swig_ptr(ivf.invlists.get_ids(i), size).copy())
            codes = faiss.rev_swig_ptr(ivf.invlists.get_codes(i), size * ivf.code_size).copy()
            vectors.append(codes.view(np.float32).reshape(size, ivf.d))
    return np.concatenate(ids), np.concatenate(vectors)


def phase_recall(data_dir: str, n_queries: int) -> dict:
    """For each method the product indexes with IVF at this size: recall@10
    of its FAISS search against exact search over the same vectors, for the
    real queries (sentence-level methods: of the sentences searched)."""
    from indexing.errors import InvalidQueryError
    from indexing.index import Index

    index = Index.open(data_dir)
    live = index.snapshot()
    found = {}
    for name, vectors in live.vectors.items():
        if vectors.kind != "ivf":
            continue
        ids, matrix = ivf_contents(vectors)
        method, recalls = live.method(name), []
        depth = K * (10 if method.unit == "sentence" else 1)  # the engine's SENTENCE_FANOUT
        for query in real_queries()[:n_queries]:
            try:
                vector = method.encode_query(query)
            except InvalidQueryError:
                continue
            _, got = vectors.search(vector, depth)
            exact = ids[np.argsort(-(matrix @ vector))[:depth]]
            recalls.append(len(set(got[0].tolist()) & set(exact.tolist())) / depth)
        found[name] = {"describe": vectors.describe(), "depth": depth, "queries": len(recalls),
                       "recall": float(np.mean(recalls)) if recalls else None}
        del matrix
    return found


def phase_bm25(data_dir: str, n_queries: int) -> dict:
    """BM25 (bm25s) over the same stored documents, for comparison."""
    from bench.retrievers import BM25Retriever
    from indexing.store import DocumentStore

    documents = {str(d.id): (d.title, d.text) for d in DocumentStore(f"{data_dir}/store.sqlite3")}
    start = time.perf_counter()
    bm25 = BM25Retriever(documents)
    build_s = time.perf_counter() - start
    bm25.search("warm-up", K)
    times = []
    for query in real_queries()[:n_queries]:
        t = time.perf_counter()
        bm25.search(query, K)
        times.append((time.perf_counter() - t) * 1000)
    return {"build_s": build_s, "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "peak_mb": peak_mb()}


def _run_phase(*args: str, env: dict[str, str] | None = None) -> dict:
    return run_phase("bench.speed", *args, env=env)


def run_growth(sizes: list[int], epochs: int | None, n_queries: int, workdir: str | None = None) -> dict:
    """Build, query and BM25 phases for each size, each in its own process.
    With `workdir`, each size's index is kept there (`d<size>/`, with its
    build figures in `build-<size>.json`) and a size already built is only
    queried again: a 100k build takes most of an hour."""
    from bench.paragraphs import paragraph_pool

    available = len(paragraph_pool())
    runs = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench-speed-{size}-") as scratch:
            root = Path(workdir) if workdir else Path(scratch)
            data_dir, saved = root / f"d{size}", root / f"build-{size}.json"
            if saved.exists() and saved.read_text().strip():
                build = json.loads(saved.read_text().strip().splitlines()[-1])
                logger.info("size %d: reusing the build in %s", size, data_dir)
            else:
                logger.info("size %d: building", size)
                build = _run_phase("build", str(size), str(data_dir), str(epochs or 0))
                saved.write_text(json.dumps(build))
            logger.info("size %d: built in %.0f s; querying", size, build["build_s"])
            query = _run_phase("query", str(data_dir), str(n_queries))
            bm25 = _run_phase("bm25", str(data_dir), str(n_queries))
            recall = _run_phase("recall", str(data_dir), str(n_queries))
        runs.append({"size": size, **build, **query, "bm25": bm25, "ivf_recall": recall})
        logger.info("size %d: %s", size, {m: round(v["p95_ms"] or 0, 1) for m, v in query["latency"].items()})
    return {"paragraphs_available": available, "epochs_override": epochs, "k": K, "runs": runs}


def main(argv: list[str]) -> None:
    phase_main(argv, {"build": lambda rest: phase_build(int(rest[0]), rest[1], int(rest[2]) or None),
                      "query": lambda rest: phase_query(rest[0], int(rest[1])),
                      "bm25": lambda rest: phase_bm25(rest[0], int(rest[1])),
                      "recall": lambda rest: phase_recall(rest[0], int(rest[1]))})


if __name__ == "__main__":
    main(sys.argv[1:])
