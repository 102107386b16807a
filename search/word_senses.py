"""The word-senses view: a word's senses with examples, and a 2-D map of its
occurrences in the corpus coloured by sense, with the query's occurrence on it.

Consumes an index with a `SensesMethod` and a word; produces a `WordMap`:
plain records the UI draws (senses, and one point per occurrence). A word the
general sense inventory gives two senses or more (`indexing.senses.dictionary`)
shows its dictionary senses, each with its definition, and each occurrence is
read as the explanation reads it (the distilled biLM over the words either
side): the map is the first two principal components of those context
vectors, coloured by the dictionary sense or "sense unclear". Any other word
shows the collection's senses: the map of the occurrences' sense features
(the biLM vector and the topical context bag), as its senses were clustered.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexing.contextual import DISTILLED_MODEL, sentence_tokens, shared_reader
from indexing.documents import Sentence, StoredDocument
from indexing.senses.dictionary import Dictionary, english_senses
from indexing.senses.glosses import window_terms
from indexing.senses.method import SensesMethod
from indexing.senses.names import may_be_name
from indexing.senses.readings import document_topic
from indexing.store import DocumentStore
from indexing.text import normalize, tokenize
from search.general_verdicts import GENERAL_RADIUS, UNCLEAR
from search.occurrences import query_contexts, query_terms, window_contexts

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
class ShownSense:
    name: str  # "bank: sloping land" or "bank (river, water, flood)"
    definition: str  # the dictionary's; "" for the collection's senses
    count: int  # occurrences in the sample
    example: str  # "" when no occurrence in the sample has it
    example_span: tuple[int, int]


@dataclass(frozen=True)
class WordMap:
    word: str
    senses: list[ShownSense]
    points: list[Point]
    query_sense: str  # the query occurrence's sense name, "" if the query lacks the word
    unseen: int = 0  # dictionary senses no occurrence in the sample was read clearly as (not listed)


@dataclass(frozen=True)
class Occurrences:
    """A word's occurrences in the collection, read in context: what the map
    needs that does not depend on the query (the costly part: each sentence
    goes through the biLM), so the UI caches it by word."""

    word: str
    features: np.ndarray  # (n, d) the sense features or context vectors each occurrence's sense was read from
    meta: list[tuple[str, int, str, str]]  # (context, doc id, title, sense name) per occurrence
    general: bool = False  # read for the general sense inventory
    # General: each occurrence's context and the word's span in it.
    examples: tuple[tuple[str, tuple[int, int]], ...] = ()


def word_occurrences(store: DocumentStore, senses: SensesMethod, word: str) -> Occurrences:
    """Up to MAX_OCCURRENCES occurrences of ``word`` in the stored documents."""
    word = normalize(word.strip())
    found, documents = _occurrences(store, word)
    general = english_senses()
    if general is not None and general.has_senses(word):
        return _general_occurrences(found, word, general, documents)
    tagged = senses.tag([text for text, _, _, _ in found], [tokens for _, tokens, _, _ in found])
    vectors, meta = [], []
    for (text, _tokens, doc_id, title), sentence in zip(found, tagged):
        for t in sentence:
            if t.token.norm == word:
                vectors.append(t.feature)
                meta.append((_context(text, t.token.start, t.token.end), doc_id, title,
                             senses.sense_name(word, t.sense) or word))
    features = np.stack(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)
    return Occurrences(word, features, meta)


def _general_occurrences(found: list[tuple[str, list, int, str]], word: str, general: Dictionary,
                         documents: dict[int, tuple[StoredDocument, list[Sentence]]]) -> Occurrences:
    """The occurrences read as the explanation reads a passage's
    (`window_contexts`, in its document: `Dictionary.in_document`, of the
    ``documents`` they were found in, with their sentences)."""
    positions = [[i for i, t in enumerate(tokens) if t.norm == word] for _, tokens, _, _ in found]
    read = window_contexts(shared_reader(DISTILLED_MODEL), [text for text, _, _, _ in found],
                           [tokens for _, tokens, _, _ in found], positions, GENERAL_RADIUS)
    topics = {doc_id: document_topic(general, document, sentences)
              for doc_id, (document, sentences) in documents.items()}
    vectors, meta, examples = [], [], []
    for (text, tokens, doc_id, title), wanted, vectors_of in zip(found, positions, read):
        for i in wanted:
            context = general.in_document(word, vectors_of[i], topics.get(doc_id))
            reading = general.read(word, context, names=may_be_name(text, tokens[i].start),
                                   terms=window_terms([t.norm for t in tokens], i, GENERAL_RADIUS))
            vectors.append(vectors_of[i].vector)
            # No reading: fewer than two senses are left where it stands (lower-case "java": its
            # others name things) or none of their parts of speech fits it there.
            sense = reading.sense if reading is not None else None
            meta.append((_context(text, tokens[i].start, tokens[i].end), doc_id, title,
                         sense.name if sense else UNCLEAR))
            examples.append(_example(text, tokens[i].start, tokens[i].end))
    features = np.stack(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)
    return Occurrences(word, features, meta, general=True, examples=tuple(examples))


def word_map(occurrences: Occurrences, senses: SensesMethod, query: str = "") -> WordMap:
    """The map of a word's occurrences, with the query's occurrence of it
    (if any) placed among them."""
    if occurrences.general:
        return _general_map(occurrences, query)
    word, inventory = occurrences.word, senses.inventory
    query_vector, query_sense = None, ""
    if query:
        hit = next((t for t in senses.tag_query(query) if t.token.norm == word), None)
        if hit is not None:
            # The sense the explanation gives the query's word: read from its context bag.
            query_vector, query_sense = hit.feature, senses.sense_name(word, senses.topical_sense(hit))
    shown = [ShownSense(s.name, "", s.count, s.example, s.example_span) for s in inventory.senses(word)]
    if not occurrences.meta:
        return WordMap(word, shown, [], query_sense)
    every = np.concatenate([occurrences.features] + ([query_vector[None]] if query_vector is not None else []))
    space = inventory.centred(word, every) if word in inventory else every
    return WordMap(word, shown, _points(occurrences, _principal_components(space), query_vector is not None, query),
                   query_sense)


def _general_map(occurrences: Occurrences, query: str) -> WordMap:
    """The map of a word with dictionary senses: its occurrences' context
    vectors, and the query's read as the explanation reads it."""
    word, general = occurrences.word, english_senses()
    query_vector, query_sense = None, ""
    contexts = query_contexts(shared_reader(DISTILLED_MODEL), query, {word}, GENERAL_RADIUS) if query else {}
    if contexts:  # the query's first occurrence of the word
        query_vector = contexts[min(contexts)].vector
        reading = general.read(word, contexts[min(contexts)], query=True, names=may_be_name(query, min(contexts)),
                               terms=query_terms(query, GENERAL_RADIUS)[min(contexts)])
        query_sense = reading.sense.name if reading.sense else UNCLEAR
    # The collection refines the dictionary: only the senses its documents
    # were read clearly in are listed, the query's own among them.
    shown, unseen = [], 0
    for sense in general.senses(word):
        found = [example for example, meta in zip(occurrences.examples, occurrences.meta) if meta[3] == sense.name]
        if not found and sense.name != query_sense:
            unseen += 1
            continue
        example, span = found[0] if found else ("", (0, 0))
        shown.append(ShownSense(sense.name, sense.definition, len(found), example, span))
    if not occurrences.meta:
        return WordMap(word, shown, [], query_sense, unseen)
    every = np.concatenate([occurrences.features] + ([query_vector[None]] if query_vector is not None else []))
    return WordMap(word, shown, _points(occurrences, _principal_components(every), query_vector is not None, query),
                   query_sense, unseen)


def _points(occurrences: Occurrences, xy: np.ndarray, with_query: bool, query: str) -> list[Point]:
    points = [Point(float(x), float(y), name, context, doc_id, title)
              for (x, y), (context, doc_id, title, name) in zip(xy, occurrences.meta)]
    if with_query:
        points.append(Point(float(xy[-1, 0]), float(xy[-1, 1]), "query", query, None, "your query"))
    return points


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


def _occurrences(store: DocumentStore, word: str) -> tuple[list[tuple[str, list, int, str]],
                                                           dict[int, tuple[StoredDocument, list[Sentence]]]]:
    """Sentences of stored documents that contain ``word``: (document text,
    sentence tokens, doc id, title), at most MAX_OCCURRENCES; and the
    documents they come from, by id, with their sentences."""
    found, documents = [], {}
    for document in store.containing(word, MAX_DOCUMENTS):
        sentences = documents.setdefault(document.id, (document, store.sentences(document.id)))[1]
        for sentence in sentences:
            tokens = sentence_tokens(document.text, sentence)
            if any(t.norm == word for t in tokens):
                found.append((document.text, tokens, document.id, document.title))
                if len(found) >= MAX_OCCURRENCES:
                    return found, documents
    return found, documents


def _context(text: str, start: int, end: int, width: int = 80) -> str:
    """The text around ``text[start:end]``, the word in brackets."""
    around, (at, to) = _example(text, start, end, width)
    before, after = ("…" if start > at else ""), ("…" if end + len(around) - to < len(text) else "")
    return f"{before}{around[:at]}[{around[at:to]}]{around[to:]}{after}"


def _example(text: str, start: int, end: int, width: int = 80) -> tuple[str, tuple[int, int]]:
    """The text around ``text[start:end]`` and the word's span in it."""
    lo, hi = max(0, start - width), min(len(text), end + width)
    return text[lo:hi], (start - lo, end - lo)


def _principal_components(points: np.ndarray) -> np.ndarray:
    centred = points - points.mean(axis=0)
    if len(points) < 2:
        return np.zeros((len(points), 2), dtype=np.float32)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    xy = centred @ vt[:2].T
    return np.pad(xy, ((0, 0), (0, 2 - xy.shape[1])))
