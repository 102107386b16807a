"""Passage HTML: document text is escaped, matched words are marked."""
from __future__ import annotations

import html
import re

from search.hits import Highlight, Passage
from search.render import CARD_CHARS, document_html, excerpt, excerpt_start, passage_html

TEXT = 'Loans <script>alert("x")</script> & the bank approved the "loan".'


def passage(highlights: list[Highlight], start: int = 100) -> Passage:
    return Passage(TEXT, start, start + len(TEXT), 0.9, highlights)


def at(word: str, occurrence: int = 0, start: int = 100) -> tuple[int, int]:
    index = [m.start() for m in re.finditer(re.escape(word), TEXT)][occurrence]
    return start + index, start + index + len(word)


def test_document_text_is_escaped() -> None:
    out = passage_html(passage([]))
    assert "<script>" not in out
    assert out == html.escape(TEXT)


def test_highlights_are_marked_with_the_query_word_they_met() -> None:
    bank, loan = at("bank"), at("loan", 0)
    out = passage_html(passage([Highlight(*loan, "loan", "credit", 0.61), Highlight(*bank, "bank", "bank", 1.0)]))
    marked = re.findall(r'<mark class="match[^"]*" title="([^"]*)"[^>]*>([^<]*)</mark>', out)
    assert marked == [("matches query word &#x27;bank&#x27; (similarity 1.00)", "bank"),
                      ("matches query word &#x27;credit&#x27; (similarity 0.61)", "loan")]
    assert re.sub(r"<mark[^>]*>|</mark>", "", out) == html.escape(TEXT)  # no character lost or doubled


def test_a_dictionary_sense_verdict_says_how_likely_the_same_sense_is() -> None:
    bank = at("bank")
    verdict = Highlight(*bank, "bank", "bank", 0.04, "other sense", "bank: sloping land", "bank: financial institution",
                        confidence=0.62)
    [tip] = re.findall(r'title="([^"]*)"', passage_html(passage([verdict])))
    assert html.unescape(tip).startswith("matches query word 'bank' (4% likely in the same sense); ")
    assert "query: bank: sloping land; here: bank: financial institution (confidence 0.62" in html.unescape(tip)
    assert "in this document" not in html.unescape(tip) and "your choice" not in html.unescape(tip)
    chosen = Highlight(*bank, "bank", "bank", 0.04, "other sense", "bank: sloping land", "bank: financial institution",
                       confidence=0.62, query_chosen=True)
    [tip] = re.findall(r'title="([^"]*)"', passage_html(passage([chosen])))
    assert "query: bank: sloping land (your choice); here: bank: financial institution" in html.unescape(tip)
    pooled = Highlight(*bank, "bank", "bank", 0.9, "same sense", "bank: financial institution",
                       "bank: financial institution", confidence=0.4, document_uses=2)
    [tip] = re.findall(r'title="([^"]*)"', passage_html(passage([pooled])))
    assert html.unescape(tip).endswith("; unclear alone, read with its 2 other uses in this document")


def test_a_query_word_with_markup_cannot_break_out_of_the_title() -> None:
    bank = at("bank")
    out = passage_html(passage([Highlight(*bank, "bank", '"><img src=x onerror=alert(1)>', 0.7)]))
    assert "<img" not in out


def test_the_whole_document_is_escaped_with_its_passage_marked_once() -> None:
    text = "An <b>intro</b> line.\n" + TEXT + "\nA last line & more."
    start = text.index(TEXT)
    bank = (start + TEXT.index("bank"), start + TEXT.index("bank") + 4)
    out = document_html(text, Passage(TEXT, start, start + len(TEXT), 0.9, [Highlight(*bank, "bank", "bank", 1.0)]),
                        'passage-dm-7"><img')
    box, script = out.split("<script>")
    assert "<b>" not in box and "<img" not in out
    assert html.unescape(re.sub(r"<[^>]+>", "", box)) == text  # no character lost or doubled
    span = re.search(r'<span id="passage-dm-7---img" class="hit-passage"[^>]*>(.*?)</span>', box).group(1)
    assert span == passage_html(Passage(TEXT, start, start + len(TEXT), 0.9, [Highlight(*bank, "bank", "bank", 1.0)]))
    assert 'getElementById("passage-dm-7---img")' in script


def test_a_passage_that_no_longer_fits_the_document_is_left_unmarked() -> None:
    out = document_html("The document was edited since.", passage([]), "p")
    assert "hit-passage" not in out and "<script>" not in out
    assert document_html("Plain text.", None, "p").endswith("Plain text.</div>")


def test_a_cards_passage_keeps_a_short_lead_before_its_first_match() -> None:
    # A long sentence whose only match lies past the five lines a card shows.
    text = ("When the chief guide was asked why he had not called off the canyoning trip on that fateful "
            "afternoon, he said that the water was low and that the gorge had never flooded in a summer storm.")
    start = 1_000
    flooded = start + text.index("flooded")
    shown = Passage(text, start, start + len(text), 0.9, [Highlight(flooded, flooded + 7, "flooded", "flood", 1.0)])
    card = passage_html(shown, room=80)
    visible = re.sub(r"<mark[^>]*>|</mark>", "", card)
    assert visible.startswith("… ") and text.endswith(visible[2:])  # a tail of the sentence, nothing rewritten
    lead = visible[2:].index("flooded")
    assert 30 <= lead <= 40  # about half the room before the match
    assert text[text.index(visible[2:]) - 1] == " "  # cut at a word: "… had never", not "… ad never"
    assert passage_html(shown) == passage_html(shown, room=len(text))  # the whole passage where its match fits


def test_a_passage_whose_match_comes_early_is_shown_whole_on_its_card() -> None:
    bank = at("bank")
    assert passage_html(passage([Highlight(*bank, "bank", "bank", 1.0)]), room=50) == passage_html(
        passage([Highlight(*bank, "bank", "bank", 1.0)]))


def test_a_verdict_read_with_one_other_use_says_so_in_the_singular() -> None:
    bank = at("bank")
    pooled = Highlight(*bank, "bank", "bank", 0.9, "same sense", "bank: financial institution",
                       "bank: financial institution", confidence=0.4, document_uses=1)
    [tip] = re.findall(r'title="([^"]*)"', passage_html(passage([pooled])))
    assert html.unescape(tip).endswith("; unclear alone, read with its other use in this document")


# A hit card shows some 160 characters of a passage of up to 400: where it starts (search/render.py).
LONG = ("Walkers on the towpath say the canal looks calmer this spring than for years, and a heron fishes by the lock "
        "most mornings. Further on, where the old mill stood, the bank of the river has slumped after the winter "
        "floods, and the council says it will be shored up with stakes and willow.")


def long_passage(*marked: tuple[str, str]) -> Passage:
    """LONG at offset 1000 with a highlight of each (word, kind)."""
    found = []
    for word, kind in marked:
        start = 1000 + LONG.index(word)
        found.append(Highlight(start, start + len(word), word, word, 1.0, kind))
    return Passage(LONG, 1000, 1000 + len(LONG), 0.9, found)


def test_a_card_starts_at_the_passage_when_its_matches_lie_within_what_it_shows() -> None:
    shown = long_passage(("canal", "related"), ("heron", "same word"))
    assert excerpt_start(shown, CARD_CHARS) == 1000
    assert excerpt(shown, CARD_CHARS) == LONG


def test_a_card_starts_a_few_words_before_a_first_match_it_would_not_show() -> None:
    shown = long_passage(("river", "same word"))
    start = excerpt_start(shown, CARD_CHARS)
    river = 1000 + LONG.index("river")
    assert river - CARD_CHARS // 2 <= start < river and LONG[start - 1000 - 1] == " "  # at a word
    assert excerpt(shown, CARD_CHARS).startswith("… ")


def test_a_card_shows_a_sense_verdict_before_an_earlier_related_word() -> None:
    # "canal" is merely related and lies first; the struck-through "bank" lies beyond the first 160 characters.
    assert LONG.index("bank") > CARD_CHARS
    shown = long_passage(("canal", "related"), ("bank", "other sense"))
    start = excerpt_start(shown, CARD_CHARS)
    bank = 1000 + LONG.index("bank")
    assert start < bank and bank + len("bank") <= start + CARD_CHARS
    assert 'class="match other-sense"' in passage_html(shown, CARD_CHARS)
    assert 'class="match related"' not in passage_html(shown, CARD_CHARS)  # the card cannot show both
    # Two plain matches early outweigh one related word late, and the earliest of equals wins.
    assert excerpt_start(long_passage(("canal", "same word"), ("heron", "term"), ("willow", "related")),
                         CARD_CHARS) == 1000
