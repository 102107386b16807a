"""One sense per discourse (Gale, Church and Yarowsky, 1992): a word used
several times in one document is used in one sense, more often than not.
The explanation (`general_verdicts.py`) reads an occurrence that its own
words leave unclear again with the word's other uses in its document,
their scores averaged (`Dictionary.compare`'s ``also``), to agree with the
query's sense only (bench/results/decisions.md).

Consumes the store's sentences and the readings its indexing kept;
produces, for an occurrence, the other uses' kept readings and the terms
around them. Nothing is read by the biLM: a document its indexing did not
read has no other uses here, and its verdicts rest on each occurrence alone.
"""
from __future__ import annotations

from collections.abc import Callable

from indexing.documents import Span, StoredDocument, Token
from indexing.senses.dictionary import Context, Dictionary
from indexing.senses.glosses import window_terms
from indexing.senses.readings import Readings
from indexing.store import DocumentStore

# The other uses read with an occurrence, the nearest first: each costs a scoring
# (at 100k documents all of it cost 1 ms at p50 and 5-13 ms at p95 of the Hybrid).
MAX_USES = 16

Use = tuple[Context, frozenset[str]]  # a use's kept reading and the terms around it


class OtherUses:
    """The other uses of a word in a document, as its indexing read them; cached per (document, word)."""

    def __init__(self, general: Dictionary, store: DocumentStore | None,
                 kept_of: Callable[[int], Readings | None],
                 sentence_tokens: Callable[[StoredDocument, Span], list[Token]], radius: int) -> None:
        """``kept_of(document id)``: the readings its indexing kept, or None;
        ``sentence_tokens``: the explainer's (cached) tokens of a sentence;
        ``radius``: tokens either side whose terms a reading hears."""
        self.general, self._store, self._kept_of = general, store, kept_of
        self._sentence_tokens, self._radius = sentence_tokens, radius
        self._found: dict[tuple[int, str], list[tuple[int, Context, frozenset[str]]]] = {}

    def __call__(self, document: StoredDocument, token: Token) -> list[Use]:
        """The uses of ``token``'s word (the same form) in ``document`` other
        than ``token``, the MAX_USES nearest; none where indexing did not read it."""
        key = (document.id, token.norm)
        if key not in self._found:
            self._found[key] = self._uses(document, token.norm)
        others = sorted((use for use in self._found[key] if use[0] != token.start),
                        key=lambda use: abs(use[0] - token.start))
        return [(context, around) for _, context, around in others[:MAX_USES]]

    def _uses(self, document: StoredDocument, word: str) -> list[tuple[int, Context, frozenset[str]]]:
        kept = self._kept_of(document.id) if self._store is not None else None
        if kept is None:
            return []
        found = []
        for sentence in self._store.sentences(document.id):
            if word not in document.text[sentence.start : sentence.end].lower():
                continue  # cheap: most sentences of a long document lack the word
            tokens = self._sentence_tokens(document, sentence)
            norms = [t.norm for t in tokens]
            found += [(t.start, context, window_terms(norms, i, self._radius)) for i, t in enumerate(tokens)
                      if t.norm == word and (context := kept.context(t, self.general)) is not None]
        return found
