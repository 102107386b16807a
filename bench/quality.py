"""Retrieval quality on standard test collections: every method and
baseline ranks the top 100 documents for each judged query; `ranx` scores
nDCG@10, MAP@100 and recall@100.

Hybrids fuse BM25 with each dense method, and, for DM and DBOW, also with the
method re-queried with BM25's feedback (`fusion.py`).

The judged queries are split once, with a fixed seed, into a dev half and a
test half. Everything tuned (fusion weights, feedback depth and query weight,
the optional Doc2Vec grid) is chosen on dev; the table reports test. Figures
on all queries are kept in the JSON for comparison with published numbers.
"""
from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path

from bench.datasets import TestCollection, load_collection, split_queries
from bench.fusion import FEEDBACK_METHODS, RRF_K, feedback_fusion, feedback_runs, fuse_hybrids
from bench.retrievers import BASELINES, PRODUCT_METHODS, Retriever, build_product
from bench.runs import METRICS, TUNE_METRIC, paired_p, rank_all, score
from bench.trainings import drawn_rows, retrain, spread
from indexing.doc2vec import DBOW_CONFIG, DM_CONFIG, Doc2VecConfig
from search.engine import MAX_QUERY_CHARS

logger = logging.getLogger(__name__)

# The optional dev-query grid for Doc2Vec (`--tune`): a few changes from the
# product defaults, one at a time, each trained once.
DOC2VEC_GRID: dict[str, list[Doc2VecConfig]] = {
    "dm": [DM_CONFIG, replace(DM_CONFIG, epochs=80), replace(DM_CONFIG, vector_size=200),
           replace(DM_CONFIG, window=10, min_count=1)],
    "dbow": [DBOW_CONFIG, replace(DBOW_CONFIG, epochs=40), replace(DBOW_CONFIG, vector_size=200),
             replace(DBOW_CONFIG, min_count=1), replace(DBOW_CONFIG, sample=0.0)],
}


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
    dense = [n for n in retrievers if n != "bm25"]
    fusion, norms, swapped, cross_fitted = fuse_hybrids(collection, runs, dense, dev, test)
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
