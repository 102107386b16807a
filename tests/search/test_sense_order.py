"""The Senses column's sense-aware order: verdicts move hits within the
first ten, nothing else moves them, and the order does not depend on k or on
whether passages are shown."""
from __future__ import annotations

from search.engine import SearchEngine
from search.hits import Highlight, Hit, Passage
from search.sense_order import DEPTH, by_sense, sense_class


def hit(rank: int, *kinds: str) -> Hit:
    highlights = [Highlight(i, i + 4, "bank", "bank", 1.0, kind) for i, kind in enumerate(kinds)]
    return Hit(rank, rank, f"doc {rank}", 1.0 - rank / 100, "senses", "", Passage("bank", 0, 4, 1.0, highlights))


def test_the_query_sense_moves_up_and_another_sense_moves_down() -> None:
    hits = [hit(1, "other sense"), hit(2, "same word"), hit(3, "same sense"), hit(4)]
    ordered = by_sense(hits)
    assert [h.doc_id for h in ordered] == [3, 2, 4, 1]
    assert [h.rank for h in ordered] == [1, 2, 3, 4]
    assert ordered[0].moved == "moved up from #3: bank here in the query's sense"
    assert ordered[3].moved == "moved down from #1: bank here in another sense"
    assert ordered[1].moved == ordered[2].moved == ""  # moved because others did


def test_without_verdicts_nothing_moves_and_mixed_verdicts_keep_their_place() -> None:
    hits = [hit(1, "same word"), hit(2, "same sense", "other sense"), hit(3)]
    assert by_sense(hits) == hits
    assert sense_class(hits[1]) == 1


def test_only_the_first_ten_are_reordered() -> None:
    hits = [hit(rank) for rank in range(1, DEPTH + 1)] + [hit(DEPTH + 1, "same sense")]
    assert by_sense(hits) == hits


def test_the_senses_column_is_the_same_whatever_k_and_with_or_without_passages(engine: SearchEngine) -> None:
    query = "fishing from the river bank"
    shown = [(h.doc_id, h.rank, h.moved) for h in engine.search(query, "senses", k=10)]
    assert [(h.doc_id, h.rank, h.moved) for h in engine.search(query, "senses", k=10, passages=False)] == shown
    assert [(h.doc_id, h.rank, h.moved) for h in engine.search(query, "senses", k=3)] == shown[:3]
    assert all(h.passage is None for h in engine.search(query, "senses", k=3, passages=False))


def test_on_the_fixture_the_fish_comes_before_the_music_for_a_fishing_query(engine: SearchEngine) -> None:
    hits = engine.search("bass fishing in a lake", "senses", k=10)
    assert [sense_class(h) for h in hits] == sorted(sense_class(h) for h in hits)
    titles = [h.title for h in hits]
    assert titles[0] == "bass_fishing"
    assert "bass_guitar" not in titles or sense_class(hits[titles.index("bass_guitar")]) == 2
