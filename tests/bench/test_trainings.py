"""The product's methods trained again (bench/trainings.py): which rows a
training draws, the seeds each new training gets, and a row's figures
summed up over its trainings."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from bench.datasets import TestCollection
from bench.trainings import drawn_rows, retrain, spread
from indexing.doc2vec import DBOW_CONFIG, DM_CONFIG


def test_a_training_draws_doc2vec_the_hybrid_and_the_senses_column_not_elmo_or_bm25() -> None:
    assert drawn_rows(("dm", "dbow", "elmo", "senses", "bm25")) == ["dm", "dbow", "senses", "hybrid (ours)"]
    assert drawn_rows(("dbow",)) == ["dbow"]  # no BM25 built: no Hybrid
    assert drawn_rows(("elmo", "bm25")) == []


def test_each_training_again_moves_every_doc2vec_seed_on_and_builds_no_elmo(monkeypatch, tmp_path: Path) -> None:
    built = []

    def build(documents, directory, methods, configs):
        built.append((directory.name, methods, {m: c.seed for m, c in configs.items()}))
        return {"built": methods}

    monkeypatch.setattr("bench.trainings.build_product", build)
    ranked = []

    def rank(retrievers):
        ranked.append(retrievers)
        return {row: {"q": {row: 1.0}} for row in ("dm", "dbow", "elmo", "bm25 (ours)", "hybrid (ours)")}

    configs = {"dm": DM_CONFIG, "dbow": DBOW_CONFIG}
    seed, runs = retrain({}, tmp_path, ("dm", "dbow", "elmo", "bm25"), configs, 2, rank)
    assert built == [("training-3", ("dm", "dbow", "bm25"), {"dm": DM_CONFIG.seed + 2, "dbow": DBOW_CONFIG.seed + 2})]
    assert ranked == [{"built": ("dm", "dbow", "bm25")}]
    assert seed == DBOW_CONFIG.seed + 2
    assert set(runs) == {"dm", "dbow", "hybrid (ours)"}  # neither ELMo nor BM25: no training draws them


# Four queries, one relevant document each ("d<q>"); a run puts it at the given rank,
# so that its nDCG@10 is 1 / log2(rank + 1).
QUERIES = ["q1", "q2", "q3", "q4"]
COLLECTION = TestCollection("toy", {f"{d}{q}": ("t", "x") for q in QUERIES for d in "dx"},
                            {q: q for q in QUERIES}, {q: {f"d{q}": 1} for q in QUERIES})


def run_at(ranks: list[int]) -> dict[str, dict[str, float]]:
    """A run putting each query's relevant document at ``ranks[i]`` among 5 others."""
    run = {}
    for q, rank in zip(QUERIES, ranks):
        others = [f"x{q}{i}" for i in range(5)]
        order = others[: rank - 1] + [f"d{q}"] + others[rank - 1:]
        run[q] = {doc: 10.0 - i for i, doc in enumerate(order)}
    return run


def ndcg(ranks: list[int]) -> np.ndarray:
    return np.array([1 / math.log2(rank + 1) for rank in ranks])


def test_a_row_over_its_trainings_gives_each_the_mean_and_the_test_of_its_per_query_mean() -> None:
    pytest.importorskip("ranx")
    from scipy.stats import ttest_rel

    bm25, first, second = [5, 5, 4, 5], [1, 1, 1, 2], [2, 6, 3, 5]  # first: p 0.011 alone; second: 0.33
    found = spread(COLLECTION, [(42, run_at(first)), (43, run_at(second))], run_at(bm25), QUERIES)
    assert [t["seed"] for t in found["each"]] == [42, 43]
    assert [t["test"] for t in found["each"]] == pytest.approx([ndcg(first).mean(), ndcg(second).mean()], abs=1e-4)
    assert found["test_mean"] == pytest.approx((ndcg(first).mean() + ndcg(second).mean()) / 2, abs=1e-4)
    assert (found["test_min"], found["test_max"]) == (min(t["test"] for t in found["each"]),
                                                      max(t["test"] for t in found["each"]))
    assert found["test_mean_gain_vs_bm25"] == pytest.approx(found["test_mean"] - ndcg(bm25).mean(), abs=1e-4)
    expected = ttest_rel((ndcg(first) + ndcg(second)) / 2, ndcg(bm25)).pvalue
    assert found["test_mean_per_query_p_vs_bm25"] == pytest.approx(expected, abs=1e-4)
    assert [t["test_p_vs_bm25"] for t in found["each"]] == pytest.approx(
        [ttest_rel(ndcg(first), ndcg(bm25)).pvalue, ttest_rel(ndcg(second), ndcg(bm25)).pvalue], abs=1e-4)
    assert found["above_bm25_with_p_below_0.05"] == 1
