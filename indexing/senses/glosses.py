"""The words of each coarse sense's WordNet glosses, for the gloss overlap
that a sense reading adds to the biLM's cosine (extended Lesk: Lesk, 1986;
Banerjee and Pedersen, 2003).

A sense's gloss words are the keyword terms (`indexing.text.terms`: stemmed
content words, as BM25 reads them) of what the biLM reads of each synset
it groups (`dictionary_build.synset_text`: its other words, definition,
hypernyms and related synsets), less the lemma itself and less the
examples: WiC's sentences are WordNet's examples (73% of its dev
sentences), so with them the overlap would be measured on its own text.
An occurrence's overlap with a sense is the idf-weighted share of the
terms around it that the sense's glosses hold: "river" beside "bank" is in
the glosses of the sloping land, not of the institution. The idf is over
the coarse senses, so a word every gloss uses counts for little.

Built from WordNet by `dictionary_build.gloss_terms` with the inventory
(or alone: ``python -m indexing.senses.dictionary_build --glosses-only``)
into ``data/dictionary_glosses.npz``; read by `dictionary.py`.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from indexing.text import token_terms

DATA = Path(__file__).resolve().parent / "data"
FILE = "dictionary_glosses.npz"


def window_terms(norms: Sequence[str], i: int, radius: int) -> frozenset[str]:
    """The keyword terms of the ``radius`` words either side of position
    ``i`` of ``norms`` (normalised words), not of the word at ``i``: the
    context a sense reading's gloss overlap is counted in."""
    around = [*norms[max(0, i - radius) : i], *norms[i + 1 : i + radius + 1]]
    return frozenset(term for norm in around for term in token_terms(norm))


class Glosses:
    """Each coarse sense's gloss terms (by its row in the inventory) and
    each term's idf over the senses."""

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray, offsets: np.ndarray, ids: np.ndarray,
                 entries_digest: str) -> None:
        self.term_ids = {term: i for i, term in enumerate(vocabulary)}
        self.idf = idf.astype(np.float32)
        self.offsets, self.ids = offsets, ids
        self.entries_digest = entries_digest  # of the dictionary.json whose rows they follow
        self.unseen_idf = float(np.log(len(offsets) - 1))  # a term no gloss holds: as rare as can be

    @classmethod
    def of(cls, by_row: dict[int, Iterable[str]], n_rows: int, digest: str) -> Glosses:
        """From each sense row's gloss terms; a term's idf is over the ``n_rows`` senses."""
        document_frequency = Counter(term for found in by_row.values() for term in set(found))
        vocabulary = sorted(document_frequency)
        term_ids = {term: i for i, term in enumerate(vocabulary)}
        idf = np.log(n_rows / np.array([document_frequency[t] for t in vocabulary], dtype=np.float64))
        rows = [sorted({term_ids[t] for t in by_row.get(row, ())}) for row in range(n_rows)]
        offsets = np.cumsum([0, *map(len, rows)]).astype(np.int64)
        ids = np.array([i for row in rows for i in row], dtype=np.int32)
        return cls(vocabulary, idf.astype(np.float32), offsets, ids, digest)

    @classmethod
    def load(cls, directory: Path = DATA) -> Glosses:
        with np.load(directory / FILE) as stored:
            return cls(stored["vocabulary"].tolist(), stored["idf"], stored["offsets"], stored["ids"],
                       str(stored["entries_digest"]))

    def save(self, directory: Path) -> None:
        vocabulary = sorted(self.term_ids, key=self.term_ids.__getitem__)
        np.savez_compressed(directory / FILE, vocabulary=np.array(vocabulary), idf=self.idf, offsets=self.offsets,
                            ids=self.ids, entries_digest=np.array(self.entries_digest))

    def overlap(self, rows: Sequence[int], context: frozenset[str]) -> np.ndarray:
        """(len(rows),) the idf-weighted share of the ``context`` terms that
        each sense's glosses hold, in [0, 1]; zeros for an empty context."""
        known = {self.term_ids[t] for t in context if t in self.term_ids}
        total = float(self.idf[list(known)].sum()) + self.unseen_idf * (len(context) - len(known))
        if total <= 0:
            return np.zeros(len(rows), dtype=np.float32)
        shares = np.zeros(len(rows), dtype=np.float32)
        for n, row in enumerate(rows):
            held = known.intersection(self.ids[self.offsets[row] : self.offsets[row + 1]].tolist())
            shares[n] = float(self.idf[list(held)].sum()) / total if held else 0.0
        return shares


def entries_digest(entries: dict) -> str:
    """A digest of the inventory's senses and rows, so glosses built for
    another inventory are told apart."""
    rows = sorted((sense["row"], lemma, *sense["synsets"]) for lemma, senses in entries.items() for sense in senses)
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]
