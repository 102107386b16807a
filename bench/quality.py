"""Retrieval quality on standard test collections: every method and
baseline ranks the top 100 documents for each judged query; `ranx` scores
nDCG@10, MAP@100 and recall@100.

Hybrids fuse BM25 with each dense method, and, for DM and DBOW, also with the
method re-queried with BM25's feedback (`FeedbackRetriever`).

The judged queries are split once, with a fixed seed, into a dev half and a
test half. Everything tuned (fusion weights, feedback depth and query weight,
the optional Doc2Vec grid) is chosen on dev; the table reports test. Figures
on all queries are kept in the JSON for comparison with published numbers.
"""
from __future__ import annotations

import itertools
import logging
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path

from bench.datasets import TestCollection, load_collection, split_queries
from bench.retrievers import (BASELINES, PRODUCT_METHODS, FeedbackRetriever, ProductRetriever, Retriever,
                              build_product, hybrids)
from bench.runs import METRICS, TUNE_METRIC, Run, paired_p, rank_all, ranx_qrels, ranx_run, score
from bench.trainings import drawn_rows, retrain, spread
from indexing.doc2vec import DBOW_CONFIG, DM_CONFIG, Doc2VecConfig
from search.engine import MAX_QUERY_CHARS

logger = logging.getLogger(__name__)

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

# The optional dev-query grid for Doc2Vec (`--tune`): a few changes from the
# product defaults, one at a time, each trained once.
DOC2VEC_GRID: dict[str, list[Doc2VecConfig]] = {
    "dm": [DM_CONFIG, replace(DM_CONFIG, epochs=80), replace(DM_CONFIG, vector_size=200),
           replace(DM_CONFIG, window=10, min_count=1)],
    "dbow": [DBOW_CONFIG, replace(DBOW_CONFIG, epochs=40), replace(DBOW_CONFIG, vector_size=200),
             replace(DBOW_CONFIG, min_count=1), replace(DBOW_CONFIG, sample=0.0)],
}


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
    _, norm, weights = _tune_wsum(collection, runs, parts, dev)
    wsum = _plain(fuse(parts_all, norm=norm, method="wsum", params={"weights": weights}))
    _, swapped_norm, swapped = _tune_wsum(collection, runs, parts, test)
    on_dev = _plain(fuse([ranx_run(_complete(runs[p], dev), dev, p) for p in parts], norm=swapped_norm,
                         method="wsum", params={"weights": swapped}))
    cross_fitted = {**{q: wsum[q] for q in test if q in wsum}, **on_dev}
    return {"rrf": _plain(rrf), "wsum": wsum, "weights": weights, "norm": norm, "cross_fitted": cross_fitted,
            "weights_tuned_on_test": swapped, "norm_tuned_on_test": swapped_norm}


def _tune_wsum(collection: TestCollection, runs: dict[str, Run], parts: tuple[str, ...],
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
        found = [(*_tune_wsum(collection, {"bm25": bm25_run, "feedback": run}, ("bm25", "feedback"), qids),
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


def tune_doc2vec(collection: TestCollection, documents: dict, members: dict, dev: list[str],
                 workdir: Path) -> dict[str, dict]:
    """For DM and DBOW, the grid config with the best dev nDCG@10, and every
    config's dev score."""
    chosen = {}
    for method, grid in DOC2VEC_GRID.items():
        tried = []
        for number, config in enumerate(grid):
            retriever = build_product(documents, workdir / f"tune-{method}-{number}", (method,), {method: config})
            runs, _ = rank_all(retriever, {q: collection.queries[q] for q in dev}, members)
            tried.append({"config": asdict(config), "dev": score(collection, runs[method], dev)})
            logger.info("%s grid %d: dev %s", method, number, tried[-1]["dev"])
        best = max(tried, key=lambda t: t["dev"][TUNE_METRIC])
        chosen[method] = {"config": best["config"], "grid": tried}
    return chosen


def evaluate_collection(name: str, baselines: list[str] | None = None, tune: bool = False,
                        workdir: Path | None = None, seeds: int = 1,
                        methods: tuple[str, ...] = PRODUCT_METHODS, trainings: int = 1) -> dict:
    """Index collection `name` with every method, rank its judged queries,
    fuse, and score on dev, test and all queries. With `seeds` > 1, DM and
    DBOW are trained again with further seeds and their feedback hybrids
    scored each time: Doc2Vec's training varies from run to run, and a
    test half of 38 queries (CISI) tells apart only large differences. With
    `trainings` > 1, the product's own methods that a training draws (DM,
    DBOW, the Hybrid, Senses) are built that many times in all, each row's
    test figures over them under its "trainings" (`bench.trainings`)."""
    collection = load_collection(name)
    documents, members = collection.unique_documents()
    judged = collection.judged_queries()
    dev, test = split_queries(judged)
    queries = {q: collection.queries[q] for q in judged}
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-", dir=workdir) as tmp:
        tmp_path = Path(tmp)
        tuned = tune_doc2vec(collection, documents, members, dev, tmp_path) if tune else {}
        configs = {"dm": DM_CONFIG, "dbow": DBOW_CONFIG, **{m: Doc2VecConfig(**t["config"]) for m, t in tuned.items()}}
        start = time.perf_counter()
        ours = {m: c for m, c in configs.items() if m in methods}
        retrievers: dict[str, Retriever] = dict(build_product(documents, tmp_path / "index", methods, ours))
        build_s = {"ours (all methods, one Index.build)": time.perf_counter() - start}
        build_s.update(_add_baselines(retrievers, baselines if baselines is not None else list(BASELINES), documents))
        runs, latency = rank_all(retrievers, queries, members)
        feedback_grid = {m: feedback_runs(retrievers["bm25"], retrievers[m], queries, members)
                         for m in FEEDBACK_METHODS if m in retrievers and "bm25" in retrievers}
        retrained = {}
        for extra in range(1, seeds if feedback_grid else 1):
            again = {m: replace(ours[m], seed=ours[m].seed + extra) for m in feedback_grid}
            products = build_product(documents, tmp_path / f"seed-{extra}", tuple(again), again)
            retrained[extra] = {m: (again[m].seed, feedback_runs(retrievers["bm25"], products[m], queries, members))
                                for m in again}
        drawn = [retrain(documents, tmp_path, methods, ours, extra, lambda built: rank_all(built, queries, members)[0])
                 for extra in range(1, trainings)]
    fusion, norms, swapped, cross_fitted = _fused(collection, runs, [n for n in retrievers if n != "bm25"], dev, test)
    feedback = {}
    for method, grid in feedback_grid.items():
        found = feedback_fusion(collection, runs["bm25"], *grid, dev, test)
        feedback[f"bm25+{method} feedback"] = _feedback_hybrid(method, found, ours[method].seed, runs, fusion, norms,
                                                               swapped, cross_fitted)
    for extra, grids in retrained.items():
        for method, (seed, grid) in grids.items():
            feedback[f"bm25+{method} feedback"].setdefault("other_seeds", []).append(
                _other_seed(collection, runs["bm25"], seed, grid, dev, test, judged))
    accepted = [q for q in test if len(collection.queries[q].strip()) <= MAX_QUERY_CHARS]
    scores = {method: _scored(collection, run, cross_fitted.get(method, run), method in cross_fitted,
                              runs.get("bm25"), dev, test, judged, accepted) for method, run in runs.items()}
    first_seed = next((ours[m].seed for m in ("dbow", "dm") if m in ours), 0)
    for row in drawn_rows(methods) if drawn else []:
        each = [(first_seed, runs[row]), *((seed, found[row]) for seed, found in drawn)]
        scores[row]["trainings"] = spread(collection, each, runs["bm25"], test)
    return {
        "collection": name,
        "documents": len(collection.documents), "unique_documents": len(documents),
        "queries": {"judged": len(judged), "dev": len(dev), "test": len(test),
                    "test_accepted_by_the_product": len(accepted),
                    "max_query_chars": MAX_QUERY_CHARS},
        "metrics": METRICS, "scores": scores, "fusion_weights_dev": fusion, "fusion_norm_dev": norms,
        "fusion_tuned_on_test_for_cross_fitting": swapped,
        "feedback": feedback,
        "rrf_k": RRF_K, "build_s": {k: round(v, 1) for k, v in build_s.items()},
        "query_latency_ms": latency,
        "doc2vec_configs": {m: asdict(c) for m, c in ours.items()},
        "doc2vec_tuning": tuned,
    }


def _fused(collection, runs: dict, dense: list[str], dev: list[str], test: list[str]) -> tuple[dict, dict, dict, dict]:
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


def _other_seed(collection, bm25, seed: int, grid: tuple, dev: list[str], test: list[str], judged: list[str]) -> dict:
    """The feedback hybrid of a Doc2Vec trained with another seed, tuned on dev and scored."""
    grid_runs, grid_latency = grid
    found = feedback_fusion(collection, bm25, grid_runs, grid_latency, dev, test)
    return {"seed": seed, "setting_dev": found["setting"], "dense_test": found["dense_test"],
            "test": score(collection, found["wsum"], test),
            "test_p_vs_bm25": paired_p(collection, found["wsum"], bm25, test),
            "all_cross_fitted": score(collection, found["cross_fitted"], judged),
            "all_p_vs_bm25": paired_p(collection, found["cross_fitted"], bm25, judged)}


def _scored(collection, run, out_of_sample, cross_fitted: bool, bm25, dev: list[str], test: list[str],
            judged: list[str], accepted: list[str]) -> dict:
    """One run's figures on dev, test, all queries and the test queries the
    product accepts, with paired p-values against BM25. "all": every judged
    query, each scored by a run tuned without it (`out_of_sample`: the
    cross-fitted fusion for weighted sums; nothing else is tuned on
    queries). The product refuses queries longer than MAX_QUERY_CHARS:
    every method is also scored on the test queries it accepts (`accepted`),
    so that its rankings compare with the baselines' on the same queries."""
    return {
        "test": score(collection, run, test), "dev": score(collection, run, dev),
        "all": score(collection, out_of_sample, judged), "all_cross_fitted": cross_fitted,
        "test_p_vs_bm25": paired_p(collection, run, bm25, test) if bm25 is not None else None,
        "all_p_vs_bm25": paired_p(collection, out_of_sample, bm25, judged) if bm25 is not None else None,
        "test_accepted": score(collection, run, accepted),
        "test_accepted_p_vs_bm25": paired_p(collection, run, bm25, accepted) if bm25 is not None else None}


def _add_baselines(retrievers: dict, names: list[str], documents) -> dict[str, float]:
    """Index `documents` with each baseline into `retrievers`; the seconds each took."""
    seconds = {}
    for baseline in names:
        start = time.perf_counter()
        retrievers[baseline] = BASELINES[baseline](documents)
        seconds[baseline] = time.perf_counter() - start
    return seconds


def _feedback_hybrid(method: str, found: dict, seed: int, runs: dict, fusion: dict, norms: dict, swapped: dict,
                     cross_fitted: dict) -> dict:
    """Record a feedback hybrid `found` (by `feedback_fusion`) in the run and
    fusion tables; returns its facts."""
    hybrid = f"bm25+{method} feedback"
    runs[f"{hybrid} (weighted)"], cross_fitted[f"{hybrid} (weighted)"] = found["wsum"], found["cross_fitted"]
    fusion[hybrid], norms[hybrid] = dict(zip(("bm25", method), found["weights"])), found["norm"]
    tuned_on_test = found["tuned_on_test"]
    swapped[hybrid] = {**tuned_on_test, "weights": dict(zip(("bm25", method), tuned_on_test["weights"]))}
    return {"seed": seed, "setting_dev": found["setting"], "dense_latency_ms": found["dense_latency_ms"],
            "dense_test": found["dense_test"]}
