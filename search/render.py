"""Turn hits into safe HTML and markdown for the UI: the passage with its
matched words marked, titles as literal text. Every piece of document text
is escaped."""
from __future__ import annotations

import html
import re

from search.hits import Passage

MARK_STYLE = "background:#ffe08a;border-radius:3px;padding:0 2px"
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def literal_markdown(text: str) -> str:
    """`text` to be shown as is inside Streamlit markdown: each ASCII
    punctuation character backslash-escaped (CommonMark renders those
    literally), so an uploaded title cannot become a link, an image, a
    heading or a colour directive."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def passage_html(passage: Passage) -> str:
    """The passage text with each highlight wrapped in <mark>, hover text
    naming the query word it met and the similarity."""
    parts, cursor = [], passage.start
    for h in sorted(passage.highlights, key=lambda h: h.start):
        if h.start < cursor:
            continue
        parts.append(html.escape(passage.text[cursor - passage.start : h.start - passage.start]))
        tip = html.escape(f"matches query word '{h.query_word}' (similarity {h.similarity:.2f})", quote=True)
        word = html.escape(passage.text[h.start - passage.start : h.end - passage.start])
        parts.append(f'<mark class="match" title="{tip}" style="{MARK_STYLE}">{word}</mark>')
        cursor = h.end
    parts.append(html.escape(passage.text[cursor - passage.start :]))
    return "".join(parts)
