"""What the words around an occurrence are about, as a vector a coarse
sense can be compared with (distributional Lesk: Basile, Caputo and
Semeraro, 2014): a static vector per keyword term, distilled at build time
from a pretrained sentence encoder (all-MiniLM-L6-v2, Apache-2.0;
`term_vectors_build.py`). The product reads the table only; it never runs
the encoder.

- An occurrence's context vector: the idf-weighted mean of the vectors of
  the terms around it (`glosses.window_terms`), its own lemma's left out.
- A sense's vector: the idf-weighted mean of the vectors of its gloss terms
  (`glosses.py`) and of the definitions and words of its kinds (WordNet's
  hyponyms: a houseplant, an annual, a succulent are plants; built with
  the table, `term_vectors_build.sense_bags`), so both sides are bags of
  words in one space.
- A sense reading adds ``TERM_WEIGHT`` times their cosine (`dictionary.py`).

Where the biLM (3.7M parameters, 3.2M words of training text) reads
"willows along the creek" about as near money as land, the teacher's words
know that creeks and willows go with water and slopes, though no gloss of
"bank" says "creek". The terms are the stems BM25 and the gloss overlaps
read, so no second analyser is involved.

``data/dictionary_terms.npz``: the terms and their vectors (int8, a scale
per row), the teacher's name, and each sense's bag (int8) with the digest
of the inventory whose rows it follows.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

from indexing.linalg import float_rows, int8_rows, unit_rows
from indexing.senses.glosses import Glosses

DATA = Path(__file__).resolve().parent / "data"
FILE = "dictionary_terms.npz"


class TermVectors:
    def __init__(self, vocabulary: Sequence[str], vectors: np.ndarray, teacher: str = "",
                 sense_bags: np.ndarray | None = None, senses_digest: str = "") -> None:
        self.term_ids = {term: i for i, term in enumerate(vocabulary)}
        self.vectors = unit_rows(vectors)  # (n_terms, dim)
        self.teacher = teacher
        # (n_sense_rows, dim) each sense's bag with its kinds' definitions (`term_vectors_build.sense_bags`),
        # for the inventory whose `glosses.entries_digest` is ``senses_digest``; None: from the glosses alone.
        self.sense_bags = None if sense_bags is None else unit_rows(sense_bags)
        self.senses_digest = senses_digest

    @classmethod
    def fit(cls, vocabulary: Sequence[str], vectors: np.ndarray, dims: int, teacher: str) -> TermVectors:
        """From the teacher's unit vectors of the terms: centred on their
        mean (the direction every word shares) and projected on their ``dims``
        leading principal axes."""
        centred = vectors - vectors.mean(axis=0)
        _, _, axes = np.linalg.svd(centred, full_matrices=False)
        return cls(vocabulary, centred @ axes[:dims].T, teacher)

    @classmethod
    def load(cls, directory: Path = DATA) -> TermVectors:
        with np.load(directory / FILE) as stored:
            bags = float_rows(stored["sense_vectors"], stored["sense_scales"]) if "sense_vectors" in stored else None
            return cls(stored["vocabulary"].tolist(), float_rows(stored["vectors"], stored["scales"]),
                       str(stored["teacher"]), bags, str(stored["senses_digest"]) if bags is not None else "")

    def save(self, directory: Path) -> None:
        vocabulary = sorted(self.term_ids, key=self.term_ids.__getitem__)
        rows, scales = int8_rows(self.vectors)
        bags = {}
        if self.sense_bags is not None:
            sense_rows, sense_scales = int8_rows(self.sense_bags)
            bags = dict(sense_vectors=sense_rows, sense_scales=sense_scales, senses_digest=np.array(self.senses_digest))
        np.savez_compressed(directory / FILE, vocabulary=np.array(vocabulary), vectors=rows, scales=scales,
                            teacher=np.array(self.teacher), **bags)

    def context(self, terms: frozenset[str], glosses: Glosses) -> np.ndarray | None:
        """The unit mean of the vectors of ``terms``, each weighted by its
        idf over the senses (`Glosses.term_idf`); None when the table holds none."""
        found = [(self.term_ids[t], glosses.term_idf(t)) for t in terms if t in self.term_ids]
        if not found:
            return None
        rows, weights = zip(*found)
        mean = np.asarray(weights, dtype=np.float32) @ self.vectors[list(rows)]
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm > 0 else None

    def topic(self, terms: frozenset[str], glosses: Glosses) -> Topic:
        """What a whole text (its keyword ``terms``) is about, as `context` weighs them."""
        found = [(t, self.term_ids[t], glosses.term_idf(t)) for t in terms if t in self.term_ids]
        return Topic(self, {t: (row, idf) for t, row, idf in found})

    def senses(self, glosses: Glosses) -> np.ndarray:
        """(n_senses, dim) each sense row's bag: the one built with its kinds'
        definitions when the table holds them for this inventory, else the
        unit idf-weighted mean of its gloss terms' vectors (zeros for a sense
        none of whose terms the table holds)."""
        if self.sense_bags is not None and self.senses_digest == glosses.entries_digest:
            return self.sense_bags
        return self.gloss_bags(glosses)

    def gloss_bags(self, glosses: Glosses) -> np.ndarray:
        """(n_senses, dim) each sense row's unit idf-weighted mean of its gloss terms' vectors."""
        column = np.array([self.term_ids.get(term, -1) for term in glosses.vocabulary()])
        held = column[glosses.ids] >= 0
        rows = np.repeat(np.arange(len(glosses.offsets) - 1), np.diff(glosses.offsets))
        weights = sparse.csr_matrix((glosses.idf[glosses.ids[held]], (rows[held], column[glosses.ids[held]])),
                                    shape=(len(glosses.offsets) - 1, len(self.term_ids)))
        return unit_rows(weights @ self.vectors)


class Topic:
    """A whole document's bag of word vectors (`TermVectors.context` of all
    its terms), summed once so that the bag without one word's own terms
    (an occurrence of "bank" must not vote for itself) costs a subtraction."""

    def __init__(self, table: TermVectors, found: dict[str, tuple[int, float]]) -> None:
        self.table, self.found = table, found
        rows = [row for row, _ in found.values()]
        weights = np.array([idf for _, idf in found.values()], dtype=np.float32)
        self.total = weights @ table.vectors[rows] if rows else np.zeros(table.vectors.shape[1], np.float32)

    def without(self, own: Sequence[str]) -> np.ndarray | None:
        """The unit bag of the document's terms less ``own``; None when nothing is left."""
        bag = self.total.copy()
        for term in own:
            if term in self.found:
                row, idf = self.found[term]
                bag -= idf * self.table.vectors[row]
        norm = float(np.linalg.norm(bag))
        return bag / norm if norm > 1e-6 and len(self.found) > sum(t in self.found for t in own) else None
