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
    # A sense verdict of the general inventory: how likely the two mean the
    # same sense; else the cosine of their contexts or vectors (1.0: the same word).
    similarity: float
    # How the words met, when the index has a sense inventory (search/explain.py):
    # "same sense", "other sense" (the same word in another sense), "same word"
    # (a word without senses in the inventory) or "related" (another word, close
    # in context); "word" when only context-free word vectors were compared.
    kind: str = "word"
    query_sense: str = ""  # the sense's name, e.g. "bank (river, water, flood)"
    doc_sense: str = ""
    # The word shares its stem with a query word, so BM25 matched it literally
    # (search/terms.py); a "term" highlight is such a word the senses did not mark.
    literal: bool = False
    # How clearly the general sense inventory read the passage's occurrence
    # against the query word's sense (the margin of `Dictionary.compare`);
    # None when no general sense was read.
    confidence: float | None = None
    # The word's other uses in this document that the verdict was read with: an
    # occurrence unclear alone is read with them (one sense per discourse); 0: alone.
    document_uses: int = 0
    # The query's sense is the one the user chose for the query word (`meanings.py`), not the page's reading.
    query_chosen: bool = False


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
    score: float  # cosine similarity of the query and document vectors; BM25's score; the fused score
    # (Senses: Hybrid's fused score, or BM25's, weighed by sense, search/sense_rank.py)
    method: str
    source: str
    passage: Passage | None = None
    # Hybrid hits, and the Senses column's where it weighs Hybrid's ranking: the
    # document's 1-based rank in each run that was fused ("bm25", or "rm3" for
    # BM25 with RM3 query expansion, and "dbow+feedback"); a run that did not
    # return it is absent.
    ranks: dict[str, int] = field(default_factory=dict)
    # Which analysers read the document (indexing.text.analysers): "Korean
    # (Kiwi morphemes)", "words (English rules)", or both for mixed text.
    analysers: list[str] = field(default_factory=list)
    # Senses hits that its sense weighing or verdict order moved
    # (search/sense_rank.py, search/sense_order.py): "moved down from #2:
    # bank here in another sense"; "" otherwise.
    moved: str = ""

    def to_dict(self) -> dict:
        return asdict(self)
