"""The keyword-parameter benchmark: a BM25 setting rebuilds BM25 through the
product's analyser (at the shipped k1 and b it scores as the shipped index),
and its nDCG@10 is the collection's judgments of the product's runs."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from bench.keyword_tuning import SHIPPED, SHIPPED_BM25, _scores, settings
from search.engine import SearchEngine

COLLECTION = SimpleNamespace(
    name="keyword-tuning-fixture",
    queries={"river": "erosion of the river bank after the flood", "guitar": "bass guitar amplifier strings",
             "loan": "small business loan interest"},
    qrels={"river": {"flood_erosion.txt": 1, "river_bank_fishing.txt": 1}, "guitar": {"bass_guitar.txt": 1},
           "loan": {"small_business_loan.txt": 1}})
DEV = list(COLLECTION.queries)


def test_bm25_rebuilt_at_the_shipped_parameters_scores_as_the_shipped_index(engine: SearchEngine) -> None:
    shipped = _scores(COLLECTION, DEV, {}, engine, SHIPPED)
    rebuilt = _scores(COLLECTION, DEV, {}, engine, SHIPPED_BM25)
    for kind in ("hybrid", "rm3", "bm25"):
        np.testing.assert_allclose(rebuilt[kind], shipped[kind], atol=1e-9)
    assert shipped["bm25"].mean() > 0.5  # each query's own document is in the collection to find


def test_a_document_ranked_first_and_alone_relevant_scores_one(engine: SearchEngine) -> None:
    guitar = _scores(COLLECTION, ["guitar"], {}, engine, SHIPPED)["bm25"]
    assert guitar.tolist() == [1.0]


def test_the_settings_start_with_the_shipped_one_and_never_repeat_it() -> None:
    tried = settings()
    assert tried[0] == SHIPPED and SHIPPED_BM25 not in tried
    assert len(tried) == len(set(tried))
