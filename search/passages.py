"""Find the passage of a hit that matched the query best, and the words in it
that met the query's words.

Consumes a stored document, its sentences and the query's tokens; produces a
`Passage` with `Highlight`s at character offsets into the document. Words are
compared by the method's context-free word vectors (cosine); the same word
always counts as a full match, and another word counts only above the method's
`related_threshold` (closer than 99% of random word pairs). Function words are
ignored: "the" matches everywhere and says nothing.
"""
from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from indexing.documents import Sentence, StoredDocument, Token
from indexing.text import is_content_word, tokenize, words
from search.hits import Highlight, Passage

MAX_PASSAGE_CHARS = 400
_SPACE = re.compile(r"\s+")


def content_tokens(text: str) -> list[Token]:
    return [t for t in tokenize(text) if _is_content(t.norm)]


_is_content = is_content_word


def sentence_content_words(document: StoredDocument, sentences: list[Sentence]) -> list[list[str]]:
    """Each sentence's content words, without offsets: a long document has
    tens of thousands of tokens, and only the chosen sentence's need offsets."""
    return [[w for w in words(document.text[s.start : s.end]) if _is_content(w)] for s in sentences]


def best_passage(document: StoredDocument, sentences: list[Sentence], query: list[Token], method,
                 sentence: Sentence | None = None,
                 words_of: Callable[[StoredDocument, list[Sentence]], list[list[str]]] = sentence_content_words,
                 ) -> Passage | None:
    """The sentence of `document` whose words best meet the query words, or
    `sentence` when the method already knows which one matched (a sentence
    index), with its words highlighted by the method's word vectors (the
    engine replaces those with contextual ones: search/explain.py).
    `words_of` gives the searched sentences' content words
    (`sentence_content_words`, or a cache of it: search/analysed.py)."""
    if sentence is not None:
        sentences = [sentence]
    query_words = sorted({t.norm for t in query if _is_content(t.norm)})
    if not sentences or not query_words:
        return None
    per_sentence = words_of(document, sentences)
    vocabulary = sorted({w for sentence_words in per_sentence for w in sentence_words})
    if not vocabulary:
        return None
    column = {w: i for i, w in enumerate(vocabulary)}
    similarity = method.word_vectors(query_words) @ method.word_vectors(vocabulary).T  # (q, u)
    for q, word in enumerate(query_words):
        if word in column:
            similarity[q, column[word]] = 1.0
    similarity[similarity < method.related_threshold] = 0.0
    # A sentence's score: the mean over query words of their best match in it.
    lengths = np.array([len(sentence_words) for sentence_words in per_sentence])
    filled = np.flatnonzero(lengths)
    token_columns = np.array([column[w] for sentence_words in per_sentence for w in sentence_words])
    first = (np.cumsum(lengths) - lengths)[filled]  # where each filled sentence's words begin
    scores = np.maximum.reduceat(similarity[:, token_columns], first, axis=1).mean(axis=0)  # (filled,)
    best = int(np.argmax(scores))  # the first of equals
    score, sentence = float(scores[best]), sentences[int(filled[best])]
    tokens = [Token(t.norm, t.start + sentence.start, t.end + sentence.start)
              for t in content_tokens(document.text[sentence.start : sentence.end])]
    block = similarity[:, [column[t.norm] for t in tokens]]  # (q, tokens of the sentence)
    highlights = [_highlight(document, tokens[i], query_words[q], float(block[q, i])) for i, q in _matched(block)]
    start, end = _window(document.text, sentence, highlights)
    return Passage(document.text[start:end], start, end, round(score, 4),
                   [h for h in highlights if start <= h.start and h.end <= end])


def _matched(similarity: np.ndarray) -> list[tuple[int, int]]:
    """(token position, query row) pairs to highlight: every exact match, and
    for each query word without one its most similar related word, credited
    to that query word. `similarity` is (q, n)."""
    chosen: dict[int, int] = {}
    for q, row in enumerate(similarity):
        exact = np.flatnonzero(row >= 1.0)
        for i in exact.tolist():
            chosen[i] = q
        if not len(exact) and row.max() > 0:
            chosen.setdefault(int(row.argmax()), q)
    return sorted(chosen.items())


def _highlight(document: StoredDocument, token: Token, query_word: str, similarity: float) -> Highlight:
    return Highlight(token.start, token.end, document.text[token.start : token.end], query_word,
                     round(similarity, 3))


def word_start(text: str, at: int, before: int) -> int:
    """``at`` where a word starts there, else the start of the next word
    before ``before`` ("air masses" cut at "asses" starts at the word after);
    ``at`` where none does."""
    if at == 0 or text[at - 1].isspace():
        return at
    gap = _SPACE.search(text, at, before)
    return gap.end() if gap else at


def _window(text: str, sentence: Sentence, highlights: list[Highlight]) -> tuple[int, int]:
    """The sentence, or a window of it around the highlights if it is long,
    cut between words ("air masses, depending" is not shown as "asses,
    depending"), never inside the first highlight."""
    if sentence.end - sentence.start <= MAX_PASSAGE_CHARS:
        return sentence.start, sentence.end
    centre = highlights[0].start if highlights else sentence.start
    start = max(sentence.start, centre - MAX_PASSAGE_CHARS // 3)
    end = min(sentence.end, start + MAX_PASSAGE_CHARS)
    if start > sentence.start:
        start = word_start(text, start, centre)
    if end < sentence.end and not text[end].isspace():  # inside a word: back to the last whole one
        whole = end
        while whole > start and not text[whole - 1].isspace():
            whole -= 1
        while whole > start and text[whole - 1].isspace():
            whole -= 1
        end = max(whole, highlights[0].end if highlights else start + 1)
    return start, end
