"""Fusion of ranked runs for the quality benchmark (`quality.py`): BM25
with each dense method by reciprocal-rank fusion and by a weighted sum of
normalised scores, and BM25 with DM or DBOW re-queried with BM25's feedback
(`FeedbackRetriever`). Every choice (normalisation, weights, feedback depth
and query weight) is made on the dev queries; "cross-fitted" runs swap the
halves, so that every query is scored by a fusion tuned without it.

Consumes runs (`bench.runs.Run`) and a test collection's judgments; produces
fused runs and the settings chosen.
"""
from __future__ import annotations

import itertools

from bench.datasets import TestCollection
from bench.retrievers import FeedbackRetriever, ProductRetriever, Retriever, hybrids
from bench.runs import TUNE_METRIC, Run, rank_all, ranx_qrels, ranx_run, score

RRF_K = 60  # Cormack et al. (2009); not tuned
WEIGHT_STEP = 0.05  # grid of fusion weights (they sum to 1)
# Per-query score normalisations tried for the weighted fusion: min-max is
# ranx's default; z-scores (zmuv) keep a run's spread; rank ignores scores.
FUSION_NORMS = ("min-max", "zmuv", "rank")
WIDE_WEIGHT_STEP = 0.1  # for fusions of more than 3 runs: 0.05 would try 10,626 weightings of 5

# Pseudo-relevance feedback (FeedbackRetriever) for our document-vector
# methods: how many of BM25's top documents feed the query vector, and the
# query's own share of it, are tuned on dev together with the fusion.
FEEDBACK_METHODS = ("dm", "dbow")
FEEDBACK_DEPTHS = (3, 5, 10, 20)
FEEDBACK_QUERY_WEIGHTS = (0.0, 0.3, 0.5, 0.7)


def fuse_runs(collection: TestCollection, runs: dict[str, Run], parts: tuple[str, ...], dev: list[str],
              test: list[str]) -> dict:
    """RRF and weighted-sum fusions of `parts` over dev + test queries.

    The weighted sum normalises scores per query and sums them with weights;
    normalisation and weights are chosen on the dev queries (ranx's grid
    search for each of FUSION_NORMS). "cross-fitted" is the same fusion with
    the two halves swapped for the dev queries (tuned on test, applied to
    dev), so that every query is scored by weights tuned without it."""
    from ranx import fuse

    everything = dev + test
    parts_all = [ranx_run(_complete(runs[p], everything), everything, p) for p in parts]
    rrf = fuse(parts_all, norm="min-max", method="rrf", params={"k": RRF_K})
    _, norm, weights = tune_wsum(collection, runs, parts, dev)
    wsum = _plain(fuse(parts_all, norm=norm, method="wsum", params={"weights": weights}))
    _, swapped_norm, swapped = tune_wsum(collection, runs, parts, test)
    on_dev = _plain(fuse([ranx_run(_complete(runs[p], dev), dev, p) for p in parts], norm=swapped_norm,
                         method="wsum", params={"weights": swapped}))
    cross_fitted = {**{q: wsum[q] for q in test if q in wsum}, **on_dev}
    return {"rrf": _plain(rrf), "wsum": wsum, "weights": weights, "norm": norm, "cross_fitted": cross_fitted,
            "weights_tuned_on_test": swapped, "norm_tuned_on_test": swapped_norm}


def tune_wsum(collection: TestCollection, runs: dict[str, Run], parts: tuple[str, ...],
               qids: list[str]) -> tuple[float, str, list[float]]:
    """The best TUNE_METRIC over `qids` of a weighted sum, and the
    normalisation and weights that reach it."""
    from ranx import evaluate, fuse, optimize_fusion

    parts_tune = [ranx_run(_complete(runs[p], qids), qids, p) for p in parts]
    qrels = ranx_qrels(collection, qids)
    best: tuple[float, str, list[float]] | None = None
    for norm in FUSION_NORMS:
        found = optimize_fusion(qrels, parts_tune, norm=norm, method="wsum", metric=TUNE_METRIC,
                                step=WEIGHT_STEP if len(parts) <= 3 else WIDE_WEIGHT_STEP, show_progress=False)
        weights = [float(w) for w in found["weights"]]
        tuned = float(evaluate(qrels, fuse(parts_tune, norm=norm, method="wsum", params={"weights": weights}),
                               TUNE_METRIC, make_comparable=True))
        if best is None or tuned > best[0]:
            best = (tuned, norm, weights)
    return best


Setting = tuple[int, float]  # feedback depth, query weight


def feedback_runs(bm25: Retriever, dense: ProductRetriever, queries: dict[str, str],
                  members: dict[str, list[str]]) -> tuple[dict[Setting, Run], dict[Setting, dict]]:
    """`dense` re-queried with BM25's feedback, at every setting of the
    grid: the runs and their latencies (which include BM25's search)."""
    settings, latency = {}, {}
    for depth, weight in itertools.product(FEEDBACK_DEPTHS, FEEDBACK_QUERY_WEIGHTS):
        runs, timing = rank_all({"feedback": FeedbackRetriever(dense, bm25, depth, weight)}, queries, members)
        settings[(depth, weight)], latency[(depth, weight)] = runs["feedback"], timing["feedback"]
    return settings, latency


def feedback_fusion(collection: TestCollection, bm25_run: Run, settings: dict[Setting, Run],
                    latency: dict[Setting, dict], dev: list[str], test: list[str]) -> dict:
    """BM25 fused (weighted sum) with a dense method re-queried with BM25's
    feedback (`feedback_runs`). The feedback setting, normalisation and
    weights are chosen together on dev; "cross_fitted" swaps the halves for
    the dev queries, as in `fuse_runs`."""
    from ranx import fuse

    everything = dev + test

    def best_on(qids: list[str]) -> tuple[float, Setting, str, list[float]]:
        found = [(*tune_wsum(collection, {"bm25": bm25_run, "feedback": run}, ("bm25", "feedback"), qids),
                  setting) for setting, run in settings.items()]
        tuned, norm, weights, setting = max(found, key=lambda f: f[0])  # the first of equals: fewest documents
        return tuned, setting, norm, weights

    def fused(setting: Setting, norm: str, weights: list[float], qids: list[str]) -> Run:
        parts = [ranx_run(_complete(run, qids), qids, name)
                 for name, run in (("bm25", bm25_run), ("feedback", settings[setting]))]
        return _plain(fuse(parts, norm=norm, method="wsum", params={"weights": weights}))

    _, setting, norm, weights = best_on(dev)
    _, swapped_setting, swapped_norm, swapped = best_on(test)
    wsum = fused(setting, norm, weights, everything)
    cross_fitted = {**{q: wsum[q] for q in test if q in wsum},
                    **fused(swapped_setting, swapped_norm, swapped, dev)}

    def described(chosen: Setting) -> dict:
        return {"depth": chosen[0], "query_weight": chosen[1]}

    return {"wsum": wsum, "cross_fitted": cross_fitted, "weights": weights, "norm": norm,
            "setting": described(setting), "dense_latency_ms": latency[setting],
            "dense_test": score(collection, settings[setting], test),
            "tuned_on_test": {**described(swapped_setting), "weights": swapped, "norm": swapped_norm}}


def _complete(run: Run, qids: list[str]) -> Run:
    """ranx fuses runs over the same queries: a query a method could not
    place gets one placeholder result that no judgment names."""
    return {q: run.get(q) or {"<no results>": 0.0} for q in qids}


def _plain(run) -> Run:
    return {q: dict(docs) for q, docs in run.to_dict().items()}


def fuse_hybrids(collection, runs: dict, dense: list[str], dev: list[str],
                 test: list[str]) -> tuple[dict, dict, dict, dict]:
    """BM25 fused with each combination of the other runs (RRF and the
    weighted sum tuned on dev), added to `runs`; returns the weights and
    normalisations chosen on dev, those tuned on test (for cross-fitting),
    and the cross-fitted runs."""
    fusion, norms, swapped, cross_fitted = {}, {}, {}, {}
    for hybrid, parts in (hybrids(dense) if "bm25" in runs else {}).items():
        fused = fuse_runs(collection, runs, parts, dev, test)
        runs[f"{hybrid} (RRF)"] = fused["rrf"]
        runs[f"{hybrid} (weighted)"] = fused["wsum"]
        cross_fitted[f"{hybrid} (weighted)"] = fused["cross_fitted"]
        fusion[hybrid], norms[hybrid] = dict(zip(parts, fused["weights"])), fused["norm"]
        swapped[hybrid] = {"weights": dict(zip(parts, fused["weights_tuned_on_test"])),
                           "norm": fused["norm_tuned_on_test"]}
    return fusion, norms, swapped, cross_fitted
