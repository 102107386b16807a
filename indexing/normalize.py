"""The form a model sees of a word: the one normalisation every analyser
(indexing/text.py's regex words, indexing/korean.py's Latin runs inside
Korean text) applies, so the same word reads the same from either."""
from __future__ import annotations

import functools
import unicodedata


@functools.lru_cache(maxsize=1 << 16)  # every token of every passage shown goes through here
def normalize(word: str) -> str:
    """The form a model sees: NFKC, lower-cased, typographic apostrophe folded."""
    return unicodedata.normalize("NFKC", word).lower().replace("’", "'")
