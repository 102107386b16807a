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
    # How the words met, when the index has a sense inventory (search/explain.py):
    # "same sense", "other sense" (the same word in another sense), "same word"
    # (a word without senses in the inventory) or "related" (another word, close
    # in context); "word" when only context-free word vectors were compared.
    kind: str = "word"
    query_sense: str = ""  # the sense's name, e.g. "bank (river, water, flood)"
    doc_sense: str = ""


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
