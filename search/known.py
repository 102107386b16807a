"""Whether a query says anything a meaning-based method can use.

ELMo and the senses read any string: a query of made-up words ("qwzx vvkq")
or of another language than the documents still gets a vector, and its
nearest documents came back with scores of 0.36-0.49 (distilled ELMo, test
corpus), above what some real queries score (0.32-0.63). Neither the top
score nor how far it stands out from the query's other scores (z of 1.5-2.3
for nonsense, 1.8-2.8 for real queries) separated the two on that corpus, so
no score floor can say "no good match" without refusing real queries. What
does separate them is whether any of the query's content words is a word:
an English word WordNet knows (any inflection, ``senses.lexicon``) or a word
of the collection (the method's document frequencies, so names and jargon of
the user's documents count).
"""
from __future__ import annotations

from collections.abc import Container

from indexing.errors import NoGoodMatchError
from indexing.senses.lexicon import english
from indexing.text import is_content_word, tokenize


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
