"""Tokens and sentences must index the original text exactly: the UI
highlights `text[start:end]`, so an offset that is off by one marks the
wrong characters."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexing.text import MAX_SENTENCE_WORDS, is_content_word, normalize, split_sentences, terms, tokenize, words

SAMPLE = (
    "Mr. O’Neill said: \"Don't cross the well-known bridge!\" The river rose 3.5 metres "
    "in 2 days (a record).\n\nCafé owners—worried—moved tables indoors."
)


def sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


def test_token_offsets_index_the_original_text() -> None:
    tokens = tokenize(SAMPLE)
    assert [t.norm for t in tokens] == [
        "mr", "o'neill", "said", "don't", "cross", "the", "well-known", "bridge", "the", "river", "rose",
        "3.5", "metres", "in", "2", "days", "a", "record", "café", "owners", "worried", "moved", "tables",
        "indoors",
    ]
    for t in tokens:
        assert t.norm == SAMPLE[t.start : t.end].lower().replace("’", "'")


def test_punctuation_tokens_keep_their_offsets_too() -> None:
    tokens = tokenize("Wait, what?!", keep_punct=True)
    assert [(t.norm, "Wait, what?!"[t.start : t.end]) for t in tokens] == [
        ("wait", "Wait"), (",", ","), ("what", "what"), ("?", "?"), ("!", "!"),
    ]


def test_words_are_the_token_norms() -> None:
    assert words(SAMPLE) == [t.norm for t in tokenize(SAMPLE)]


def test_normalize_folds_case_apostrophes_and_compatibility_forms() -> None:
    assert normalize("Don’t") == "don't"
    assert normalize("ﬁsh") == "fish"  # the "fi" ligature of PDF text layers
    assert normalize("ＢＡＮＫ") == "bank"  # full-width letters


def test_offsets_stay_exact_where_normalising_changes_the_length() -> None:
    text = "The ﬁsh swam."
    fish = tokenize(text)[1]
    assert fish.norm == "fish"
    assert text[fish.start : fish.end] == "ﬁsh"


def test_sentences_do_not_split_at_abbreviations_or_initials() -> None:
    text = ("Dr. Moore met Mr. Okafor in the U.S. embassy. J. R. Tolkien wrote books, "
            "e.g. The Hobbit. They spoke of rivers, lakes etc. for an hour. Rates rose 3.5 percent.")
    assert sentences(text) == [
        "Dr. Moore met Mr. Okafor in the U.S. embassy.",
        "J. R. Tolkien wrote books, e.g. The Hobbit.",
        "They spoke of rivers, lakes etc. for an hour.",
        "Rates rose 3.5 percent.",
    ]


def test_sentences_end_after_closing_quotes_and_at_question_marks() -> None:
    text = 'She asked, "Is the bank open?" Nobody knew! Then it rained...  Later, the sun came out.'
    assert sentences(text) == [
        'She asked, "Is the bank open?"',
        "Nobody knew!",
        "Then it rained...",
        "Later, the sun came out.",
    ]


def test_paragraphs_headings_and_list_items_are_sentences_of_their_own() -> None:
    text = "Spring Planting\n\nSow peas early\n- lettuce in March\n- radishes in April\n1. Water daily"
    assert sentences(text) == ["Spring Planting", "Sow peas early", "- lettuce in March",
                               "- radishes in April", "1. Water daily"]


def test_a_number_ends_a_sentence_unless_it_numbers_a_list_item() -> None:
    text = "Prices rose in 2019. Then they fell.\n2. Sell early\n10. Buy late"
    assert sentences(text) == ["Prices rose in 2019.", "Then they fell.", "2. Sell early", "10. Buy late"]


def test_a_single_line_break_inside_a_sentence_does_not_split_it() -> None:
    assert sentences("The heron waited\nin the shallows.") == ["The heron waited\nin the shallows."]


def test_long_runs_without_punctuation_are_cut_into_bounded_pieces() -> None:
    text = " ".join(f"word{i}" for i in range(2 * MAX_SENTENCE_WORDS + 5))
    spans = split_sentences(text)
    assert [len(words(text[s.start : s.end])) for s in spans] == [MAX_SENTENCE_WORDS, MAX_SENTENCE_WORDS, 5]
    assert spans[0].start == 0 and spans[-1].end == len(text)


@pytest.mark.parametrize("text", ["", "   \n\n ", "... !!! ---", "\n- \n* "])
def test_text_without_words_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


_PIECES = st.sampled_from(
    ["the", "Bank", "river", "3.5", "Dr", "e.g", "U.S", "etc", "J", "don't", "well-known", "Café",
     ".", "!", "?", "...", ",", '"', ")", "(", "—", "’", "-", "*", "1.", " ", " ", "  ", "\n", "\n\n", "\t"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_sentence_spans_are_stripped_ordered_and_lose_no_word(text: str) -> None:
    spans = split_sentences(text)
    found = []
    previous_end = 0
    for span in spans:
        piece = text[span.start : span.end]
        assert previous_end <= span.start < span.end <= len(text)
        assert piece == piece.strip()
        assert 1 <= len(words(piece)) <= MAX_SENTENCE_WORDS
        found.extend(words(piece))
        previous_end = span.end
    assert found == words(text)


EVERYDAY_CONTENT_WORDS = ("interest", "fire", "system", "computer", "bill", "found", "show", "name", "part",
                          "side", "top", "back", "well", "find", "move", "call", "empty", "full", "amount")


@pytest.mark.parametrize("word", EVERYDAY_CONTENT_WORDS)
def test_everyday_content_words_are_not_stop_words(word: str) -> None:
    assert is_content_word(word)


@pytest.mark.parametrize("word", ["the", "of", "and", "which", "would", "themselves", "although", "always",
                                  "nevertheless", "into", "should"])
def test_function_words_are_stop_words(word: str) -> None:
    assert not is_content_word(word)


def test_keyword_terms_keep_content_words_and_drop_function_words() -> None:
    assert terms("The interest on a bill of the fire system") == ["interest", "bill", "fire", "system"]
