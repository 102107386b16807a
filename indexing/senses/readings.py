"""Occurrence readings: how the distilled biLM reads each ambiguous word of a
document, done once when the document is indexed instead of on every query.

The Senses column weighs BM25 by the sense each document uses a query word
in, and the explanation gives a verdict on each occurrence a passage shows;
both need an occurrence's reading, the unit head vector of the
``RADIUS`` tokens either side of it. Read at query time, a window at a time,
that was most of a query's cost (at 100k documents, 118 of the Senses
column's 140 ms median; bench/results/decisions.md). A reading depends only
on the document's text and the shipped models, not on the query or on what
was trained, so it is read when the document is stored and kept in the
store (`DocumentStore.put_readings`), as its sentences are.

What is kept of an occurrence is not its vector (384 floats) but its cosine
with each sense of its word in the general inventory
(`Dictionary.senses`, in that order, float16) with the part of speech where
it stands (`Dictionary.cosines`, `pos.py`), plus what the rest of its
document says of each sense (`Dictionary.in_document`: the document's
whole bag of word vectors, which only indexing reads cheaply, once per
document). The only use of the vector is `Dictionary.scores`, which adds
what the words around say (glosses, word vectors, prior), cheap to count at
query time. Occurrences of words the inventory gives fewer than two senses
are not kept.

Every occurrence's window is sliced from the biLM's reading of its whole
sentence, as a query's words are (`window_vectors`): one pass over the
text, not one per word. A document read before a change of biLM weights, of
the inventory or of the document's weight (`readings_version`), or whose
readings a killed upload did not write, is read at query time in the same
way (`document_topic` then reads its whole text), until a retrain writes
what is missing (so does the reconcile of an upload cut short before its
vectors were written).

Consumes stored documents, their sentences, the distilled biLM and the
inventory; produces each document's `Readings`, serialised for the store.
"""
from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from indexing.contextual import DISTILLED_MODEL, document_sentences, shared_reader
from indexing.documents import Sentence, StoredDocument, Token, batches
from indexing.linalg import unit_rows
from indexing.progress import Progress, no_progress
from indexing.senses.dictionary import Dictionary, english_senses
from indexing.senses.occurrence import Cosines
from indexing.text import is_content_word, token_terms

# Tokens either side of an occurrence that its sense is read from (a query's
# word too): the inventory's vectors read topic, which needs more words than
# the collection's senses (bench/results/decisions.md).
RADIUS = 16
# Of `Readings.to_bytes` and what it keeps (2: with the document's evidence; 3: with the part of speech);
# read anew when it changes.
FORMAT = 3
STAGE = "Reading each word's sense in context"
# Words of text read in one biLM call: the encoder sorts a call's sentences
# by length, so a larger call pads less. 640 short documents of the 100k
# benchmark (43 words each) took 8.6-9.3 s in calls of 16 documents, 4.5 s
# in calls of 256.
BATCH_WORDS = 12_000
FETCH = 1_024  # documents fetched from the store at a time


def readings_version(dictionary) -> str:
    """What a document's stored readings depend on: the format, the window,
    the biLM weights, the inventory's senses and rows, and the weight and
    word vectors of the document's evidence."""
    return f"{FORMAT}:{RADIUS}:{dictionary.document_weight}:{dictionary.digest}"


@dataclass(frozen=True)
class Readings:
    """One document's readings: for each occurrence kept (by the character
    offset where it starts), its cosine with each of its word's senses."""
    starts: np.ndarray  # (n,) int64 character offsets, ascending
    offsets: np.ndarray  # (n + 1,) int64: occurrence j's cosines are cosines[offsets[j]:offsets[j + 1]]
    cosines: np.ndarray  # (total,) float16

    def __post_init__(self) -> None:
        object.__setattr__(self, "_at", {int(s): j for j, s in enumerate(self.starts.tolist())})

    def __len__(self) -> int:
        return len(self.starts)

    def get(self, start: int) -> np.ndarray | None:
        """The cosines (float32) of the occurrence starting at ``start``, or None when none was kept."""
        j = self._at.get(start)
        return None if j is None else self.cosines[self.offsets[j] : self.offsets[j + 1]].astype(np.float32)

    def context(self, token: Token, dictionary: Dictionary) -> Cosines | None:
        """The kept reading of the occurrence ``token`` of the document, as a
        context ``dictionary`` scores senses with (its cosines by each sense
        of the word, in `Dictionary.senses` order); None when none was kept."""
        cosines = self.get(token.start)
        rows = [sense.row for sense in dictionary.senses(token.norm)]
        if cosines is None or len(cosines) != len(rows):
            return None
        return Cosines(dict(zip(rows, cosines.tolist())))

    def to_bytes(self) -> bytes:
        n = len(self.starts)
        return (struct.pack("<II", n, len(self.cosines)) + self.starts.astype("<i4").tobytes()
                + np.diff(self.offsets).astype("<u2").tobytes() + self.cosines.astype("<f2").tobytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> Readings:
        n, total = struct.unpack_from("<II", data)
        at = 8
        starts = np.frombuffer(data, "<i4", n, at).astype(np.int64)
        counts = np.frombuffer(data, "<u2", n, at + 4 * n).astype(np.int64)
        cosines = np.frombuffer(data, "<f2", total, at + 6 * n).astype(np.float16)
        return cls(starts, np.concatenate([[0], np.cumsum(counts)]), cosines)


def window_vectors(encoder, layers: np.ndarray, positions: Sequence[int], radius: int = RADIUS) -> np.ndarray:
    """Unit vectors ``(len(positions), head_dim)``: for each position of a
    sentence read by the distilled biLM (``layers``, ``(n_layers, n_tokens,
    dim)``), the sentence head of the mean over the ``radius`` tokens either
    side of it (`ElmoEncoder.head_vectors` of that slice; the head is linear,
    so each window's mean comes from one running sum)."""
    if not len(positions):
        return np.zeros((0, encoder.head_dim), dtype=np.float32)
    return unit_rows(encoder.head(window_means(encoder, layers, positions, radius))).astype(np.float32)


def window_means(encoder, layers: np.ndarray, positions: Sequence[int], radius: int = RADIUS) -> np.ndarray:
    """The mean mixed biLM vector ``(len(positions), dim)`` of each window
    of `window_vectors`, before the head (which is linear: many sentences'
    windows go through it in one product)."""
    weights = encoder.scalar_mix.layer_weights().detach().numpy()
    mixed = np.tensordot(weights, layers, axes=1)  # (n_tokens, dim)
    sums = np.concatenate([np.zeros((1, mixed.shape[1]), np.float64), np.cumsum(mixed, axis=0, dtype=np.float64)])
    at = np.asarray(positions)
    lo, hi = np.maximum(0, at - radius), np.minimum(len(mixed), at + radius + 1)
    return ((sums[hi] - sums[lo]) / (hi - lo)[:, None]).astype(np.float32)


def read_documents(reader, dictionary, documents: Sequence[StoredDocument],
                   sentences: Mapping[int, list[Sentence]]) -> dict[int, Readings]:
    """Each document's `Readings` (by id): its sentences read by ``reader``
    (the distilled biLM's `BiLMReader`) in one batch, every content word
    that ``dictionary`` gives two senses or more kept."""
    texts, token_lists, owner = document_sentences(documents, sentences)
    by_document: list[list[list[Token]]] = [[] for _ in documents]
    for tokens, row in zip(token_lists, owner):
        by_document[row].append(tokens)
    topics = [dictionary.topic(document_terms(lists)) for lists in by_document]
    kept: list[list[tuple[int, np.ndarray]]] = [[] for _ in documents]
    wanted: list[dict[int, list[int]]] = []  # per sentence: position -> the rows of its word's senses
    for tokens in token_lists:
        senses = {i: dictionary.senses(t.norm) for i, t in enumerate(tokens) if is_content_word(t.norm)}
        wanted.append({i: [sense.row for sense in found] for i, found in senses.items() if len(found) >= 2})
    todo = [s for s, positions in enumerate(wanted) if positions]
    layers = reader.encode_layers([texts[s] for s in todo], [token_lists[s] for s in todo])
    means = [window_means(reader.encoder, sentence, list(wanted[s])) for s, sentence in zip(todo, layers)]
    vectors = unit_rows(reader.encoder.head(np.concatenate(means))) if means else None
    at = 0
    for s, sentence in zip(todo, layers):
        positions = list(wanted[s])
        windows = dictionary.windows(vectors[at : at + len(positions)], sentence, positions)
        at += len(positions)
        for i, window in zip(positions, windows):
            token = token_lists[s][i]
            read = dictionary.in_document(token.norm, window, topics[owner[s]])
            kept[owner[s]].append((token.start, read.of(wanted[s][i])))
    found = {}
    for document, occurrences in zip(documents, kept):
        occurrences.sort(key=lambda o: o[0])
        counts = [len(cosines) for _, cosines in occurrences]
        found[document.id] = Readings(
            np.array([start for start, _ in occurrences], dtype=np.int64),
            np.concatenate([[0], np.cumsum(counts, dtype=np.int64)]).astype(np.int64),
            (np.concatenate([c for _, c in occurrences]) if occurrences else np.zeros(0)).astype(np.float16))
    return found


def document_terms(token_lists: Sequence[list[Token]]) -> frozenset[str]:
    """The keyword terms of a document's sentences (their tokens, as
    `contextual.document_sentences` gives them): what `Dictionary.topic` reads."""
    return frozenset(term for tokens in token_lists for token in tokens for term in token_terms(token.norm))


def document_topic(dictionary, document: StoredDocument, sentences: Sequence[Sentence] | None = None):
    """What ``document`` (its stored ``sentences``, else its text split
    here) is about, as its indexing reads it (`Dictionary.topic`): for an
    occurrence read at query time (`Dictionary.in_document`)."""
    _, token_lists, _ = document_sentences([document], {document.id: list(sentences)} if sentences else {})
    return dictionary.topic(document_terms(token_lists))


def keep_readings(store, doc_ids: Sequence[int] | None = None, on_progress: Progress = no_progress) -> int:
    """Read those of the documents ``doc_ids`` of ``store`` (default: every
    document) that have no readings of the shipped models and keep their
    readings in the store; how many were read. Nothing without the shipped
    inventory."""
    general = english_senses()
    if general is None:
        return 0
    version = readings_version(general)
    if doc_ids is None:
        todo = store.unread(version)
    else:
        read = store.read_among(list(doc_ids), version)
        todo = [doc_id for doc_id in doc_ids if doc_id not in read]
    if not todo:
        return 0
    reader = shared_reader(DISTILLED_MODEL)
    on_progress(0, len(todo), STAGE)
    for start in range(0, len(todo), FETCH):
        done = start  # documents deleted meanwhile are not fetched, and count as done below
        for documents in batches(list(store.get_many(todo[start : start + FETCH]).values()), FETCH, BATCH_WORDS):
            found = read_documents(reader, general, documents, store.sentences_of([d.id for d in documents]))
            store.put_readings(version, {doc_id: readings.to_bytes() for doc_id, readings in found.items()})
            done += len(documents)
            on_progress(done, len(todo), STAGE)
        if done < min(start + FETCH, len(todo)):
            on_progress(min(start + FETCH, len(todo)), len(todo), STAGE)
    return len(todo)


def unread_count(store) -> int:
    """How many documents of ``store`` have no readings of the shipped
    models: never read, or read before the inventory or the biLM changed
    (`readings_version`). Their passages' senses are read at query time."""
    general = english_senses()
    return 0 if general is None else store.unread_count(readings_version(general))


def kept_readings(store, doc_ids: Sequence[int], dictionary) -> dict[int, Readings]:
    """The readings ``store`` keeps of ``doc_ids`` for ``dictionary`` (the
    shipped inventory and biLM); a document read with other models, or not
    at all, is absent."""
    return {doc_id: Readings.from_bytes(data)
            for doc_id, data in store.readings(list(doc_ids), readings_version(dictionary)).items()}
