"""Tokenisation and sentence splitting that keep character offsets.

Consumes raw text; produces `Token(norm, start, end)` and sentence `Span`s whose
offsets index the original string, so that the UI can highlight exactly the
characters a match came from.
"""
from __future__ import annotations

import functools
import re
import threading
import unicodedata

from indexing.documents import Span, Token
from indexing.stopwords import ENGLISH_STOP_WORDS

# Words keep inner apostrophes and hyphens ("don't", "well-known") and
# decimal points ("3.5"); punctuation is a token of its own when asked for.
_WORD = r"\w+(?:['’\-.]\w+)*"
_WORD_RE = re.compile(_WORD)
_WORD_OR_PUNCT_RE = re.compile(_WORD + r"|[^\w\s]")

# A sentence ends at . ! ? (plus closing quotes/brackets) followed by space,
# or at a blank line / line break between paragraphs.
_SENTENCE_END_RE = re.compile(r"""[.!?]+['"’”)\]]*(?=\s)|\n\s*\n|\n(?=\s*[-*#=•]|\s*\d+[.)]\s)""")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st vs etc e.g i.e u.s u.k no fig al inc ltd co corp gen col lt sgt "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
MAX_SENTENCE_WORDS = 80  # longer runs (lists, tables) are cut so encoders see bounded input


@functools.lru_cache(maxsize=1 << 16)  # every token of every passage shown goes through here
def normalize(word: str) -> str:
    """The form a model sees: NFKC, lower-cased, typographic apostrophe folded."""
    return unicodedata.normalize("NFKC", word).lower().replace("’", "'")


def tokenize(text: str, keep_punct: bool = False) -> list[Token]:
    """Split `text` into tokens with their character offsets into `text`."""
    pattern = _WORD_OR_PUNCT_RE if keep_punct else _WORD_RE
    return [Token(normalize(m.group()), m.start(), m.end()) for m in pattern.finditer(text)]


@functools.lru_cache(maxsize=1 << 16)  # called for every token a query's passages show
def is_content_word(norm: str) -> bool:
    """Function words (``stopwords.ENGLISH_STOP_WORDS``), bare numbers and
    punctuation say nothing about what a text is about: "the" matches everywhere."""
    return norm not in ENGLISH_STOP_WORDS and not norm.isdigit() and any(c.isalnum() for c in norm)


def document_frequencies(texts) -> dict[str, int]:
    """In how many of `texts` each word occurs."""
    from collections import Counter

    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(words(text)))
    return dict(counts)


def idf_table(document_frequency: dict[str, int], n_documents: int) -> tuple[dict[str, float], float]:
    """Smoothed idf per word, and the idf of a word never seen."""
    import math

    table = {w: math.log((n_documents + 1) / (df + 1)) + 1.0 for w, df in document_frequency.items()}
    return table, math.log(n_documents + 1) + 1.0


def words(text: str) -> list[str]:
    """The normalised words of `text`, as Doc2Vec trains and infers on them."""
    return [normalize(word) for word in _WORD_RE.findall(text)]


def stems(tokens: list[str], language: str = "english") -> list[str]:
    """The Snowball stems of normalised `tokens` (PyStemmer), one per token."""
    return _stemmer(language).stemWords(tokens)


_INNER_PUNCTUATION = re.compile(r"['’\-.]")  # what `_WORD` keeps inside a word


def terms(text: str, language: str = "english") -> list[str]:
    """The keyword-search terms of `text`: its words (`words`), compounds
    cut into their parts ("low-fat" -> "low", "fat"), the content words among
    them (`is_content_word`: stop words and bare numbers out), stemmed, so
    that "running" meets "runs". BM25 indexes documents and reads queries
    with it. (Cutting compounds raised BM25's dev nDCG@10 by 0.014 on
    NFCorpus and 0.006 on CISI.)"""
    parts = [part for word in words(text) for part in _INNER_PUNCTUATION.split(word)]
    return stems([part for part in parts if part and is_content_word(part)], language)


_stemmers = threading.local()  # a PyStemmer Stemmer is not safe to share between threads


def _stemmer(language: str):
    import Stemmer

    found = getattr(_stemmers, "by_language", None)
    if found is None:
        found = _stemmers.by_language = {}
    if language not in found:
        try:
            found[language] = Stemmer.Stemmer(language)
        except KeyError:
            raise ValueError(f"no stemmer for {language!r}; valid languages are "
                             f"{', '.join(Stemmer.algorithms())}") from None
    return found[language]


def split_sentences(text: str) -> list[Span]:
    """Sentence spans of `text`, stripped of surrounding white space.

    Spans never contain more than `MAX_SENTENCE_WORDS` words and never are
    empty; text with no words gives no spans.
    """
    spans: list[Span] = []
    start = 0
    for m in _SENTENCE_END_RE.finditer(text):
        end = m.end()
        if m.group().startswith(".") and (_ends_with_abbreviation(text, m.start())
                                          or _numbers_list_item(text, m.start())):
            continue
        spans.extend(_trimmed_pieces(text, start, end))
        start = end
    spans.extend(_trimmed_pieces(text, start, len(text)))
    return spans


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    head = text[max(0, dot - 12) : dot]
    word = re.split(r"\s", head)[-1].lower().lstrip("(\"'")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _numbers_list_item(text: str, dot: int) -> bool:
    """The dot of "1. Water daily" at the start of a line numbers the item;
    it does not end a sentence "1."."""
    line_start = text.rfind("\n", 0, dot) + 1
    return re.fullmatch(r"\s*\d{1,3}", text[line_start:dot]) is not None


def _trimmed_pieces(text: str, start: int, end: int) -> list[Span]:
    """The span `[start, end)` stripped, cut into pieces of bounded length."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    found = list(_WORD_RE.finditer(text, start, end))
    if not found:
        return []
    pieces = []
    for i in range(0, len(found), MAX_SENTENCE_WORDS):
        chunk = found[i : i + MAX_SENTENCE_WORDS]
        piece_start = start if i == 0 else chunk[0].start()
        last = i + MAX_SENTENCE_WORDS >= len(found)
        pieces.append(Span(piece_start, end if last else chunk[-1].end()))
    return pieces
