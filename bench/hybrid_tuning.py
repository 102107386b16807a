"""Choose the product's Hybrid fusion (search/hybrid.py `HybridConfig`) on the
dev queries of CISI and NFCorpus together: one setting for both, the one
with the best mean of the two collections' dev nDCG@10 (each collection
counts once, whatever its number of queries). Test queries are not ranked.

The runs are the product's own, through `SearchEngine.hybrid_runs` (BM25,
BM25 with RM3 expansion, and DBOW or DM re-queried with the feedback of
BM25's or RM3's first documents) for each feedback setting, and the fusion
is the product's `fuse`, of either keyword run with either dense run, at
every keyword weight and normalisation. `alternatives` keeps the best
setting of each keyword run, dense method and feedback source, and each
keyword run alone.

    python -m bench hybrid [--dense dbow dm] [--save-as NAME]
                               # writes bench/results/hybrid-tuning.json (or NAME.json)
"""
from __future__ import annotations

import itertools
import logging
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np

from bench.datasets import load_collection, split_queries
from bench.retrievers import PRODUCT_NAMES, build_product
from indexing.doc2vec import DBOW_CONFIG, DM_CONFIG
from indexing.index import Index
from search.engine import SearchEngine
from search.hybrid import HYBRID_CONFIG, NORMS, HybridConfig, fuse

logger = logging.getLogger(__name__)

COLLECTIONS = ("cisi", "nfcorpus")
# Depth 3 of the first grid is left out to make room for the keyword run
# and the feedback source (it was never among the best; 882 settings then).
FEEDBACK_DEPTHS = (0, 5, 10, 20)
QUERY_WEIGHTS = (0.0, 0.3, 0.5, 0.7, 1.0)
FEEDBACK_FROM = ("bm25", "rm3")  # the keyword run whose first documents feed the dense method
LEXICAL_RUNS = ("bm25", "rm3")  # the keyword run that is fused
BM25_WEIGHTS = tuple(round(w, 2) for w in np.arange(0.3, 1.001, 0.05))  # 1.0: the keyword run alone
Run = dict[str, dict[str, float]]
_QRELS: dict[tuple, object] = {}  # (collection name, its dev queries) -> their ranx Qrels


def _collection_runs(name: str, workdir: Path, dense_methods: tuple[str, ...]) -> tuple[object, list[str], dict]:
    """Per dense method and feedback setting, per dev query, the product's
    runs (BM25, RM3 and the dense method re-queried; in collection doc ids,
    duplicates expanded as the quality benchmark does)."""
    collection = load_collection(name)
    documents, members = collection.unique_documents()
    dev, _test = split_queries(collection.judged_queries())
    engine = build_product(documents, workdir / name, (*dense_methods, "bm25"))[PRODUCT_NAMES["bm25"]].engine
    live = engine.index.snapshot()
    source = {row.id: row.source for row in engine.index.store.listing()}
    found = {}
    for dense, feeder, depth, weight in itertools.product(dense_methods, FEEDBACK_FROM, FEEDBACK_DEPTHS,
                                                          QUERY_WEIGHTS):
        if depth == 0 and (weight != 1.0 or feeder != FEEDBACK_FROM[0]):
            continue  # without feedback the query's own vector is all there is
        # lexical="rm3" makes hybrid_runs give both keyword runs
        config = replace(HYBRID_CONFIG, feedback_depth=depth, query_weight=weight, feedback_from=feeder,
                         lexical="rm3", dense_methods=(dense,), dense_shares=(1.0,))
        found[(dense, feeder, depth, weight)] = dev_runs(engine, live, source, collection, dev, config)
        logger.info("%s: %s fed by %s, depth %d, query weight %.1f ranked", name, dense, feeder, depth, weight)
    return collection, dev, {"runs": found, "members": members}


def trained_engine(documents: dict, directory: Path, seed: int) -> SearchEngine:
    """The collection's index in `directory` with the shipped Hybrid's dense
    methods (each trained with `seed`) and BM25; one built there is reused."""
    if (directory / "CURRENT").exists():
        return SearchEngine(Index.open(str(directory)))
    configs = {"dbow": replace(DBOW_CONFIG, seed=seed), "dm": replace(DM_CONFIG, seed=seed)}
    dense = HYBRID_CONFIG.dense_methods
    built = build_product(documents, directory, (*dense, "bm25"), {method: configs[method] for method in dense})
    return next(iter(built.values())).engine


class DevTraining(NamedTuple):
    """One collection's dev queries and its index of one training."""

    name: str
    training: int  # 0, 1, ...: the dense methods trained with seed DBOW_CONFIG.seed + this
    collection: object
    dev: list[str]
    members: dict
    engine: SearchEngine


def dev_trainings(trainings: int, workdir: Path | None = None, keep: Path | None = None) -> Iterator[DevTraining]:
    """Each collection of `COLLECTIONS` indexed `trainings` times
    (`trained_engine`, seeds from DBOW_CONFIG.seed), in a temporary
    directory or in `keep`, where an index built before is reused."""
    with tempfile.TemporaryDirectory(prefix="bench-trainings-", dir=workdir) as tmp:
        root = keep or Path(tmp)
        for name in COLLECTIONS:
            collection = load_collection(name)
            documents, members = collection.unique_documents()
            dev, _test = split_queries(collection.judged_queries())
            for training in range(trainings):
                engine = trained_engine(documents, root / f"{name}-{training}", DBOW_CONFIG.seed + training)
                yield DevTraining(name, training, collection, dev, members, engine)


def dev_runs(engine, live, source: dict[int, str], collection, dev: list[str], config: HybridConfig) -> dict:
    """Per dev query, the product's Hybrid runs under `config` (`SearchEngine.hybrid_runs`): run name ->
    (scores, collection doc ids), through `source` (store id -> collection doc id); a refused query has none."""
    per_query = {}
    for qid in dev:
        try:
            runs = engine.hybrid_runs(live, collection.queries[qid], config)
        except Exception as error:  # noqa: BLE001 - a refused query ranks nothing, as in the app
            logger.info("%s: %s", qid, error)
            runs = {}
        per_query[qid] = {run: (scores, np.array([source[i] for i in ids.tolist()], dtype=object))
                          for run, (scores, ids) in runs.items()}
    return per_query


def _score(collection, dev: list[str], per_query: dict, members: dict, config: HybridConfig) -> float:
    """Mean dev nDCG@10 of `config`'s fusion of the runs `per_query` holds."""
    return float(np.mean(per_query_ndcg(collection, dev, per_query, members, config)))


def per_query_ndcg(collection, dev: list[str], per_query: dict, members: dict, config: HybridConfig) -> np.ndarray:
    """Each of the `dev` queries' nDCG@10 (dev,) under `config`'s fusion of
    its runs (`per_query`: query id -> run name -> (scores, collection doc
    ids), as `_collection_runs` gives them); a query with no runs scores 0."""
    from ranx import Qrels, Run as RanxRun, evaluate

    run: Run = {}
    for qid, runs in per_query.items():
        if not runs:
            continue
        weights = config.weights
        runs = {name: run for name, run in runs.items() if weights.get(name, 0.0) > 0.0}  # weight 0: not fused
        ids_of = {name: ids for name, (_s, ids) in runs.items()}
        # fuse() keys documents by id: give each run's documents one shared integer key
        key = {doc: i for i, doc in enumerate(dict.fromkeys(d for ids in ids_of.values() for d in ids.tolist()))}
        keyed = {name: (runs[name][0], np.array([key[d] for d in ids_of[name].tolist()], dtype=np.int64))
                 for name in runs}
        scores, ids, _ranks = fuse(keyed, weights, config.norm, 100)
        doc_of = {v: k for k, v in key.items()}
        run[qid] = {member: float(s) - 1e-6 * j for s, i in zip(scores.tolist(), ids.tolist())
                    for j, member in enumerate(members.get(doc_of[i], [doc_of[i]]))}
    judged = (collection.name, tuple(dev))
    if judged not in _QRELS:  # building ranx's Qrels costs more than scoring a run
        _QRELS[judged] = Qrels({q: {d: g for d, g in collection.qrels[q].items() if g > 0} for q in dev})
    complete = RanxRun({q: run.get(q) or {"<no results>": 0.0} for q in dev})
    evaluate(_QRELS[judged], complete, "ndcg@10", make_comparable=True)
    return np.array([complete.scores["ndcg@10"][q] for q in dev])


def tune(workdir: Path | None = None, dense: tuple[str, ...] = ("dbow",)) -> dict:
    """Every setting's dev nDCG@10 per collection, and the chosen one, with
    `dense` ("dbow", "dm" or both; the command line's choices) as the dense run."""
    with tempfile.TemporaryDirectory(prefix="bench-hybrid-", dir=workdir) as tmp:
        prepared = {name: _collection_runs(name, Path(tmp), dense) for name in COLLECTIONS}
    tried = []
    for (dense, feeder, depth, weight), lexical, bm25_weight, norm in itertools.product(
            prepared[COLLECTIONS[0]][2]["runs"], LEXICAL_RUNS, BM25_WEIGHTS, NORMS):
        config = replace(HYBRID_CONFIG, feedback_depth=depth, query_weight=weight, feedback_from=feeder,
                         lexical=lexical, bm25_weight=bm25_weight, norm=norm, dense_methods=(dense,),
                         dense_shares=(1.0,))
        dev = {name: _score(collection, qids, data["runs"][(dense, feeder, depth, weight)], data["members"], config)
               for name, (collection, qids, data) in prepared.items()}
        tried.append({"config": asdict(config), "dev_ndcg@10": dev, "mean": float(np.mean(list(dev.values())))})
        if len(tried) % 500 == 0:
            logger.info("%d settings scored", len(tried))
    best = max(tried, key=lambda t: t["mean"])  # the first of equals
    logger.info("chosen on dev: %s", best)
    return {"collections": list(COLLECTIONS), "chosen": best,
            "dev_queries": {name: len(qids) for name, (_c, qids, _d) in prepared.items()},
            "alternatives": alternatives(tried, dense),
            "tried_count": len(tried), "tried": sorted(tried, key=lambda t: -t["mean"])[:40],
            "note": "'tried' keeps the 40 best settings by mean dev nDCG@10; tried_count says how many were scored"}


def alternatives(tried: list[dict], dense_methods: tuple[str, ...]) -> dict[str, dict]:
    """The best setting of each keyword run with each dense method and
    feedback source, and each keyword run alone (weight 1, min-max: its own
    order), on dev."""
    found = {}
    for lexical, dense, source in itertools.product(LEXICAL_RUNS, dense_methods, FEEDBACK_FROM):
        fused = [t for t in tried if t["config"]["lexical"] == lexical and t["config"]["bm25_weight"] < 1.0
                 and tuple(t["config"]["dense_methods"]) == (dense,)
                 and (t["config"]["feedback_from"] == source or t["config"]["feedback_depth"] == 0)]
        found[f"{lexical} + {dense}, feedback from {source}"] = max(fused, key=lambda t: t["mean"])
    for lexical in LEXICAL_RUNS:
        found[f"{lexical} alone"] = next(t for t in tried if t["config"]["lexical"] == lexical
                                         and t["config"]["bm25_weight"] == 1.0 and t["config"]["norm"] == "min-max")
    return found
