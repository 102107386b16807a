"""The passage shown under a hit, and its highlighted words, on hand-made word
vectors whose cosines are checked by hand, then on the real index."""
from __future__ import annotations

import math

import numpy as np
import pytest

from indexing.documents import Sentence, StoredDocument
from indexing.text import split_sentences, tokenize
from search.engine import SearchEngine
from search.passages import MAX_PASSAGE_CHARS, best_passage

S = math.sqrt(1 - 0.9**2)


class HandMadeMethod:
    """Word vectors chosen so that cos(river, shore) = 0.9, cos(bank, loan) = 0.8,
    cos(heron, shore) = S ~ 0.436 (below the 0.5 threshold) and the stopword
    "the" is closer to "shore" (0.98) than "river" is."""

    related_threshold = 0.5
    VECTORS = {  # unit rows; every pair not named above has cosine 0
        "bank": [1, 0, 0, 0], "loan": [0.8, 0, 0, 0.6], "river": [0, 1, 0, 0], "shore": [0, 0.9, S, 0],
        "heron": [0, 0, 1, 0], "the": [0, 0.8, 0.6, 0],
    }

    def word_vectors(self, tokens: list[str]) -> np.ndarray:
        return np.array([self.VECTORS.get(t, [0, 0, 0, 0]) for t in tokens], dtype=np.float32).reshape(-1, 4)


TEXT = "Herons wait by the shore. The bank approved my loan quickly. Nothing else happened here."


def document(text: str) -> tuple[StoredDocument, list[Sentence]]:
    doc = StoredDocument(1, "t", text, "t.txt", "h", len(tokenize(text)), "2024-01-01")
    return doc, [Sentence(10 + i, 1, i, s.start, s.end) for i, s in enumerate(split_sentences(text))]


def passage_for(query: str, text: str = TEXT):
    doc, sentences = document(text)
    return best_passage(doc, sentences, tokenize(query), HandMadeMethod())


def marks(passage) -> list[tuple[str, str, float]]:
    return [(h.word, h.query_word, h.similarity) for h in passage.highlights]


def test_an_exact_word_picks_its_sentence_and_is_a_full_match() -> None:
    passage = passage_for("bank")
    assert passage.text == "The bank approved my loan quickly."
    assert marks(passage) == [("bank", "bank", 1.0)]  # "loan" is related, but an exact match is shown alone
    assert passage.score == 1.0


def test_a_related_word_is_found_when_the_word_itself_is_absent() -> None:
    passage = passage_for("river")
    assert passage.text == "Herons wait by the shore."
    assert marks(passage) == [("shore", "river", 0.9)]
    assert passage.score == 0.9


def test_words_below_the_related_threshold_are_not_highlighted() -> None:
    passage = passage_for("heron")  # cos(heron, shore) ~ 0.436
    assert passage.highlights == [] and passage.score == 0.0


def test_stopwords_of_the_query_neither_match_nor_dilute() -> None:
    # "the" is closest to "shore", but a function word says nothing: the
    # highlight must credit "river", and the score must be that of "river".
    passage = passage_for("the river")
    assert marks(passage) == [("shore", "river", 0.9)]
    assert passage.score == passage_for("river").score


def test_each_query_word_gets_its_best_match() -> None:
    passage = passage_for("bank river")  # each sentence meets one of the two words
    assert passage.text == "The bank approved my loan quickly."
    assert marks(passage) == [("bank", "bank", 1.0)]
    assert passage.score == pytest.approx(0.5)  # mean of 1.0 (bank) and 0.0 (river: no related word here)


def test_offsets_index_the_document_text() -> None:
    doc, _ = document(TEXT)
    for query in ("bank", "river", "bank loan river"):
        passage = passage_for(query)
        assert doc.text[passage.start : passage.end] == passage.text
        for h in passage.highlights:
            assert doc.text[h.start : h.end] == h.word
            assert passage.start <= h.start < h.end <= passage.end


def test_a_long_sentence_is_cut_to_a_window_around_the_match() -> None:
    text = "Walkers " + "crossed the wide meadow slowly and " * 20 + "reached the bank at noon."
    passage = passage_for("bank", text)
    assert len(passage.text) <= MAX_PASSAGE_CHARS < len(text)
    assert marks(passage) == [("bank", "bank", 1.0)]
    assert text[passage.start : passage.end] == passage.text


@pytest.mark.parametrize("filler", ["extraordinarily", "meadowsweet", "grassland"])
def test_a_window_of_a_long_sentence_begins_and_ends_between_words(filler: str) -> None:
    text = "Walkers " + f"{filler} " * 40 + "reached the bank " + f"{filler} " * 40 + "at noon."
    passage = passage_for("bank", text)
    assert len(passage.text) <= MAX_PASSAGE_CHARS < len(text)
    assert text[passage.start - 1] == " " and text[passage.end] == " "  # whole words only
    assert passage.text.split()[0] == filler and passage.text.split()[-1] == filler
    assert marks(passage) == [("bank", "bank", 1.0)]


@pytest.mark.parametrize("text, query", [("The and of it.", "bank"), (TEXT, "the of"), (TEXT, "")])
def test_no_passage_without_content_words(text: str, query: str) -> None:
    assert passage_for(query, text) is None


def test_real_hits_show_a_stored_sentence_with_the_query_words_marked(engine: SearchEngine) -> None:
    for method in ("dm", "dbow"):
        hit = next(h for h in engine.search("bank loan interest", method, k=33) if h.title == "mortgage_rates")
        doc = engine.index.store.get(hit.doc_id)
        assert any(s.start <= hit.passage.start and hit.passage.end <= s.end
                   for s in engine.index.store.sentences(doc.id))
        assert doc.text[hit.passage.start : hit.passage.end] == hit.passage.text
        # With a sense inventory, the same word is marked by how its senses agree.
        exact = [h for h in hit.passage.highlights if h.word.lower() == h.query_word]
        assert exact and all(h.kind in ("same sense", "other sense", "same word") for h in exact)
