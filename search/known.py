"""Whether a query says anything a meaning-based method can use.

ELMo and the senses read any string: a query of made-up words ("qwzx vvkq")
or of another language than the documents still gets a vector, and its
nearest documents came back with scores above what some real queries score
(distilled ELMo, test corpus). Neither the top score nor how far it stands
out from the query's other scores separated the two on that corpus
(bench/results/decisions.md), so no score floor can say "no good match" without refusing real queries. What
does separate them is whether any of the query's content words is a word:
an English word WordNet knows (any inflection, ``senses.lexicon``) or a word
of the collection (`CollectionWords`: the method's document frequencies, and
any word a document added since training holds, so names, jargon and
another language of the user's documents count).
"""
from __future__ import annotations

from collections.abc import Container

from indexing.errors import NoGoodMatchError, UnknownWordsError
from indexing.generation import Generation
from indexing.methods import LEXICAL
from indexing.senses.lexicon import english
from indexing.text import is_content_word, token_terms, tokenize


class CollectionWords:
    """The words of the collection as it is now: those a method counted when
    it was trained, and those any live document holds (BM25's index, which
    every upload and delete keeps in step), so that a word of an upload
    counts at once."""

    def __init__(self, counted: Container[str], live: Generation) -> None:
        self._counted = counted
        self._live = live if LEXICAL in live.methods else None

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and (word in self._counted or self.in_documents(word))

    def in_documents(self, word: str, added_since_training: bool = False) -> bool:
        """Whether a live document holds `word` (only those added since
        training, when asked)."""
        if self._live is None:
            return False
        terms = token_terms(word, self._live.method(LEXICAL).config.language)
        if not terms:
            return False
        if not added_since_training:
            return self._live.search(LEXICAL, terms, 1)[1].size > 0
        added = self._live.vectors[LEXICAL].added_ids()
        return bool(len(added)) and bool(self._live.vectors[LEXICAL].holding(terms, added).any())


def with_retrain_hint(error: UnknownWordsError, query: str, words: CollectionWords) -> UnknownWordsError:
    """`error` (a model knows none of the query's words) with a hint when
    documents added since the model was trained hold some of them:
    retraining teaches the model those words."""
    new = [t.norm for t in tokenize(query) if is_content_word(t.norm) and words.in_documents(t.norm, True)]
    if not new:
        return error
    return UnknownWordsError(f"{error} {', '.join(repr(w) for w in new[:3])} "
                             f"{'is' if len(new) == 1 else 'are'} in documents added since the models were "
                             "trained: Retrain teaches the models their words.")


def unknown_words(query: str, vocabulary: Container[str]) -> list[str] | None:
    """The query's content words when none of them is known, else None."""
    words = [t.norm for t in tokenize(query) if is_content_word(t.norm)]
    lexicon = english()
    if not words or any(w in vocabulary or lexicon.lemmas(w) for w in words):
        return None
    return words


def require_a_known_word(query: str, vocabulary: Container[str], label: str) -> None:
    """Raise NoGoodMatchError for a query none of whose content words is known."""
    unknown = unknown_words(query, vocabulary)
    if unknown is not None:
        raise NoGoodMatchError(
            f"No good match in {label}: none of {', '.join(repr(w) for w in unknown[:5])} is an English word "
            "or a word of your documents, so the nearest documents would be there by chance.")
