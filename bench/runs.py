"""Ranking the judged queries of a test collection and scoring the runs:
each retriever's top ``DEPTH`` documents per query (`rank_all`), `ranx`'s
nDCG@10, MAP@100 and recall@100 over a set of queries (`score`), per query
(`per_query`), and the paired t-test of two runs (`paired_p`). Shared by
`quality.py` and the benchmarks that tune or retrain on its collections."""
from __future__ import annotations

import logging
import time

import numpy as np

from bench.datasets import TestCollection
from bench.retrievers import Retriever

logger = logging.getLogger(__name__)

METRICS = ["ndcg@10", "map@100", "recall@100"]
DEPTH = 100  # documents ranked per query (SearchEngine's MAX_K)
TUNE_METRIC = "ndcg@10"

Run = dict[str, dict[str, float]]  # query id -> doc id -> score


def rank_all(retrievers: dict[str, Retriever], queries: dict[str, str],
             members: dict[str, list[str]]) -> tuple[dict[str, Run], dict[str, dict]]:
    """Each retriever's run over `queries` (duplicates of a hit follow it,
    just below its score) and its per-query latency (p50, p95 in ms)."""
    runs, latency = {}, {}
    for name, retriever in retrievers.items():
        run, times = {}, []
        for qid, text in queries.items():
            start = time.perf_counter()
            hits = retriever.search(text, DEPTH)
            times.append((time.perf_counter() - start) * 1000)
            run[qid] = {member: score - 1e-6 * i for doc, score in hits
                        for i, member in enumerate(members.get(doc, [doc]))}
        runs[name] = run
        latency[name] = {"p50_ms": float(np.median(times)), "p95_ms": float(np.percentile(times, 95))}
        logger.info("%s: ranked %d queries", name, len(queries))
    return runs, latency


def ranx_run(run: Run, qids: list[str], name: str):
    from ranx import Run as RanxRun

    return RanxRun({q: run[q] for q in qids if run.get(q)}, name=name)


def ranx_qrels(collection: TestCollection, qids: list[str]):
    from ranx import Qrels

    return Qrels({q: {d: g for d, g in collection.qrels[q].items() if g > 0} for q in qids})


def score(collection: TestCollection, run: Run, qids: list[str]) -> dict[str, float]:
    """METRICS of `run` over `qids`; a query with no results scores 0."""
    from ranx import evaluate

    found = evaluate(ranx_qrels(collection, qids), ranx_run(run, qids, "run"), METRICS, make_comparable=True)
    return {metric: round(float(value), 4) for metric, value in found.items()}


def per_query(collection: TestCollection, run: Run, qids: list[str], metric: str = TUNE_METRIC) -> np.ndarray:
    """`metric` of each query of `qids` (q,), in order; 0 where no results."""
    from ranx import evaluate

    found = evaluate(ranx_qrels(collection, qids), ranx_run(run, qids, "run"), metric,
                     return_mean=False, make_comparable=True)
    return np.asarray(found, dtype=float)


def paired_p(collection: TestCollection, run: Run, baseline: Run, qids: list[str]) -> float | None:
    """Two-sided paired t-test p-value of nDCG@10 over `qids`."""
    return paired_p_of(per_query(collection, run, qids), per_query(collection, baseline, qids))


def paired_p_of(a: np.ndarray, b: np.ndarray) -> float | None:
    """Two-sided paired t-test p-value of per-query figures ``a`` against
    ``b`` (rounded to 4 places); None where they are the same."""
    from scipy.stats import ttest_rel

    return None if np.allclose(a, b) else round(float(ttest_rel(a, b).pvalue), 4)
