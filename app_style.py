"""The page's CSS: room for six results columns on a 1280x800 screen. Less
padding above and beside the page, one-line column headings, compact hit
cards whose passage scrolls inside a bounded height and keeps clear of the
card's border and of the caption below it (Streamlit's markdown container
pulls the next element 1rem up, onto a box of fixed height).
`streamlit_app.py` applies it once per run; a style-only `st.html` takes
no space on the page."""
from __future__ import annotations

import streamlit as st

PAGE_CSS = """
[data-testid="stMainBlockContainer"] { padding: 3.25rem 1.5rem 4rem 1.5rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2rem; padding: 0; }
[data-testid="stColumn"] h3 { font-size: 1.1rem; line-height: 1.3; padding: 0.25rem 0; }
[class*="st-key-hit-"] { gap: 0.35rem; padding: 0.6rem 0.7rem 0.7rem 0.7rem; overflow-wrap: anywhere; }
[class*="st-key-hit-"] .passage { max-height: 7.5em; overflow-y: auto; line-height: 1.5; padding-bottom: 0.3em;
                                 scrollbar-width: thin; scrollbar-color: #b0b0b0 transparent; margin-bottom: 1rem; }
.legend { font-size: 0.85rem; line-height: 1.8; }
"""


def apply_style() -> None:
    st.html(f"<style>{PAGE_CSS}</style>")
