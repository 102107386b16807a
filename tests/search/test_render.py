"""Passage HTML: document text is escaped, matched words are marked."""
from __future__ import annotations

import html
import re

from search.hits import Highlight, Passage
from search.render import passage_html

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


def test_a_query_word_with_markup_cannot_break_out_of_the_title() -> None:
    bank = at("bank")
    out = passage_html(passage([Highlight(*bank, "bank", '"><img src=x onerror=alert(1)>', 0.7)]))
    assert "<img" not in out
