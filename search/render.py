"""Turn hits into safe HTML for the UI: the passage with its matched words
marked. Every piece of document text is escaped."""
from __future__ import annotations

import html

from search.hits import Passage

MARK_STYLE = "background:#ffe08a;border-radius:3px;padding:0 2px"


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
