"""Turn hits into safe HTML and markdown for the UI: the passage with its
matched words marked, titles as literal text. Every piece of document text
is escaped."""
from __future__ import annotations

import html
import re

from indexing.senses.dictionary import MIN_MARGIN
from search.hits import Highlight, Passage
from search.passages import word_start

MARK_STYLE = "background:#ffe08a;border-radius:3px;padding:0 2px"
# Highlight colours by how the words met (search/explain.py): the page must
# show "bank" of a river meeting "bank" of a loan as a mismatch.
KIND_STYLES = {
    "same sense": "background:#b7e4c7;border-radius:3px;padding:0 2px",
    "same word": "background:#ffe08a;border-radius:3px;padding:0 2px",
    "related": "background:#cfe2ff;border-radius:3px;padding:0 2px",
    "other sense": "background:#f8c4c4;border-radius:3px;padding:0 2px;text-decoration:line-through wavy #c0392b",
    "word": MARK_STYLE,
    "term": "background:none;padding:0 1px",
}
# BM25's literal matches (same stem as a query word) are underlined, on top of
# the colour that says how the senses met: keyword and meaning side by side.
LITERAL_STYLE = ";border-bottom:2px solid #1f2937;font-weight:600"
LEGEND = {
    "same sense": "same word, same sense",
    "other sense": "same word, another sense",
    "related": "related word (same topic)",
    "same word": "same word (no sense verdict)",
    "term": "underlined: keyword match (BM25, same stem)",
}
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def literal_markdown(text: str) -> str:
    """`text` to be shown as is inside Streamlit markdown: each ASCII
    punctuation character backslash-escaped (CommonMark renders those
    literally), so an uploaded title cannot become a link, an image, a
    heading or a colour directive."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def _tip(h: Highlight) -> str:
    if h.confidence is not None and h.kind in ("same sense", "other sense"):  # the sense inventory's verdict
        tip = f"matches query word '{h.query_word}' ({h.similarity:.0%} likely in the same sense)"
    else:
        tip = f"matches query word '{h.query_word}' (similarity {h.similarity:.2f})"
    if h.kind in LEGEND and h.kind not in ("same word", "term"):
        tip += f"; {LEGEND[h.kind]}"
    if h.literal:
        tip += "; keyword match (BM25: same stem)"
    if h.query_sense or h.doc_sense:
        chosen = " (your choice)" if h.query_chosen else ""
        tip += f"; query: {h.query_sense or h.query_word}{chosen}; here: {h.doc_sense or h.word}"
    if h.confidence is not None:
        tip += f" (confidence {h.confidence:.2f}, a verdict needs {MIN_MARGIN:.2f})"
    if h.document_uses:
        tip += f"; unclear alone, read with {other_uses(h.document_uses)} in this document"
    return tip


def other_uses(n: int) -> str:
    """The other uses of a word that its verdict was read with (`Highlight.document_uses`), in words."""
    return "its other use" if n == 1 else f"its {n} other uses"


def legend_html() -> str:
    """One line naming each highlight colour."""
    return " ".join(f'<mark style="{KIND_STYLES[kind] + (LITERAL_STYLE if kind == "term" else "")}">'
                    f'{html.escape(text)}</mark>' for kind, text in LEGEND.items())


# A hit card's passage box shows about five lines (some 160 characters in six
# columns at 1280 px) and scrolls, and a passage is a sentence of up to 400
# (`passages.py`): a long sentence's matched words may lie below what the card
# shows. The card starts where it shows the most of what the page is for (a
# sense verdict above a plain match, a match above a related word), some words
# before the first of them, after an ellipsis; the whole passage is in the
# document view.
CARD_CHARS = 160
# What showing a highlight on a card is worth: a verdict on a word's sense first ("bank" struck through).
EXCERPT_WEIGHTS = {"other sense": 4, "same sense": 3, "related": 1}  # any other kind: a match without a verdict, 2
EXCERPT_LEAD = 2  # an excerpt that does not start the passage starts about room // EXCERPT_LEAD before its first match


def excerpt_start(passage: Passage, room: int) -> int:
    """Where an excerpt of ``passage`` shown in ``room`` characters begins
    (a document offset): of the passage's start and, for each highlight, a
    word about ``room // EXCERPT_LEAD`` characters before it, the one whose
    ``room`` characters hold the highlights worth most (`EXCERPT_WEIGHTS`),
    the earliest of equals."""
    def worth(start: int) -> int:
        return sum(EXCERPT_WEIGHTS.get(h.kind, 2) for h in passage.highlights
                   if start <= h.start and h.end <= start + room)

    starts = [passage.start]
    for h in sorted(passage.highlights, key=lambda h: h.start):
        cut = max(h.start - room // EXCERPT_LEAD, passage.start)
        starts.append(passage.start + word_start(passage.text, cut - passage.start, h.start - passage.start))
    return max(starts, key=lambda start: (worth(start), -start))


def excerpt(passage: Passage, room: int) -> str:
    """The plain text of ``passage`` from `excerpt_start`, after "… " where it is cut (the command line)."""
    start = excerpt_start(passage, room)
    return ("… " if start > passage.start else "") + passage.text[start - passage.start :]


def passage_html(passage: Passage, room: int | None = None) -> str:
    """The passage text with each highlight wrapped in <mark>, hover text
    naming the query word it met and the similarity. With ``room``, the
    characters it is shown in, an excerpt from `excerpt_start` after "… "
    (a hit card: `CARD_CHARS`)."""
    cursor = passage.start if room is None else excerpt_start(passage, room)
    parts = ["… "] if cursor > passage.start else []
    for h in sorted(passage.highlights, key=lambda h: h.start):
        if h.start < cursor:
            continue
        parts.append(html.escape(passage.text[cursor - passage.start : h.start - passage.start]))
        tip = html.escape(_tip(h), quote=True)
        word = html.escape(passage.text[h.start - passage.start : h.end - passage.start])
        style = KIND_STYLES.get(h.kind, MARK_STYLE) + (LITERAL_STYLE if h.literal else "")
        kind = html.escape(h.kind.replace(" ", "-"), quote=True) + (" literal" if h.literal else "")
        parts.append(f'<mark class="match {kind}" title="{tip}" style="{style}">{word}</mark>')
        cursor = h.end
    parts.append(html.escape(passage.text[cursor - passage.start :]))
    return "".join(parts)


PASSAGE_STYLE = "background:#fff3c4;box-shadow:0 0 0 2px #f0b429;border-radius:3px"
# The whole-document view scrolls itself to the passage: a fixed script (no
# document text in it), run once the box has been laid out.
_SCROLL_SCRIPT = """<script>
(function scroll(tries) {
  const passage = document.getElementById("%s");
  const box = passage && passage.closest(".document-view");
  if (box && box.clientHeight) { box.scrollTop = Math.max(0, passage.offsetTop - box.clientHeight / 3); }
  else if (tries < 50) { requestAnimationFrame(() => scroll(tries + 1)); }
})(0);
</script>"""


def document_html(text: str, passage: Passage | None, anchor: str) -> str:
    """The whole document `text`, escaped, in a scrollable box of fixed
    height, with the hit's passage marked (its matched words as
    `passage_html` marks them) under the id `anchor`, and a script that
    scrolls the box to it. A passage that no longer fits the text (the
    document changed since the search) is left unmarked."""
    anchor = re.sub(r"[^A-Za-z0-9_-]", "-", anchor)
    marked = passage is not None and text[passage.start : passage.end] == passage.text
    if marked:
        body = (html.escape(text[: passage.start])
                + f'<span id="{anchor}" class="hit-passage" style="{PASSAGE_STYLE}">{passage_html(passage)}</span>'
                + html.escape(text[passage.end :]))
    else:
        body = html.escape(text)
    box = ('<div class="document-view" style="position:relative;height:60vh;overflow-y:auto;white-space:pre-wrap;'
           f'padding:0.5rem 1rem;border:1px solid #ddd;border-radius:6px;line-height:1.6">{body}</div>')
    return box + (_SCROLL_SCRIPT % anchor if marked else "")
