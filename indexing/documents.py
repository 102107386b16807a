"""Plain records that the stages hand each other."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass(frozen=True)
class Document:
    """A document before it has a store id: what ingest produces."""

    title: str
    text: str
    source: str = ""  # file name (no path parts) or corpus name


@dataclass(frozen=True)
class StoredDocument:
    """A document as the store holds it; `id` is also its FAISS id."""

    id: int
    title: str
    text: str
    source: str
    content_hash: str
    n_words: int
    added_at: str


@dataclass(frozen=True)
class Span:
    """A half-open character range `[start, end)` into a document's text."""

    start: int
    end: int


@dataclass(frozen=True)
class Token:
    """A word as the models see it (`norm`), and where it stands in the text."""

    norm: str
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    """A sentence of a stored document: `id` is its store row id."""

    id: int
    doc_id: int
    position: int
    start: int
    end: int


@dataclass
class IngestReport:
    """What happened to each uploaded file: accepted documents and messages."""

    added: list[int] = field(default_factory=list)  # new document ids
    duplicates: list[str] = field(default_factory=list)  # titles already stored
    errors: list[str] = field(default_factory=list)  # one message per bad file


class Listed(NamedTuple):
    """One row of the store's listing of its documents."""

    id: int
    title: str
    source: str
    n_words: int
    added_at: str


def batches(documents: Sequence[StoredDocument], most: int, words: int) -> Iterator[list[StoredDocument]]:
    """``documents`` in consecutive batches of at most ``most`` documents and
    ``words`` words (a longer document alone): what one call of the biLM reads."""
    batch: list[StoredDocument] = []
    held = 0
    for document in documents:
        if batch and (len(batch) == most or held + document.n_words > words):
            yield batch
            batch, held = [], 0
        batch.append(document)
        held += document.n_words
    if batch:
        yield batch
