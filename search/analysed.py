"""What the query path reads from a stored document query after query: each
sentence's content words (the passage choice, search/passages.py) and the
BM25 terms of its opening (RM3's feedback, search/rm3.py).

Consumes stored documents (and their sentences); produces those words, each
computed once per document and kept in an LRU: the same documents come back
query after query, and analysing a long one cost more than the rest of its
query (bench/results/decisions.md). Keyed by the document's id and content
hash, so a document is never served another text's words. `SearchEngine`
keeps one, as it keeps the occurrences its explanations read.
"""
from __future__ import annotations

import sys

from indexing.documents import Sentence, StoredDocument
from indexing.lru import LruCache
from search.passages import sentence_content_words
from search.rm3 import feedback_terms

# Documents whose analyses are kept. Words are interned (one string per
# distinct word, a pointer per occurrence): all 399 of the demo's documents,
# long Wikipedia articles among them, take about 23 MB.
DOCUMENTS_CACHED = 500


class DocumentAnalyses:
    def __init__(self, size: int = DOCUMENTS_CACHED) -> None:
        self._cache = LruCache(size)

    def sentence_words(self, document: StoredDocument, sentences: list[Sentence]) -> list[list[str]]:
        """`passages.sentence_content_words` of `document`'s `sentences`."""
        key = ("sentences", document.id, document.content_hash, tuple((s.start, s.end) for s in sentences))
        if (found := self._cache.get(key)) is None:
            found = [[sys.intern(w) for w in words] for words in sentence_content_words(document, sentences)]
            self._cache.put(key, found)
        return found

    def feedback_terms(self, document: StoredDocument, max_chars: int, language: str) -> list[str]:
        """`rm3.feedback_terms` of `document`'s text."""
        key = ("feedback", document.id, document.content_hash, max_chars, language)
        if (found := self._cache.get(key)) is None:
            found = [sys.intern(t) for t in feedback_terms(document.text, max_chars, language)]
            self._cache.put(key, found)
        return found

    def forget(self) -> None:
        """Empty the cache (benchmarks time cold queries)."""
        self._cache.clear()
