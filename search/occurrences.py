"""Occurrences of query words read in context for the explanation: which
sense a passage's "bank" has, read from the words around it, either by the
index's `SensesMethod` (the collection's senses) or by the distilled biLM
for the general sense inventory (`indexing.senses.dictionary`: the unit
head vector of the window, ``contexts``).

Consumes documents' sentences (text and tokens) and the positions of the
occurrences wanted; produces each occurrence as a `TaggedToken` (its sense,
its contextual vector), or its context vector for the general inventory.
For the collection's senses, the biLM's cost grows with every token it
reads, so an occurrence is read from ``radius`` tokens either side of it,
not its whole sentence (occurrences whose windows overlap are read in one
window), while its context bag still comes from the whole sentence, as at
index time. For the general inventory, indexing has usually read every
occurrence already (`indexing.senses.readings`); one it has not (its
document was indexed with other models, or its upload was cut short) is
read here as indexing would have read it, its window sliced from the
reading of its whole sentence. Readings are cached across queries: popular
passages come back query after query. One `OccurrenceReader` serves one
`SensesMethod` (its inventory names the senses); `SearchEngine` keeps one
for the senses of the generation it last explained.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from indexing.contextual import DISTILLED_MODEL, BiLMReader, query_sentences, shared_reader
from indexing.documents import Token
from indexing.lru import LruCache
from indexing.senses.dictionary import english_senses
from indexing.senses.glosses import window_terms
from indexing.senses.method import SensesMethod, TaggedToken
from indexing.senses.occurrence import Window
from indexing.senses.readings import window_vectors

# Occurrences kept (~2.5 KB each).
READINGS_CACHED = 20_000


class OccurrenceReader:
    def __init__(self, senses: SensesMethod, general: BiLMReader | None = None, size: int = READINGS_CACHED) -> None:
        """``general``: the distilled biLM the general sense inventory was
        built with (None: no general inventory)."""
        self.senses = senses
        self.general = general
        self._cache = LruCache(size)  # (sentence key, position) -> TaggedToken
        self._contexts = LruCache(size)  # (sentence key, position) -> unit context vector

    @classmethod
    def with_general_inventory(cls, senses: SensesMethod) -> OccurrenceReader:
        """A reader for ``senses`` that also reads for the shipped general
        inventory, when that was built with the shipped distilled biLM."""
        return cls(senses, shared_reader(DISTILLED_MODEL) if english_senses() is not None else None)

    def query_contexts(self, query: str, words: set[str], radius: int) -> dict[int, Window]:
        """`query_contexts` with the ``general`` biLM."""
        return query_contexts(self.general, query, words, radius)

    def read_contexts(self, texts: Sequence[str], token_lists: Sequence[list[Token]],
                      positions: Sequence[Sequence[int]], radius: int,
                      keys: Sequence[Hashable]) -> list[dict[int, Window]]:
        """`window_contexts` with the ``general`` biLM, cached by ``keys``
        (one per sentence, naming its document and span) and position."""
        found: list[dict[int, Window]] = [{} for _ in texts]
        todo: list[list[int]] = [[] for _ in texts]
        for s, wanted in enumerate(positions):
            for i in sorted(set(wanted)):
                if (cached := self._contexts.get((keys[s], i))) is not None:
                    found[s][i] = cached
                else:
                    todo[s].append(i)
        for s, read in enumerate(window_contexts(self.general, texts, token_lists, todo, radius)):
            for i, vector in read.items():
                found[s][i] = vector
                self._contexts.put((keys[s], i), vector)
        return found

    def read(self, texts: Sequence[str], token_lists: Sequence[list[Token]], positions: Sequence[Sequence[int]],
             radius: int, keys: Sequence[Hashable] | None = None) -> list[dict[int, TaggedToken]]:
        """The tokens at ``positions`` of each sentence (a document's text and
        the sentence's tokens), tagged with their sense in context. With
        ``keys`` (one per sentence, naming its document and span), readings
        are cached across calls."""
        found: list[dict[int, TaggedToken]] = [{} for _ in texts]
        windows: list[tuple[int, int, int, list[int]]] = []  # (sentence, lo, hi, its positions) still to read
        for s, (tokens, wanted) in enumerate(zip(token_lists, positions)):
            for i in sorted(set(wanted)):
                cached = self._cache.get((keys[s], i)) if keys is not None else None
                if cached is not None:
                    found[s][i] = cached
                    continue
                lo, hi = max(0, i - radius), min(len(tokens), i + radius + 1)
                if windows and windows[-1][0] == s and lo <= windows[-1][2]:
                    windows[-1] = (s, windows[-1][1], hi, [*windows[-1][3], i])
                else:
                    windows.append((s, lo, hi, [i]))
        layers = self.senses.reader.encode_layers([texts[s] for s, _, _, _ in windows],
                                                  [token_lists[s][lo:hi] for s, lo, hi, _ in windows])
        for (s, lo, _, wanted), window_layers in zip(windows, layers):
            vectors = self.senses.sense_vectors(window_layers)[[i - lo for i in wanted]]  # (len(wanted), d)
            for i, tagged in zip(wanted, self.senses.read(token_lists[s], wanted, vectors)):
                found[s][i] = tagged
                if keys is not None:
                    self._cache.put((keys[s], i), tagged)
        return found

    def forget(self) -> None:
        """Empty the caches (benchmarks time cold reads)."""
        self._cache.clear()
        self._contexts.clear()


def query_contexts(reader: BiLMReader, query: str, words: set[str], radius: int) -> dict[int, Window]:
    """Token start -> unit context vector of each occurrence of ``words`` in
    ``query``: the ``radius`` tokens either side of it, sliced from the
    query's reading that the ranking methods share, as a passage's are
    (`window_contexts`)."""
    token_lists, layers = reader.read_query(query)
    found = {}
    for tokens, sentence in zip(token_lists, layers):
        wanted = [i for i, t in enumerate(tokens) if t.norm in words]
        found.update(zip((tokens[i].start for i in wanted), windows(reader, sentence, wanted, radius)))
    return found


def query_terms(query: str, radius: int) -> dict[int, frozenset[str]]:
    """Token start -> the keyword terms of the ``radius`` tokens either side
    of it in its sentence of ``query``: the words `query_contexts` reads
    around it, for the gloss overlap of its sense reading."""
    found = {}
    for tokens in query_sentences(query):
        norms = [t.norm for t in tokens]
        found.update((t.start, window_terms(norms, i, radius)) for i, t in enumerate(tokens))
    return found


# Words after which a noun stands ("the pen", "in the pen", "with a pike"), and
# words that may end a noun phrase when a noun stands before them ("nail
# after", "plant for"). A cue, not a parser: the biLM read "split nail after
# manicure" nearest "to nail".
_BEFORE_NOUN = frozenset("a an the this that these those my your his her its our their some any no every each "
                         "in on of for with at from by under over near into onto about after before".split())
_AFTER_NOUN = frozenset("in on of for with at from by under over near into onto about after before and or".split())


def noun_positions(query: str) -> set[int]:
    """Token starts of the words of ``query`` that stand where a noun
    stands: after a determiner or a preposition, or after another word when
    a preposition, a conjunction or the end follows ("spider plant", "split
    nail after manicure"; not "the company plants trees")."""
    found = set()
    for tokens in query_sentences(query):
        words = [t for t in tokens if t.norm[:1].isalnum()]
        for i, token in enumerate(words[1:], 1):
            before, after = words[i - 1].norm, words[i + 1].norm if i + 1 < len(words) else None
            if token.norm in _BEFORE_NOUN or token.norm in _AFTER_NOUN:
                continue
            ends_phrase = after is None or after in _AFTER_NOUN
            if before in _BEFORE_NOUN or (ends_phrase and before not in _AFTER_NOUN):
                found.add(token.start)
    return found


def window_contexts(reader: BiLMReader, texts: Sequence[str], token_lists: Sequence[list[Token]],
                    positions: Sequence[Sequence[int]], radius: int) -> list[dict[int, Window]]:
    """The unit context vector of each occurrence at ``positions`` of each
    sentence: the ``radius`` tokens either side of it, sliced from
    ``reader``'s biLM reading of the whole sentence (`readings.window_vectors`),
    exactly as indexing reads it (`readings.read_documents`) and as a
    query's words are read; each sentence is read once, in one batch."""
    found: list[dict[int, Window]] = [{} for _ in texts]
    todo = [s for s, wanted in enumerate(positions) if wanted]
    if not todo:
        return found
    layers = reader.encode_layers([texts[s] for s in todo], [token_lists[s] for s in todo])
    for s, sentence in zip(todo, layers):
        wanted = sorted(set(positions[s]))
        found[s].update(zip(wanted, windows(reader, sentence, wanted, radius)))
    return found


def windows(reader: BiLMReader, layers: np.ndarray, positions: Sequence[int], radius: int) -> list[Window]:
    """The occurrences at ``positions`` of a sentence ``reader``'s biLM read
    (``layers``): their window vectors (`readings.window_vectors`), each
    with its part of speech (`Dictionary.windows`), as indexing reads them."""
    vectors = window_vectors(reader.encoder, layers, positions, radius)
    general = english_senses()
    return general.windows(vectors, layers, positions) if general is not None else [Window(v) for v in vectors]


def job_lists(wanted: dict[tuple, tuple]) -> tuple[list[str], list[list[Token]], list[list[int]]]:
    """Texts, token lists and positions of (document, tokens, positions)
    jobs, keyed by (document id, sentence start, end): what
    `OccurrenceReader.read` and `read_contexts` take."""
    found = list(wanted.values())
    return [d.text for d, _, _ in found], [t for _, t, _ in found], [p for _, _, p in found]


def cache_keys(wanted: dict[tuple, tuple]) -> list[tuple]:
    """Cache keys of (document id, sentence start, end) jobs, with the text:
    a deleted document's id may have been reused by an older index."""
    return [(*key, d.text[key[1] : key[2]]) for key, (d, _, _) in wanted.items()]
