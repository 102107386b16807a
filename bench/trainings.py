"""The product's methods trained again: how much of a test figure is the
method and how much the draw of one training (`python -m bench quality
--trainings N`).

DM and DBOW start from random vectors and sample their training pairs, so
two trainings of one collection rank differently, and so do the Hybrid
and the Senses column built on them: on NFCorpus the Hybrid's test
nDCG@10 moved by 0.005 between two trainings, the size of a target's
margin. `retrain` indexes the collection again with the Doc2Vec seeds
moved on and ranks the judged queries with each method a training draws;
`spread` sums a method up over its trainings: each one's test nDCG@10, the
mean and range, in how many it beat BM25 with p < 0.05, and the paired
t-test against BM25 of its per-query mean over the trainings (the method's
expected ranking rather than one draw of it).

Consumes the collection's documents and the configs of the first training
(`quality.evaluate_collection`); produces plain dicts that go into
``scores[row]["trainings"]`` of ``quality-*.json``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.datasets import TestCollection
from bench.retrievers import PRODUCT_NAMES, build_product
from bench.runs import Run, paired_p, paired_p_of, per_query, score

# The methods a training draws: Doc2Vec's two, and the Senses column (its
# ranking starts from the Hybrid's). BM25 is built again too, for the Hybrid to fuse.
DRAWN = ("dm", "dbow", "senses")


def drawn_rows(methods: tuple[str, ...]) -> list[str]:
    """The quality table's rows that a training draws when ``methods`` are
    built: the drawn methods, and the Hybrid when BM25 and DBOW or DM are."""
    rows = [PRODUCT_NAMES.get(m, m) for m in methods if m in DRAWN]
    if "bm25" in methods and {"dm", "dbow"} & set(methods):
        rows.append(PRODUCT_NAMES["hybrid"])
    return rows


def retrain(documents: Mapping, directory: Path, methods: tuple[str, ...], configs: Mapping[str, object],
            extra: int, rank: Callable[[dict], dict[str, Run]]) -> tuple[int, dict[str, Run]]:
    """Training 1 + ``extra``: the drawn ``methods`` and BM25 built again
    under ``directory``, each Doc2Vec config (``configs``) with its seed
    moved on by ``extra``; ``rank`` ranks the judged queries with the built
    retrievers. Returns DBOW's seed (else DM's) and the drawn rows' runs."""
    built = tuple(m for m in methods if m in DRAWN or m == "bm25")
    again = {m: replace(c, seed=c.seed + extra) for m, c in configs.items() if m in built}
    runs = rank(build_product(documents, directory / f"training-{extra + 1}", built, again))
    seed = next((again[m].seed for m in ("dbow", "dm") if m in again), extra)
    return seed, {row: runs[row] for row in drawn_rows(methods)}


def spread(collection: TestCollection, runs: list[tuple[int, Run]], bm25: Run, test: list[str]) -> dict:
    """One row over its trainings (``runs``: each one's seed and run, the
    first training first), against the bm25s baseline's run ``bm25`` on the
    ``test`` queries."""
    bm25_test = score(collection, bm25, test)["ndcg@10"]
    each = [{"seed": seed, "test": score(collection, run, test)["ndcg@10"],
             "test_p_vs_bm25": paired_p(collection, run, bm25, test)} for seed, run in runs]
    tests = [t["test"] for t in each]
    mean_per_query = np.mean([per_query(collection, run, test) for _, run in runs], axis=0)
    p = paired_p_of(mean_per_query, per_query(collection, bm25, test))
    return {"each": each, "test_mean": round(float(np.mean(tests)), 4), "test_min": min(tests),
            "test_max": max(tests), "test_mean_gain_vs_bm25": round(float(np.mean(tests)) - bm25_test, 4),
            "above_bm25_with_p_below_0.05": sum(t["test"] > bm25_test and t["test_p_vs_bm25"] is not None
                                                and t["test_p_vs_bm25"] < 0.05 for t in each),
            "test_mean_per_query_p_vs_bm25": p}
