"""Speed of the product's BM25 and Hybrid methods as the collection grows:
query latency end to end (`SearchEngine.search` with passages, and with the
sense-aware explanations where the index has the senses method), the cost of
keeping BM25 in step (one upload, one delete, and what rebuilding the whole
BM25 index would cost instead), on real paragraphs (bench/paragraphs.py).

Each size is built and measured in a fresh process (peak memory is that
process's). Queries are real (bench/speed.py `real_queries`) and timed cold,
as bench/speed.py times them. A build may leave out the biLM methods
(`--methods dbow bm25`): a 100k build with them takes most of an hour on 2
cores; the results then say that the explanations were not part of it.

    python -m bench hybrid-speed [--sizes 1000 10000 100000] [--large-methods ...] [--epochs 5] [--keep DIR]
"""
from __future__ import annotations

import json
import logging
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.speed import K, real_queries
from bench.timing import StageClock, forget_caches, peak_mb, percentile, phase_main, run_phase

logger = logging.getLogger(__name__)

UPLOADS = 5  # single-document uploads timed per size (each a new paragraph)


def phase_build(size: int, data_dir: str, methods: list[str], epochs: int) -> dict:
    from bench.paragraphs import paragraphs
    from bench.speed import _configs
    from indexing.index import Index

    documents, _sources = paragraphs(size + UPLOADS)
    index = Index(data_dir)
    start = time.perf_counter()
    index.add_documents(documents[:size])  # stores only: there is no generation yet
    clock = StageClock()
    index.retrain(clock, methods, {n: c for n, c in _configs(epochs or None).items() if n in methods})
    build_s = time.perf_counter() - start
    (Path(data_dir) / "uploads.json").write_text(json.dumps([[d.title, d.text, d.source]
                                                              for d in documents[size:]]))
    return {"documents": len(index.store), "build_s": build_s, "methods": methods, "epochs": epochs,
            "build_peak_mb": peak_mb()}


def phase_measure(data_dir: str, n_queries: int) -> dict:
    from indexing.bm25 import BM25Index
    from indexing.documents import Document
    from indexing.errors import InvalidQueryError
    from indexing.index import Index
    from search.engine import SearchEngine
    from search.hybrid import HYBRID_CONFIG, KEYWORD_RUNS

    start = time.perf_counter()
    index = Index.open(data_dir)
    engine = SearchEngine(index)
    load_s = time.perf_counter() - start
    latency = {}
    # "hybrid" is the app's Hybrid column; each keyword run is also timed in it
    # ("hybrid, rm3 keyword run": BM25 with RM3 expansion fused with DBOW). The
    # Senses column, where the index has it, weighs Hybrid's ranking by sense.
    timed = {"hybrid": ("hybrid", HYBRID_CONFIG), "bm25": ("bm25", HYBRID_CONFIG),
             **{f"hybrid, {run} keyword run": ("hybrid", replace(HYBRID_CONFIG, lexical=run)) for run in KEYWORD_RUNS},
             **({"senses": ("senses", HYBRID_CONFIG)} if "senses" in index.methods else {})}
    for name, (method, config) in timed.items():
        engine.search("a warm-up query about the weather", method, K, hybrid=config)
        forget_caches(engine)
        times, refused = [], 0
        for query in real_queries()[:n_queries]:
            forget_caches(engine, readings=False)
            try:
                t = time.perf_counter()
                engine.search(query, method, K, hybrid=config)
                times.append((time.perf_counter() - t) * 1000)
            except InvalidQueryError:
                refused += 1
        latency[name] = {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "queries": len(times),
                           "refused": refused, "explained": "senses" in index.methods}
    uploads = [Document(*d) for d in json.loads((Path(data_dir) / "uploads.json").read_text())]
    upload_ms, delete_ms, added = [], [], []
    for document in uploads:
        t = time.perf_counter()
        added += index.add_documents([document]).added
        upload_ms.append((time.perf_counter() - t) * 1000)
    found_first = sum(engine.search(d.text[:300], "bm25", 1, passages=False)[0].doc_id == i
                      for d, i in zip(uploads, added))  # (a query: an opening, not the whole text)
    for doc_id in added[:2]:
        t = time.perf_counter()
        index.delete(doc_id)
        delete_ms.append((time.perf_counter() - t) * 1000)
    live = index.snapshot()
    documents = list(index.store)
    t = time.perf_counter()
    ids, terms = live.method("bm25").encode_documents(documents)
    analyse_s = time.perf_counter() - t
    t = time.perf_counter()
    BM25Index.build(ids, list(terms), live.method("bm25").config)
    rebuild_s = time.perf_counter() - t
    return {"load_s": load_s, "latency": latency, "upload_one_ms": upload_ms, "delete_one_ms": delete_ms,
            "uploads_found_first_by_bm25": f"{found_first}/{len(added)}",
            "bm25_full_rebuild_s": rebuild_s, "bm25_analyse_all_s": analyse_s,
            "bm25_index": live.vectors["bm25"].describe(), "query_peak_mb": peak_mb()}


def _run_phase(*args: str) -> dict:
    return run_phase("bench.hybrid_speed", *args)


def run(sizes: list[int], methods: dict[int, list[str]], epochs: int, n_queries: int,
        workdir: str | None = None) -> dict:
    """Build and measure each size, each phase in its own process. With
    `workdir`, each size's index is kept there (`d<size>/`, its build figures
    in `build-<size>.json`) and a size already built with the same methods is
    only measured again, on a copy: measuring uploads and deletes documents."""
    runs = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench-hybrid-speed-{size}-") as scratch:
            root = Path(workdir) if workdir else Path(scratch)
            data_dir, saved = root / f"d{size}", root / f"build-{size}.json"
            build = json.loads(saved.read_text()) if saved.exists() else None
            if build and build["methods"] == methods[size] and build["epochs"] == epochs:
                logger.info("size %d: reusing the build in %s", size, data_dir)
            else:
                logger.info("size %d: building %s", size, methods[size])
                shutil.rmtree(data_dir, ignore_errors=True)
                build = _run_phase("build", str(size), str(data_dir), ",".join(methods[size]), str(epochs))
                if workdir:
                    saved.write_text(json.dumps(build))
            logger.info("size %d: built in %.0f s; measuring", size, build["build_s"])
            measured = data_dir
            if workdir:
                measured = Path(scratch) / "measured"
                shutil.copytree(data_dir, measured)
            runs.append({"size": size, **build, **_run_phase("measure", str(measured), str(n_queries))})
            logger.info("size %d: %s", size, runs[-1]["latency"])
    return {"k": K, "runs": runs}


def main(argv: list[str]) -> None:
    phase_main(argv, {"build": lambda rest: phase_build(int(rest[0]), rest[1], rest[2].split(","), int(rest[3])),
                      "measure": lambda rest: phase_measure(rest[0], int(rest[1]))})


if __name__ == "__main__":
    main(sys.argv[1:])
