"""Tokenisation and sentence splitting that keep character offsets.

Consumes raw text; produces `Token(norm, start, end)` and sentence `Span`s whose
offsets index the original string, so that the UI can highlight exactly the
characters a match came from.
"""
from __future__ import annotations

import functools
import re
import threading

from indexing import korean
from indexing.documents import Span, Token
from indexing.normalize import normalize
from indexing.stopwords import ENGLISH_STOP_WORDS, KOREAN_STOP_WORDS

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


def tokenize(text: str, keep_punct: bool = False) -> list[Token]:
    """Split `text` into tokens with their character offsets into `text`:
    the one analyser every model, index and highlight reads text with.
    Words cut at the regex `_WORD`; runs of Korean words are cut into
    morphemes instead (`indexing.korean`), so 금리가 and 금리를 share 금리.
    The language is detected per run of words, so a document or a query
    that mixes English and Korean reads each part with its own analyser."""
    pattern = _WORD_OR_PUNCT_RE if keep_punct else _WORD_RE
    if not korean.has_hangul(text):
        return _regex_tokens(pattern, text, 0, len(text))
    tokens, cursor = [], 0
    for start, end in _hangul_runs(text):
        tokens += _regex_tokens(pattern, text, cursor, start)
        tokens += [Token(t.norm, t.start + start, t.end + start)
                   for t in korean.morphemes(text[start:end], keep_punct)]
        cursor = end
    return tokens + _regex_tokens(pattern, text, cursor, len(text))


def _regex_tokens(pattern: re.Pattern, text: str, start: int, end: int) -> list[Token]:
    return [Token(normalize(m.group()), m.start(), m.end()) for m in pattern.finditer(text, start, end)]


def _hangul_runs(text: str) -> list[tuple[int, int]]:
    """`[start, end)` of each run of consecutive words that hold Hangul
    (with what lies between them), for the Korean analyser to read whole:
    it needs a word's neighbours to cut it right."""
    runs: list[tuple[int, int]] = []
    extends = False
    for m in _WORD_RE.finditer(text):
        if not korean.has_hangul(m.group()):
            extends = False
        elif extends:
            runs[-1] = (runs[-1][0], m.end())
        else:
            runs.append((m.start(), m.end()))
            extends = True
    return runs


KOREAN_ANALYSER = "Korean (Kiwi morphemes)"
WORD_ANALYSER = "words (English rules)"  # English, and any other script, cut at `_WORD`
_OTHER_LETTER_RE = re.compile(f"[^\\W\\d_{korean.HANGUL}]")  # a letter that is not Hangul


def analysers(text: str) -> list[str]:
    """Which analysers read `text`, for the page and the JSON to say so."""
    found = [KOREAN_ANALYSER] if korean.has_hangul(text) else []
    return found + [WORD_ANALYSER] if _OTHER_LETTER_RE.search(text) else found


@functools.lru_cache(maxsize=1 << 16)  # called for every token a query's passages show
def is_content_word(norm: str) -> bool:
    """Function words (``stopwords.ENGLISH_STOP_WORDS``; Korean particles,
    endings and other morphemes the analyser tags as function, written
    ``form/TAG``, and ``stopwords.KOREAN_STOP_WORDS``), bare numbers and
    punctuation say nothing about what a text is about: "the" matches everywhere."""
    return (norm not in ENGLISH_STOP_WORDS and norm not in KOREAN_STOP_WORDS
            and korean.FUNCTION_MARK not in norm and not norm.isdigit() and any(c.isalnum() for c in norm))


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
    """The normalised words of `text`, as Doc2Vec trains and infers on them:
    `tokenize`'s norms (English-only text takes a faster path to the same),
    less Korean particles and endings. Those are bound to the word before
    them and carry its grammar, not its topic (English keeps that inside
    the word: "raised"); and in a collection that is mostly English,
    frequency subsampling does not thin them as it thins "the" and "of", so
    they made half of every Korean text's training words and its Doc2Vec
    vector said "Korean" more than what the text was about. Without them,
    sixteen Korean texts among the Lee stories found themselves from their
    own queries in the top 3 for 7 and 10 of 16 (DBOW, two seeds; with them
    3 to 5) and 11 and 14 (DM; with them 4 to 6): `python -m bench korean`."""
    if korean.has_hangul(text):
        return [t.norm for t in tokenize(text) if korean.FUNCTION_MARK not in t.norm]
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
    with it. (Cutting compounds raised BM25's dev nDCG@10 on both
    collections: bench/results/decisions.md.)"""
    return _word_terms(words(text), language)


def token_terms(norm: str, language: str = "english") -> list[str]:
    """The terms of one token (its `Token.norm`), as `terms` gives them for
    it in running text: a norm is not analysed again (a Korean morpheme
    read alone could be cut differently than in its sentence)."""
    return list(_token_terms(norm, language))


@functools.lru_cache(maxsize=1 << 16)
def _token_terms(norm: str, language: str) -> tuple[str, ...]:
    # The explanations ask for the same words' terms thousands of times a query
    # (every window around every occurrence read): stemming each again cost ~20 ms.
    return tuple(_word_terms([norm], language))


def _word_terms(norms: list[str], language: str) -> list[str]:
    parts = [part for word in norms for part in _INNER_PUNCTUATION.split(word)]
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
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha() and not korean.has_hangul(word))


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
