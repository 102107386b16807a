"""search/discourse.py: a word's other uses in its document, as its indexing read them."""
from __future__ import annotations

import numpy as np

from indexing.contextual import sentence_tokens
from indexing.documents import Sentence, StoredDocument
from indexing.senses.readings import Readings
from indexing.text import split_sentences, token_terms, tokenize
from search.discourse import MAX_USES, OtherUses
from tests.search.test_explain import hand_made_dictionary

TEXT = " ".join(f"Bank number {n} opened." for n in range(MAX_USES + 4)) + " A river ran by."


class Store:
    def __init__(self) -> None:
        self.asked = 0

    def sentences(self, doc_id: int) -> list[Sentence]:
        self.asked += 1
        return [Sentence(i, doc_id, i, span.start, span.end) for i, span in enumerate(split_sentences(TEXT))]


def other_uses(kept: Readings | None) -> tuple[OtherUses, Store]:
    store = Store()
    return OtherUses(hand_made_dictionary(), store, lambda doc_id: kept,
                     lambda document, span: sentence_tokens(document.text, span), radius=4), store


def test_the_nearest_other_uses_of_the_same_word_are_read_with_an_occurrence_once_per_document() -> None:
    document = StoredDocument(1, "t", TEXT, "t.txt", "h", len(tokenize(TEXT)), "2024-01-01")
    banks = [t for t in tokenize(TEXT) if t.norm == "bank"]
    # Each use kept as (sloping land, financial institution) = (n, n): its number, to tell them apart.
    starts = np.array([t.start for t in banks], dtype=np.int64)
    kept = Readings(starts, np.arange(0, 2 * len(banks) + 1, 2, dtype=np.int64),
                    np.repeat(np.arange(len(banks), dtype=np.float16), 2))
    uses, store = other_uses(kept)
    middle = banks[10]
    found = uses(document, middle)
    assert len(found) == MAX_USES
    numbers = [int(context.of([0])[0]) for context, _terms in found]
    assert 10 not in numbers and numbers[:2] in ([9, 11], [11, 9])  # the nearest first, never itself
    assert all(set(token_terms("opened")) <= terms for _context, terms in found)  # the terms around each use
    uses(document, banks[0])
    assert store.asked == 1  # the document's uses are found once


def test_a_document_its_indexing_did_not_read_has_no_other_uses() -> None:
    document = StoredDocument(1, "t", TEXT, "t.txt", "h", len(tokenize(TEXT)), "2024-01-01")
    uses, store = other_uses(None)
    assert uses(document, next(t for t in tokenize(TEXT) if t.norm == "bank")) == []
    assert store.asked == 0
