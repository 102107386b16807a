"""What a search returns: plain records the UI and the command line render."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Highlight:
    """A document word that met a query word, by character offsets into the
    document text."""

    start: int
    end: int
    word: str
    query_word: str
    similarity: float


@dataclass(frozen=True)
class Passage:
    """The sentence of a hit that matched the query best."""

    text: str
    start: int  # offsets of `text` in the document
    end: int
    score: float
    highlights: list[Highlight] = field(default_factory=list)


@dataclass(frozen=True)
class Hit:
    rank: int
    doc_id: int
    title: str
    score: float  # cosine similarity of the query and document vectors
    method: str
    source: str
    passage: Passage | None = None

    def to_dict(self) -> dict:
        return asdict(self)
