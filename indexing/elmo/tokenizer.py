"""Training text for the biLM cut into paragraphs, sentences and tokens.

Consumes raw text; produces paragraphs (``split_paragraphs``), sentences
(``split_sentences``) and tokens (``tokenize``). The tokens are the
product's own (``indexing.text.tokenize``, the one analyser: words joined
through inner hyphens, apostrophes and dots, "well-known", "don't", "3.5",
"U.S"; Korean cut into morphemes; every other non-space character on its
own) as they are written: case is kept, the char CNN sees it (Peters et
al., 2018). WikiText's ``<unk>`` stays one token.
"""

from __future__ import annotations

import logging
import re

from indexing.elmo.vocab import UNK_TOKEN
from indexing.text import tokenize as analyse

logger = logging.getLogger(__name__)

BLANK_LINES = re.compile(r"\n\s*\n")
# A sentence ends at . ! or ? (optionally followed by closing quotes or brackets)
# when whitespace and an upper-case letter, digit or opening quote follow.
SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)\]]))\s+(?=[\"'“‘(\[]?[A-Z0-9])")
# ... but not after a title or an initial ("Mr. Smith", "J. S. Bach").
ABBREVIATION_END = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Mt|Jr|Sr|Rev|Gen|Col|Capt|Lt|No|vs|etc)|\b[A-Z])\.$")


def split_paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks of ``text``, each with its line breaks joined."""
    return [p for p in (" ".join(block.split()) for block in BLANK_LINES.split(text)) if p]


def tokenize(text: str) -> list[str]:
    if UNK_TOKEN in text:  # WikiText's placeholder for a rare word
        pieces = [tokenize(piece) for piece in text.split(UNK_TOKEN)]
        return [token for i, piece in enumerate(pieces) for token in ([UNK_TOKEN] if i else []) + piece]
    return [text[t.start : t.end] for t in analyse(text, keep_punct=True)]


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for part in SENTENCE_END.split(text):
        part = part.strip()
        if sentences and ABBREVIATION_END.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {part}"
        elif part:
            sentences.append(part)
    return sentences


def tokenize_sentences(text: str) -> list[list[str]]:
    """Sentences of ``text`` as token lists, empty ones dropped."""
    return [tokens for tokens in map(tokenize, split_sentences(text)) if tokens]
