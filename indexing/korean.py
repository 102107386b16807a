"""Korean text cut into morphemes (Kiwi), with offsets into the original text.

Consumes a run of text that holds Hangul; produces `Token`s whose offsets
index that text, so highlights mark exactly the characters a match came
from. A Korean word (eojeol) carries its particles and endings: 금리가,
금리를 and 기준금리는 share the morpheme 금리, and only cutting them apart
lets the query 금리 meet all three.

Norms, chosen so that every consumer of `Token.norm` (Doc2Vec, BM25, the
biLM's vocabulary, the senses, the explanations) reads them as words:
- nouns, roots, hanja and unknown words: the morpheme as written (금리);
- verb and adjective stems: the dictionary form, stem + 다 (올랐다 -> 오르다),
  which is how a Korean reader names the word; the highlight marks only
  the stem's characters (올 of 올랐다);
- Latin words and numbers inside Korean text: as the English path reads them;
- particles, endings, suffixes, pronouns, bound nouns, determiners and
  adverbs: ``form/TAG`` (가/JKS), so they never collide with a content word
  of the same spelling (가/JKS, the subject particle, against 가다, "to go")
  and `indexing.text.is_content_word` knows them as function morphemes.

Kiwi (kiwipiepy, Apache-2.0, with its Apache-2.0 model package) loads once
per process, in about a second, on the first Korean text; English-only text
never loads it. Loading it and its first analyses took 2.9 s inside the
first demo query that showed a Korean passage, so a search engine over a
collection that holds Korean warms it up beside the app's start
(`warm_up_in_background`).
"""
from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Callable

from indexing.documents import Token
from indexing.normalize import normalize

logger = logging.getLogger(__name__)

HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff"
HANGUL_RE = re.compile(f"[{HANGUL}]")

FUNCTION_MARK = "/"  # in a norm: "form/TAG", a function morpheme
# Kiwi's tags (Sejong tag set). Content: general and proper nouns, roots,
# verbs and adjectives (their stems), Chinese characters, unknown words.
NOUN_TAGS = frozenset({"NNG", "NNP", "XR", "SH", "UN"})
PREDICATE_TAGS = frozenset({"VV", "VA"})
FOREIGN_TAGS = frozenset({"SL", "SN"})  # Latin letters, numbers: read as the English path reads them
PUNCTUATION_TAGS = frozenset({"SF", "SP", "SS", "SSO", "SSC", "SE", "SO", "SW", "SB", "W_EMOJI"})


def has_hangul(text: str) -> bool:
    return HANGUL_RE.search(text) is not None


def morphemes(text: str, keep_punct: bool = False) -> list[Token]:
    """The morphemes of `text` as tokens, offsets into `text`. Punctuation
    is a token of its own only when `keep_punct`."""
    composed, origin = _composed(text)
    found = []
    for form, tag, start, length in _analyse(composed):
        tag = tag.split("-")[0]  # "VV-R", "VV-I": regular and irregular conjugation
        norm = _norm(form, tag)
        if norm is None or (not keep_punct and tag in PUNCTUATION_TAGS):
            continue
        end = min(start + max(length, 1), len(composed))
        found.append(Token(norm, origin[start], origin[end]))
    return found


def _norm(form: str, tag: str) -> str | None:
    if tag in NOUN_TAGS:
        return unicodedata.normalize("NFKC", form)
    if tag in PREDICATE_TAGS:
        return unicodedata.normalize("NFKC", form) + "다"
    if tag in FOREIGN_TAGS or tag in PUNCTUATION_TAGS:
        return normalize(form) if form.strip() else None
    return f"{unicodedata.normalize('NFKC', form)}{FUNCTION_MARK}{tag}"


def _composed(text: str) -> tuple[str, list[int]]:
    """`text` in NFC (Kiwi reads composed syllables only: decomposed jamo,
    as some PDFs and macOS file names hold them, read as one unknown noun),
    and for each character of the result plus its end, its offset in `text`."""
    if unicodedata.is_normalized("NFC", text):
        return text, list(range(len(text) + 1))
    composed, origin = [], []
    # A cluster is a starter and the characters that compose onto it.
    for match in re.finditer(r".[\u0300-\u036f\u1160-\u11ff]*", text, re.DOTALL):
        piece = unicodedata.normalize("NFC", match.group())
        composed.append(piece)
        origin.extend([match.start()] * len(piece))
    origin.append(len(text))
    return "".join(composed), origin


_lock = threading.Lock()  # one analyser per process; calls are serialised
CACHED_CHARS = 200  # queries, sentences and single words come back again and again; documents do not


def _analyse(text: str) -> tuple[tuple[str, str, int, int], ...]:
    return _analyse_short(text) if len(text) <= CACHED_CHARS else _analyse_now(text)


@functools.lru_cache(maxsize=1 << 14)
def _analyse_short(text: str) -> tuple[tuple[str, str, int, int], ...]:
    return _analyse_now(text)


def _analyse_now(text: str) -> tuple[tuple[str, str, int, int], ...]:
    with _lock:
        return tuple((t.form, t.tag, t.start, t.len) for t in _kiwi().tokenize(text))


@functools.lru_cache(maxsize=1)
def _kiwi():
    from kiwipiepy import Kiwi

    return Kiwi()


def warm_up_in_background(needed: Callable[[], bool]) -> threading.Thread:
    """Load Kiwi and run its first analysis on a daemon thread, if
    ``needed()`` (asked on that thread too: it may read the whole store).
    Returns the thread (tests join it)."""

    def warm() -> None:
        try:
            if not _kiwi.cache_info().currsize and needed():  # loaded already: nothing to read the store for
                _analyse_now("한국어 형태소를 미리 읽어 둔다.")
        except Exception as error:  # noqa: BLE001 - a warm-up that fails leaves the first query to load it
            logger.debug("Kiwi warm-up skipped: %s", error)

    thread = threading.Thread(target=warm, name="kiwi-warm-up", daemon=True)
    thread.start()
    return thread
