"""The simple regex tokenizer ELMo training and encoding share.

Consumes raw text; produces paragraphs (``split_paragraphs``), sentences
(``split_sentences``) and tokens
(``tokenize``): runs of word characters, joined through inner hyphens,
apostrophes and dots ("well-known", "don't", "3.5", "U.S"), and every other
non-space character on its own. WikiText's ``<unk>`` stays one token.
Case is kept: the char CNN sees it (Peters et al., 2018).
"""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

BLANK_LINES = re.compile(r"\n\s*\n")
TOKEN_PATTERN = re.compile(r"<unk>|\w+(?:[-'’.]\w+)*|[^\w\s]")
# A sentence ends at . ! or ? (optionally followed by closing quotes or brackets)
# when whitespace and an upper-case letter, digit or opening quote follow.
SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)\]]))\s+(?=[\"'“‘(\[]?[A-Z0-9])")
# ... but not after a title or an initial ("Mr. Smith", "J. S. Bach").
ABBREVIATION_END = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Mt|Jr|Sr|Rev|Gen|Col|Capt|Lt|No|vs|etc)|\b[A-Z])\.$")


def split_paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks of ``text``, each with its line breaks joined."""
    return [p for p in (" ".join(block.split()) for block in BLANK_LINES.split(text)) if p]


def tokenize(text: str) -> list[str]:
    return TOKEN_PATTERN.findall(text)


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
