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


def test_another_sense_moves_down_and_nothing_moves_up_by_itself() -> None:
    hits = [hit(1, "other sense"), hit(2, "same word"), hit(3, "same sense"), hit(4)]
    ordered = by_sense(hits)
    assert [h.doc_id for h in ordered] == [2, 3, 4, 1]
    assert [h.rank for h in ordered] == [1, 2, 3, 4]
    assert ordered[3].moved == "moved down from #1: bank here in another sense"
    assert [h.moved for h in ordered[:3]] == ["", "", ""]  # moved because another did


def test_without_an_other_sense_verdict_nothing_moves_and_mixed_verdicts_keep_their_place() -> None:
    hits = [hit(1, "same word"), hit(2, "same sense", "other sense"), hit(3, "same sense")]
    assert by_sense(hits) == hits
    assert sense_class(hits[1]) == 0


def test_only_the_first_ten_are_reordered() -> None:
    hits = [hit(rank) for rank in range(1, DEPTH)] + [hit(DEPTH, "other sense"), hit(DEPTH + 1)]
    assert by_sense(hits) == hits


def test_the_senses_column_is_the_same_whatever_k_and_with_or_without_passages(engine: SearchEngine) -> None:
    query = "fishing from the river bank"
    shown = [(h.doc_id, h.rank, h.moved) for h in engine.search(query, "senses", k=10)]
    assert [(h.doc_id, h.rank, h.moved) for h in engine.search(query, "senses", k=10, passages=False)] == shown
    assert [(h.doc_id, h.rank, h.moved) for h in engine.search(query, "senses", k=3)] == shown[:3]
    assert all(h.passage is None for h in engine.search(query, "senses", k=3, passages=False))


def test_on_the_fixture_the_music_goes_below_the_rest_for_a_fishing_query(engine: SearchEngine) -> None:
    hits = engine.search("bass fishing in a lake", "senses", k=10)
    assert [sense_class(h) for h in hits] == sorted(sense_class(h) for h in hits)
    demoted = [h for h in hits if h.moved]
    assert demoted and all(h.title in {"bass_guitar", "jazz_concert", "Orchestra opens its autumn season"}
                           for h in demoted), [(h.title, h.moved) for h in hits]

