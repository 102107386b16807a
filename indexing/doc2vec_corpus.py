"""The corpus Doc2Vec trains on: the store's documents as gensim
`TaggedDocument`s of their words (`indexing.text.words`), tagged with their
store ids, long ones in chunks; and the vocabulary rule that keeps rare
Korean morphemes.

Consumes stored documents; produces a re-iterable corpus (Doc2Vec reads it
once per epoch), cached in memory up to `IN_MEMORY_WORDS`.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from gensim import utils
from gensim.models.doc2vec import TaggedDocument

from indexing import korean
from indexing.documents import StoredDocument
from indexing.text import words

logger = logging.getLogger(__name__)

CHUNK_WORDS = 10_000  # gensim ignores words past 10,000 in one document: longer ones train as chunks
IN_MEMORY_WORDS = 20_000_000  # above this the corpus is re-tokenised on every pass instead of cached


class TaggedCorpus:
    """The store's documents as gensim `TaggedDocument`s, tagged with their
    store ids; re-iterable, because Doc2Vec reads it once per epoch."""

    def __init__(self, documents: Iterable[StoredDocument], cache: bool = True) -> None:
        self._documents = documents
        self._cached: list[TaggedDocument] | None = None
        if cache:
            cached, total = [], 0
            for tagged in self._tagged():
                cached.append(tagged)
                total += len(tagged.words)
                if total > IN_MEMORY_WORDS:
                    logger.info("corpus over %d words: streaming it instead of caching", IN_MEMORY_WORDS)
                    break
            else:
                self._cached = cached

    def _tagged(self) -> Iterator[TaggedDocument]:
        for doc in self._documents:
            tokens = words(doc.text)
            for start in range(0, len(tokens), CHUNK_WORDS):
                yield TaggedDocument(tokens[start : start + CHUNK_WORDS], [doc.id])

    def __iter__(self) -> Iterator[TaggedDocument]:
        return iter(self._cached) if self._cached is not None else self._tagged()


def keep_rare_korean(word: str, count: int, min_count: int) -> int:
    """gensim's vocabulary rule: Korean morphemes seen once stay. Korean
    texts are few in most collections here (a handful among English ones),
    and a morpheme is already a lemma: 금리 seen once is the one mention of
    a topic, not a typo. Dropping them left a Korean query with no known
    word at all ("미세먼지 농도가 나빠서 외출을 자제했다") and DBOW found a
    Korean text from its own query for 7 to 10 of 16; keeping them,
    `python -m bench korean`'s figures. English words keep `min_count`."""
    if count >= min_count:
        return utils.RULE_KEEP
    return utils.RULE_KEEP if korean.has_hangul(word) else utils.RULE_DISCARD
