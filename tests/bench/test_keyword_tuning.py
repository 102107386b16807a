"""The keyword-parameter benchmark: a BM25 setting rebuilds BM25 through the
product's analyser, so at the shipped k1 and b it ranks as the shipped index,
and at another k1 the keyword runs move while the settings never repeat."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from bench.keyword_tuning import SHIPPED, SHIPPED_BM25, _runs, settings
from search.engine import SearchEngine

COLLECTION = SimpleNamespace(
    name="keyword-tuning-fixture",
    queries={"river": "erosion of the river bank after the flood", "guitar": "bass guitar amplifier strings",
             "loan": "small business loan interest"})
DEV = list(COLLECTION.queries)


def _flat(runs: dict) -> dict:
    return {(qid, run): (scores.tolist(), ids.tolist()) for qid, by_run in runs.items()
            for run, (scores, ids) in by_run.items()}


def test_bm25_rebuilt_at_the_shipped_parameters_ranks_as_the_shipped_index(engine: SearchEngine) -> None:
    _config, shipped = _runs(COLLECTION, DEV, engine, SHIPPED)
    _config, rebuilt = _runs(COLLECTION, DEV, engine, SHIPPED_BM25)
    shipped, rebuilt = _flat(shipped), _flat(rebuilt)
    assert shipped.keys() == rebuilt.keys() and {run for _q, run in shipped} >= {"bm25", "rm3"}
    for key, (scores, ids) in shipped.items():
        assert rebuilt[key][1] == ids, key
        np.testing.assert_allclose(rebuilt[key][0], scores, rtol=1e-5)
    assert shipped[("guitar", "bm25")][1][0] == "bass_guitar.txt"  # the runs carry the collection's doc ids


def test_another_k1_moves_the_keyword_scores(engine: SearchEngine) -> None:
    _config, shipped = _runs(COLLECTION, DEV, engine, SHIPPED_BM25)
    _config, saturated = _runs(COLLECTION, DEV, engine, ("bm25", 0.9, SHIPPED_BM25[2]))
    scores = _flat(shipped)[("river", "bm25")][0]
    assert not np.allclose(_flat(saturated)[("river", "bm25")][0][: len(scores)], scores)


def test_the_settings_start_with_the_shipped_one_and_never_repeat_it() -> None:
    tried = settings()
    assert tried[0] == SHIPPED and SHIPPED_BM25 not in tried
    assert len(tried) == len(set(tried))
