"""The Hybrid ranking and BM25 through the engine: fusion that keeps track
of where each hit came from, literal keyword matches marked, and clear
messages for queries keyword search cannot use."""
from __future__ import annotations

import numpy as np
import pytest

from indexing.errors import InvalidQueryError
from dataclasses import replace

from search.engine import SearchEngine
from search.hybrid import HYBRID_CONFIG, HybridConfig, fuse, normalise, offers_hybrid, run_label, unit_scales

RM3_LEG = HybridConfig(lexical="rm3", feedback_from="rm3")
BM25_LEG = HybridConfig(lexical="bm25", feedback_from="bm25")


def test_normalisations_match_ranx() -> None:
    scores = np.array([4.0, 2.0, 1.0, 1.0])
    np.testing.assert_allclose(normalise(scores, "min-max"), [1.0, 1 / 3, 0.0, 0.0])
    np.testing.assert_allclose(normalise(scores, "zmuv"), (scores - 2.0) / np.std(scores))
    np.testing.assert_allclose(normalise(scores, "rank"), [1.0, 0.75, 0.5, 0.25])


@pytest.mark.parametrize("norm", ["min-max", "zmuv"])
def test_a_part_of_a_score_moves_the_normalised_score_by_its_unit_scale(norm: str) -> None:
    """What the Senses column takes off a fused score for one word's share:
    with the run's normalisation held, the same as normalising the score
    without that part."""
    scores = np.array([4.0, 2.5, 1.0, 0.5])
    part = 0.75  # of the second document's 2.5
    held = {"min-max": (scores.min(), scores.max() - scores.min()), "zmuv": (scores.mean(), scores.std())}[norm]
    without = (scores[1] - part - held[0]) / held[1]
    assert normalise(scores, norm)[1] - part * unit_scales(scores, norm)[1] == pytest.approx(without)


def test_under_the_rank_normalisation_a_part_counts_by_its_fraction_of_the_score() -> None:
    scores = np.array([4.0, 2.0, 0.0])
    np.testing.assert_allclose(unit_scales(scores, "rank") * scores, normalise(scores, "rank") * [1, 1, 0])
    assert unit_scales(np.empty(0), "min-max").shape == (0,)


def test_fusion_is_the_weighted_sum_and_keeps_each_run_s_rank() -> None:
    runs = {"bm25": (np.array([3.0, 2.0, 1.0]), np.array([7, 8, 9])),
            "dbow+feedback": (np.array([0.9, 0.5]), np.array([9, 5]))}
    scores, ids, ranks = fuse(runs, {"bm25": 0.6, "dbow+feedback": 0.4}, "min-max", 10)
    # 7: 0.6 * 1; 9: 0.6 * 0 + 0.4 * 1; 8: 0.6 * 0.5; 5: 0.
    assert ids.tolist() == [7, 9, 8, 5]
    np.testing.assert_allclose(scores, [0.6, 0.4, 0.3, 0.0], atol=1e-6)
    assert ranks == [{"bm25": 1}, {"bm25": 3, "dbow+feedback": 1}, {"bm25": 2}, {"dbow+feedback": 2}]


def test_a_bad_config_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown normalisation 'max'"):
        HybridConfig(norm="max")
    with pytest.raises(ValueError, match=r"weights must lie in \[0, 1\]"):
        HybridConfig(bm25_weight=1.5)


def test_hybrid_hits_carry_their_rank_in_bm25_and_each_dense_run(engine: SearchEngine) -> None:
    query = "fishing on the river bank"
    hybrid = engine.search(query, "hybrid", k=10, hybrid=BM25_LEG)
    bm25 = [h.doc_id for h in engine.search(query, "bm25", k=100, passages=False)]
    assert [h.rank for h in hybrid] == list(range(1, 11))
    assert all(h.ranks for h in hybrid)
    for hit in hybrid:
        if "bm25" in hit.ranks:
            assert bm25[hit.ranks["bm25"] - 1] == hit.doc_id
        else:
            assert hit.doc_id not in bm25  # found by meaning alone
    assert any("dbow+feedback" in h.ranks for h in hybrid) and any("dm+feedback" in h.ranks for h in hybrid)


def test_hybrid_with_the_rm3_keyword_run_carries_its_rank_in_rm3_and_the_dense_runs(engine: SearchEngine) -> None:
    query = "fishing on the river bank"
    hybrid = engine.search(query, "hybrid", k=10, hybrid=RM3_LEG)
    runs = engine.hybrid_runs(engine.index.snapshot(), query, RM3_LEG)
    rm3, bm25 = runs["rm3"][1].tolist(), runs["bm25"][1].tolist()
    assert set(rm3) > set(bm25)  # expansion finds documents without the query's words
    assert [h.rank for h in hybrid] == list(range(1, 11))
    assert all(h.ranks and set(h.ranks) <= {"rm3", "dbow+feedback", "dm+feedback"} for h in hybrid)  # not plain BM25
    for hit in hybrid:
        if "rm3" in hit.ranks:
            assert rm3[hit.ranks["rm3"] - 1] == hit.doc_id
        else:
            assert hit.doc_id not in rm3
    assert any("dbow+feedback" in h.ranks for h in hybrid)
    assert "RM3" in run_label("rm3") and RM3_LEG.label == "Hybrid (BM25 + RM3 + DBOW + DM)"
    # The standalone BM25 column stays plain BM25.
    assert [h.doc_id for h in engine.search(query, "bm25", k=100, passages=False)] == bm25


def test_each_dense_run_weighs_its_share_of_the_dense_weight() -> None:
    config = HybridConfig(bm25_weight=0.6, dense_methods=("dbow", "dm"), dense_shares=(0.75, 0.25))
    assert config.weights == pytest.approx({"rm3": 0.6, "dbow+feedback": 0.3, "dm+feedback": 0.1})
    with pytest.raises(ValueError, match="each dense method needs a share"):
        HybridConfig(dense_methods=("dbow", "dm"), dense_shares=(0.5,))
    with pytest.raises(ValueError, match="summing to 1"):
        HybridConfig(dense_shares=(0.5, 0.2))


def test_an_index_without_a_dense_method_fuses_the_others() -> None:
    config = HybridConfig(bm25_weight=0.6, dense_methods=("dbow", "dm"), dense_shares=(0.75, 0.25))
    assert config.within(["bm25", "dbow", "dm", "elmo"]) is config
    alone = config.within(["bm25", "dm"])
    assert alone.dense_methods == ("dm",) and alone.weights == pytest.approx({"rm3": 0.6, "dm+feedback": 0.4})
    assert alone.label == "Hybrid (BM25 + RM3 + DM)"
    with pytest.raises(ValueError, match="needs one of dbow, dm"):
        config.within(["bm25", "elmo"])
    assert offers_hybrid(["bm25", "dm"]) and offers_hybrid(["bm25", "dbow"]) and not offers_hybrid(["bm25", "elmo"])


def test_the_hybrid_without_dm_in_the_index_runs_dbow_alone(engine: SearchEngine) -> None:
    live = engine.index.snapshot()
    without = replace(live, methods={n: m for n, m in live.methods.items() if n != "dm"},
                      vectors={n: v for n, v in live.vectors.items() if n != "dm"})
    runs = engine.hybrid_runs(without, "fishing on the river bank")
    assert "dbow+feedback" in runs and "dm+feedback" not in runs
    assert set(engine.hybrid_runs(live, "fishing on the river bank")) >= {"dbow+feedback", "dm+feedback"}


def test_dm_s_run_is_fused_by_its_share(engine: SearchEngine) -> None:
    query = "fishing on the river bank"
    dm_only = HybridConfig(bm25_weight=0.0, dense_shares=(0.0, 1.0))
    fused = engine.search(query, "hybrid", k=5, passages=False, hybrid=dm_only)
    scores, ids = engine.hybrid_runs(engine.index.snapshot(), query, dm_only)["dm+feedback"]
    assert [h.doc_id for h in fused] == ids[:5].tolist()
    assert all(set(h.ranks) == {"dm+feedback"} for h in fused)  # a run of weight 0 is not fused
    assert HYBRID_CONFIG.dense_methods[0] == "dbow"  # the first dense method's word vectors choose passages


def test_an_unknown_keyword_run_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown keyword run 'rm4'"):
        HybridConfig(lexical="rm4")


def test_bm25_weight_one_ranks_as_bm25(engine: SearchEngine) -> None:
    query = "central bank interest rates"
    # (With z-scores a document BM25 did not return scores 0, the mean, and
    # so passes BM25's below-average documents: min-max keeps BM25's order.)
    alone = engine.search(query, "hybrid", k=5, passages=False,
                          hybrid=HybridConfig(lexical="bm25", bm25_weight=1.0, norm="min-max"))
    assert [h.doc_id for h in alone] == [h.doc_id for h in engine.search(query, "bm25", k=5, passages=False)]


def test_keyword_matches_are_marked_by_stem(engine: SearchEngine) -> None:
    [hit] = engine.search("flooding rivers", "bm25", k=1)
    literal = [h for h in hit.passage.highlights if h.literal]
    assert literal and {h.word.lower()[:4] for h in literal} <= {"floo", "rive"}
    assert {h.query_word for h in literal} <= {"flooding", "rivers"}


@pytest.mark.parametrize("method", ["bm25", "hybrid"])
def test_a_query_of_stop_words_gets_a_message(engine: SearchEngine, method: str) -> None:
    with pytest.raises(InvalidQueryError, match="only common words"):
        engine.search("the of and which", method)


def test_an_unknown_script_gets_a_message_in_every_column(engine: SearchEngine) -> None:
    results = engine.search_all("北京大学 图书馆")
    assert results["bm25"] == "None of the words of '北京大学 图书馆' occur in the documents."
    assert results["hybrid"] == results["bm25"]  # not DBOW's message about its vocabulary
    # ELMo reads any string, but none of these is a word it knows (search/known.py).
    assert results["elmo"].startswith("No good match")
    assert results["senses"] == results["bm25"]  # the Senses column weighs Hybrid's ranking by sense
