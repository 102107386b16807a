"""Benchmark of the demo index: first-start build time, load time of the
saved index, query latency per method (median, p95) and peak memory.

    python -m bench.demo [--queries N] [--json PATH]

Each phase runs in a fresh subprocess, so load time and memory are those a
new app process sees. Prints a markdown table.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

from bench.timing import forget_caches, peak_mb

QUERIES = [
    "bushfires threaten homes near Sydney", "interest rates and inflation", "river bank erosion",
    "peace talks in the Middle East", "cricket test match", "anarchism and the state",
    "the first letter of the alphabet", "Australian airline collapse", "Afghanistan Taliban bombing",
    "American patriotic song", "mathematics and logic", "volcano eruption", "new vaccine research",
    "bank staff strike", "election campaign promises", "gold mining company", "philosophy of mind",
    "children's education", "ancient Greek city", "farmers suffer from drought",
]


def phase_build(data_dir: str) -> dict:
    from indexing.demo import DemoCorpus
    from indexing.index import Index

    start = time.perf_counter()
    index = Index(data_dir)
    index.build_if_missing(lambda: list(DemoCorpus()))
    seconds = time.perf_counter() - start
    n_docs, n_words = index.store.counts()
    return {"build_s": seconds, "documents": n_docs, "words": n_words, "build_peak_mb": peak_mb()}


def phase_query(data_dir: str, repeats: int) -> dict:
    from indexing.index import Index
    from search.engine import SearchEngine

    start = time.perf_counter()
    engine = SearchEngine(Index.open(data_dir))
    load_s = time.perf_counter() - start

    latency = {}
    for method in engine.methods:
        engine.search(QUERIES[0], method, 10)  # warm-up
        times = []
        for _ in range(repeats):
            forget_caches(engine)  # each pass over the queries starts cold
            for query in QUERIES:
                forget_caches(engine, readings=False)
                t = time.perf_counter()
                engine.search(query, method, 10)
                times.append((time.perf_counter() - t) * 1000)
        latency[method] = {"p50_ms": float(np.median(times)), "p95_ms": float(np.percentile(times, 95)),
                           "queries": len(times)}
    return {"load_s": load_s, "latency": latency, "query_peak_mb": peak_mb()}


def _run_phase(*args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.demo", "--phase", *args],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=5, help="passes over the 20 queries per method")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if args.phase:
        phase, data_dir, *rest = args.phase
        result = phase_build(data_dir) if phase == "build" else phase_query(data_dir, int(rest[0]))
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as data_dir:
        build = _run_phase("build", data_dir)
        query = _run_phase("query", data_dir, str(args.repeats))
    figures = {**build, **query, "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
               "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "load_average_15min": round(os.getloadavg()[2], 2)}
    print(f"Demo corpus: {build['documents']} documents, {build['words']:,} words; {figures['machine']}\n")
    print("| measure | value |\n|---|---|")
    print(f"| first-start build (store + train every method + index) | {build['build_s']:.1f} s |")
    print(f"| load of the saved index (new process) | {query['load_s']:.2f} s |")
    for method, lat in query["latency"].items():
        print(f"| query latency {method.upper()} p50 / p95 (k=10, with passages) | "
              f"{lat['p50_ms']:.1f} / {lat['p95_ms']:.1f} ms |")
    print(f"| peak memory, build process | {build['build_peak_mb']:.0f} MB |")
    print(f"| peak memory, load + query process | {query['query_peak_mb']:.0f} MB |")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(figures, handle, indent=2)


if __name__ == "__main__":
    main()
