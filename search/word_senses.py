"""The word-senses view: a word's senses with examples, and a 2-D map of its
occurrences in the corpus coloured by sense, with the query's occurrence on it.

Consumes an index with a `SensesMethod` and a word; produces a `WordMap`:
plain records the UI draws (senses, and one point per occurrence). The map is
the first two principal components of the occurrences' sense features (the
biLM vector and the topical context bag), as the word's senses were clustered.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexing.contextual import sentence_tokens
from indexing.senses.inventory import Sense
from indexing.senses.method import SensesMethod
from indexing.store import DocumentStore
from indexing.text import normalize, tokenize

MAX_OCCURRENCES = 150  # encoded on demand: about a second on two cores
MAX_DOCUMENTS = 400


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    sense: str  # the sense's name; "query" for the query's occurrence
    context: str  # the sentence, trimmed
    doc_id: int | None
    title: str


@dataclass(frozen=True)
class WordMap:
    word: str
    senses: list[Sense]
    points: list[Point]
    query_sense: str  # the query occurrence's sense name, "" if the query lacks the word


@dataclass(frozen=True)
class Occurrences:
    """A word's occurrences in the collection, read in context: what the map
    needs that does not depend on the query (the costly part: each sentence
    goes through the biLM), so the UI caches it by word."""

    word: str
    features: np.ndarray  # (n, d) the sense features each occurrence's sense was read from
    meta: list[tuple[str, int, str, int | None]]  # (context, doc id, title, sense) per occurrence


def word_occurrences(store: DocumentStore, senses: SensesMethod, word: str) -> Occurrences:
    """Up to MAX_OCCURRENCES occurrences of ``word`` in the stored documents."""
    word = normalize(word.strip())
    found = _occurrences(store, word)
    tagged = senses.tag([text for text, _, _, _ in found], [tokens for _, tokens, _, _ in found])
    vectors, meta = [], []
    for (text, _tokens, doc_id, title), sentence in zip(found, tagged):
        for t in sentence:
            if t.token.norm == word:
                vectors.append(t.feature)
                meta.append((_context(text, t.token.start, t.token.end), doc_id, title, t.sense))
    features = np.stack(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)
    return Occurrences(word, features, meta)


def word_map(occurrences: Occurrences, senses: SensesMethod, query: str = "") -> WordMap:
    """The map of a word's occurrences, with the query's occurrence of it
    (if any) placed among them."""
    word, inventory = occurrences.word, senses.inventory
    query_vector, query_sense = None, ""
    if query:
        hit = next((t for t in senses.tag_query(query) if t.token.norm == word), None)
        if hit is not None:
            # The sense the explanation gives the query's word: read from its context bag.
            query_vector, query_sense = hit.feature, senses.sense_name(word, senses.topical_sense(hit))
    if not occurrences.meta:
        return WordMap(word, inventory.senses(word), [], query_sense)
    every = np.concatenate([occurrences.features] + ([query_vector[None]] if query_vector is not None else []))
    space = inventory.centred(word, every) if word in inventory else every
    xy = _principal_components(space)
    points = [Point(float(x), float(y), senses.sense_name(word, sense) or word, context, doc_id, title)
              for (x, y), (context, doc_id, title, sense) in zip(xy, occurrences.meta)]
    if query_vector is not None:
        points.append(Point(float(xy[-1, 0]), float(xy[-1, 1]), "query", query, None, "your query"))
    return WordMap(word, inventory.senses(word), points, query_sense)


def inventory_size(senses: SensesMethod) -> tuple[int, int]:
    """(words with a sense inventory, those of them with more than one sense)."""
    return len(senses.inventory), len(senses.inventory.ambiguous_words())


def word_choices(senses: SensesMethod, query: str) -> list[str]:
    """The words the view offers: the query's words that have senses (those
    with several first), then every other ambiguous word, then the rest."""
    inventory = senses.inventory
    in_query = list(dict.fromkeys(t.norm for t in tokenize(query) if t.norm in inventory))
    in_query.sort(key=lambda w: len(inventory.senses(w)) < 2)  # stable: query order within each group
    ambiguous = inventory.ambiguous_words()
    taken = set(in_query)
    rest = [w for w in ambiguous if w not in taken]
    taken |= set(rest)
    return in_query + rest + [w for w in inventory.words() if w not in taken]


def _occurrences(store: DocumentStore, word: str) -> list[tuple[str, list, int, str]]:
    """Sentences of stored documents that contain ``word``: (document text,
    sentence tokens, doc id, title), at most MAX_OCCURRENCES."""
    found = []
    for document in store.containing(word, MAX_DOCUMENTS):
        for sentence in store.sentences(document.id):
            tokens = sentence_tokens(document.text, sentence)
            if any(t.norm == word for t in tokens):
                found.append((document.text, tokens, document.id, document.title))
                if len(found) >= MAX_OCCURRENCES:
                    return found
    return found


def _context(text: str, start: int, end: int, width: int = 80) -> str:
    lo, hi = max(0, start - width), min(len(text), end + width)
    return f"{'…' if lo else ''}{text[lo:start]}[{text[start:end]}]{text[end:hi]}{'…' if hi < len(text) else ''}"


def _principal_components(points: np.ndarray) -> np.ndarray:
    centred = points - points.mean(axis=0)
    if len(points) < 2:
        return np.zeros((len(points), 2), dtype=np.float32)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    xy = centred @ vt[:2].T
    return np.pad(xy, ((0, 0), (0, 2 - xy.shape[1])))
