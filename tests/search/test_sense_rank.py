"""The Senses column's ranking: Hybrid's (BM25's without Hybrid), each
ambiguous query word's share of a document's score kept in proportion to
how likely the document uses it in the query's sense; on the test fixture,
through the engine."""
from __future__ import annotations

import numpy as np
import pytest

from indexing.documents import Sentence, StoredDocument
from indexing.senses.dictionary import Sense, english_senses
from indexing.senses.readings import Readings
from search.engine import SearchEngine
import search.engine
import search.runs
from search.sense_rank import (QueryWord, by_sense_probability, fused_term_scores, occurrence_probabilities,
                               weighed_words)

RIVER, MONEY = (Sense("bank", "sloping land", "", "noun", 10.0, 0), Sense("bank", "financial institution", "",
                                                                          "noun", 20.0, 1))


def word(probabilities: list[float], text: str = "bank", term: str = "bank") -> QueryWord:
    return QueryWord(text, term, [RIVER, MONEY], np.array(probabilities, dtype=np.float32))


def document(doc_id: int) -> StoredDocument:
    return StoredDocument(doc_id, f"doc {doc_id}", "", "", "", 0, "")


def rank(scores: list[float], readings: dict[int, list[list[float]]], query: list[QueryWord],
         shares: dict[int, float] | None = None, depth: int = 10):
    """Documents 1..n with BM25 ``scores``; ``readings``: doc id -> its
    occurrences' sense probabilities; ``shares``: each document's BM25 score
    for "bank" (default: all of its score)."""
    ids = np.arange(1, len(scores) + 1)
    shares = shares or dict(zip(ids.tolist(), scores))
    read_log = []

    def read(jobs: list[tuple[StoredDocument, QueryWord]]) -> list[np.ndarray]:
        read_log.append([doc.id for doc, _ in jobs])  # one batch per ranking
        return [np.array(readings.get(doc.id, []), dtype=np.float32).reshape(-1, 2) for doc, _ in jobs]

    found = by_sense_probability(np.array(scores), ids, [document(i) for i in ids.tolist()], query,
                                 lambda term, some: np.array([shares.get(i, 0.0) for i in some.tolist()]), read, depth)
    return found, read_log


def test_a_document_using_the_word_in_another_sense_moves_below_one_using_it_in_the_querys() -> None:
    (scores, ids, notes), _ = rank([3.0, 2.0, 1.0], {1: [[0.05, 0.95]], 2: [[0.9, 0.1]], 3: [[0.8, 0.2]]},
                                   [word([0.9, 0.1])])
    assert ids.tolist() == [2, 3, 1]
    assert scores.tolist() == sorted(scores.tolist(), reverse=True)
    assert scores[0] == pytest.approx(2.0)  # the likeliest to mean the query's sense keeps its whole share
    assert notes == {1: "moved down from #1: bank here probably in another sense than the query's "
                        "(14% likely the same)"}


def test_an_unclear_query_or_unread_documents_change_nothing() -> None:
    readings = {1: [[0.05, 0.95]], 2: [[0.9, 0.1]], 3: [[0.8, 0.2]]}
    (_, ids, notes), _ = rank([3.0, 2.0, 1.0], readings, [word([0.5, 0.5])])  # every P(same) is one half
    assert ids.tolist() == [1, 2, 3] and notes == {}
    (_, ids, notes), _ = rank([3.0, 2.0, 1.0], {}, [word([0.9, 0.1])])
    assert ids.tolist() == [1, 2, 3] and notes == {}


def test_only_the_words_share_is_weighed_and_only_within_the_depth() -> None:
    # Document 1's other words give it 2.5 of its 3.0: losing its "bank" share leaves it first.
    (scores, ids, _), log = rank([3.0, 2.0, 1.5, 1.0], {1: [[0.0, 1.0]], 2: [[1.0, 0.0]], 4: [[0.0, 1.0]]},
                                 [word([1.0, 0.0])], shares={1: 0.5, 2: 2.0, 3: 0.0, 4: 1.0}, depth=3)
    assert ids.tolist() == [1, 2, 3, 4] and scores[0] == pytest.approx(2.5)
    assert log == [[1, 2]]  # in one batch; not 3 (lacks the word) nor 4 (beyond the depth)


def test_words_weighed_one_per_term_clearest_first() -> None:
    words = [word([0.6, 0.4], "banks"), word([0.9, 0.1]), word([0.7, 0.3], "bass", "bass"),
             word([0.55, 0.45], "seal", "seal"), word([0.8, 0.2], "crane", "crane")]
    assert [(w.word, w.term) for w in weighed_words(words)] == [("bank", "bank"), ("crane", "crane"),
                                                                ("bass", "bass")]


class OneSense:
    """A stand-in for the general inventory: every occurrence reads as the first sense."""

    def probabilities(self, senses, context, terms, temperature) -> np.ndarray:
        return np.array([1.0, 0.0])

    def topic(self, terms):
        return None

    def in_document(self, word, context, topic):
        return context

    def covers(self, senses, context) -> bool:
        return True


def test_the_reading_budget_goes_to_every_documents_first_occurrence_then_to_second_ones() -> None:
    text = "The bank was steep. Banks of reeds grew by the bank."
    documents = [StoredDocument(i, f"doc {i}", text, "", "", 0, "") for i in (1, 2, 3)]
    calls = []

    def read_contexts(texts, token_lists, positions, radius, keys):
        calls.append(sum(len(p) for p in positions))
        return [{i: np.zeros(4) for i in at} for at in positions]

    found = occurrence_probabilities(OneSense(), [(d, word([1.0, 0.0])) for d in documents],
                                     lambda d: [Sentence(0, d.id, 0, 0, 19), Sentence(1, d.id, 1, 20, len(text))],
                                     read_contexts, radius=16, limit=2, budget=4)
    assert [len(f) for f in found] == [2, 1, 1] and calls == [4]  # one batch
    assert found[0].tolist() == [[1.0, 0.0], [1.0, 0.0]]


needs_general = pytest.mark.skipif(english_senses() is None, reason="no general sense inventory")


@needs_general
def test_on_the_fixture_a_fishing_query_ranks_fishing_bass_first_and_says_why_music_fell(engine: SearchEngine) -> None:
    hits = engine.search("bass fishing in a lake", "senses", k=10)
    assert hits[0].title == "bass_fishing"
    music = {"bass_guitar", "jazz_concert", "Orchestra opens its autumn season"}
    assert any(h.moved.startswith("moved down") for h in hits if h.title in music), [(h.title, h.moved) for h in hits]


@needs_general
def test_the_senses_column_ranks_what_hybrid_finds_and_says_where_each_came_from(engine: SearchEngine) -> None:
    query = "interest rates and inflation"
    senses = engine.search(query, "senses", k=20, passages=False)
    hybrid = engine.search(query, "hybrid", k=20, passages=False)
    assert {h.doc_id: h.ranks for h in senses} == {h.doc_id: h.ranks for h in hybrid}
    assert all(h.ranks for h in senses)


@needs_general
def test_without_hybrid_the_senses_column_ranks_what_bm25_finds(engine: SearchEngine, monkeypatch) -> None:
    for module in (search.engine, search.runs):  # an index without DBOW
        monkeypatch.setattr(module, "offers_hybrid", lambda methods: False)
    query = "interest rates and inflation"
    senses = engine.search(query, "senses", k=20, passages=False)
    assert {h.doc_id for h in senses} == {h.doc_id for h in engine.search(query, "bm25", k=20, passages=False)}
    assert not any(h.ranks for h in senses)


def test_a_words_share_of_a_fused_score_is_its_keyword_share_as_the_fusion_weighs_it() -> None:
    # The keyword run: documents 7, 8, 9 scoring 5, 3, 1 (range 4); RM3 weighs "bank" 0.25.
    keyword = (np.array([5.0, 3.0, 1.0]), np.array([7, 8, 9]))
    bm25 = {7: 4.0, 8: 2.0, 9: 0.0, 5: 6.0}  # "bank" alone; 5 is only in the dense run
    shares = fused_term_scores(lambda term, ids: np.array([bm25[i] for i in ids.tolist()]), {"bank": 0.25},
                               keyword, weight=0.6, norm="min-max")
    np.testing.assert_allclose(shares("bank", np.array([8, 7, 5, 9])),
                               [0.6 * 0.25 * 2.0 / 4, 0.6 * 0.25 * 4.0 / 4, 0.0, 0.0])
    assert shares("loan", np.array([7])).tolist() == [0.0]  # not a term of the keyword query


class KeptOrRead(OneSense):
    """The general inventory's stand-in for kept readings: "bank" has the
    two senses, "banks" none; a kept reading's probabilities are its cosines."""

    def senses(self, word: str) -> list[Sense]:
        return [RIVER, MONEY] if word == "bank" else []

    def covers(self, senses, context) -> bool:
        return isinstance(context, np.ndarray) or context.of([s.row for s in senses]) is not None

    def probabilities(self, senses, context, terms, temperature) -> np.ndarray:
        return super().probabilities(senses, context, terms, temperature) if isinstance(context, np.ndarray) \
            else context.of([s.row for s in senses])


def test_a_document_indexing_read_is_scored_from_its_kept_readings_and_never_read_again() -> None:
    text = "The bank was steep. Banks of reeds grew by the bank."
    kept_doc, unread_doc = (StoredDocument(i, f"doc {i}", text, "", "", 0, "") for i in (1, 2))
    first, last = text.index("bank"), text.rindex("bank")
    kept = {1: Readings(np.array([first, last]), np.array([0, 2, 4]),
                        np.array([0.25, 0.75, 0.5, 0.5], dtype=np.float16))}
    calls = []

    def read_contexts(texts, token_lists, positions, radius, keys):
        calls.append([key[0] for key in keys])
        return [{i: np.zeros(4) for i in at} for at in positions]

    found = occurrence_probabilities(KeptOrRead(), [(d, word([1.0, 0.0])) for d in (kept_doc, unread_doc)],
                                     lambda d: [Sentence(0, d.id, 0, 0, 19), Sentence(1, d.id, 1, 20, len(text))],
                                     read_contexts, radius=16, limit=2, kept=kept)
    # The kept document: its first "bank" from the kept cosines; "Banks", whose form has no kept
    # reading, left out rather than read. The other document: both occurrences read now.
    assert found[0].tolist() == [[0.25, 0.75]] and found[1].tolist() == [[1.0, 0.0], [1.0, 0.0]]
    assert calls == [[2, 2]]  # its two sentences, in one batch
