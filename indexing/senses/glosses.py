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
terms around it that the sense's glosses hold ("lifting" beside "crane" is
in the machine's glosses, not the bird's); its two-hop overlap, the share
of those words' own definitions that they hold (`WordGlosses`: "river" is
not in the sloping land's glosses, but "water", from "river: a large
natural stream of water", is). The idf is over the coarse senses, so a word
every gloss uses counts for little. Glosses are sparse: most words around
an occurrence are in no gloss of its word, and the biLM decides.

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


class WindowTerms(frozenset):
    """The keyword terms around an occurrence (a frozenset of them), and the
    normalised words right before and after it (None at a sentence's edge),
    whose phrase may name its sense (`collocations.py`)."""

    before: str | None
    after: str | None

    def __new__(cls, terms, before: str | None = None, after: str | None = None) -> WindowTerms:
        found = super().__new__(cls, terms)
        found.before, found.after = before, after
        return found


def window_terms(norms: Sequence[str], i: int, radius: int) -> WindowTerms:
    """The keyword terms of the ``radius`` words either side of position
    ``i`` of ``norms`` (normalised words), not of the word at ``i``: the
    context a sense reading's gloss overlap is counted in; with the words
    right before and after it, for its collocations."""
    around = [*norms[max(0, i - radius) : i], *norms[i + 1 : i + radius + 1]]
    return WindowTerms((term for norm in around for term in token_terms(norm)),
                       norms[i - 1] if i > 0 else None, norms[i + 1] if i + 1 < len(norms) else None)


class WordGlosses:
    """What the words around an occurrence are about: each word's (its
    stem's) WordNet definitions, as a distribution over gloss terms (each
    synset's definition weighted by its SemCor count plus one half). The
    two-hop overlap (Banerjee and Pedersen, 2003) compares these with a
    sense's glosses: "river" is defined as "a large natural stream of
    water", and "water" is in the glosses of the sloping land, where
    "river" itself is not."""

    def __init__(self, keys: Sequence[str], offsets: np.ndarray, ids: np.ndarray, weights: np.ndarray,
                 unseen: np.ndarray) -> None:
        self.key_ids = {key: i for i, key in enumerate(keys)}
        self.offsets, self.ids, self.weights = offsets, ids, weights.astype(np.float32)
        self.unseen = unseen.astype(np.float32)  # each word's share of gloss terms no sense holds

    @classmethod
    def of(cls, bags: dict[str, dict[str, float]], term_ids: dict[str, int]) -> WordGlosses:
        """From each stem's gloss terms and their weights."""
        keys = sorted(bags)
        rows, unseen = [], []
        for key in keys:
            total = sum(bags[key].values()) or 1.0
            rows.append(sorted((term_ids[t], w / total) for t, w in bags[key].items() if t in term_ids))
            unseen.append(sum(w for t, w in bags[key].items() if t not in term_ids) / total)
        offsets = np.cumsum([0, *map(len, rows)]).astype(np.int64)
        ids = np.array([i for row in rows for i, _ in row], dtype=np.int32)
        weights = np.array([w for row in rows for _, w in row], dtype=np.float16)
        return cls(keys, offsets, ids, weights, np.array(unseen, dtype=np.float32))

    def arrays(self) -> dict[str, np.ndarray]:
        keys = sorted(self.key_ids, key=self.key_ids.__getitem__)
        return {"word_keys": np.array(keys), "word_offsets": self.offsets, "word_ids": self.ids,
                "word_weights": self.weights.astype(np.float16), "word_unseen": self.unseen}

    def mass(self, context: frozenset[str]) -> tuple[np.ndarray, np.ndarray, float]:
        """The context words' gloss terms, each word's entries in turn (a
        term held by two words comes twice): term ids (m,) and weights (m,),
        and the summed weight of the terms no sense holds."""
        keys = [key for key in map(self.key_ids.get, context) if key is not None]
        if not keys:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float64), 0.0
        at = np.concatenate([np.arange(self.offsets[key], self.offsets[key + 1]) for key in keys])
        return self.ids[at], self.weights[at].astype(np.float64), float(self.unseen[keys].sum())


class Glosses:
    """Each coarse sense's gloss terms (by its row in the inventory), each
    term's idf over the senses, and the words' own glosses (`WordGlosses`)."""

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray, offsets: np.ndarray, ids: np.ndarray,
                 entries_digest: str, words: WordGlosses | None = None) -> None:
        self.term_ids = {term: i for i, term in enumerate(vocabulary)}
        self.idf = idf.astype(np.float32)
        self.offsets, self.ids = offsets, ids
        self.entries_digest = entries_digest  # of the dictionary.json whose rows they follow
        self.unseen_idf = float(np.log(len(offsets) - 1))  # a term no gloss holds: as rare as can be
        self.words = words

    @classmethod
    def of(cls, by_row: dict[int, Iterable[str]], n_rows: int, digest: str,
           word_bags: dict[str, dict[str, float]] | None = None) -> Glosses:
        """From each sense row's gloss terms (a term's idf is over the
        ``n_rows`` senses) and each word stem's gloss terms and weights."""
        document_frequency = Counter(term for found in by_row.values() for term in set(found))
        vocabulary = sorted(document_frequency)
        term_ids = {term: i for i, term in enumerate(vocabulary)}
        idf = np.log(n_rows / np.array([document_frequency[t] for t in vocabulary], dtype=np.float64))
        rows = [sorted({term_ids[t] for t in by_row.get(row, ())}) for row in range(n_rows)]
        offsets = np.cumsum([0, *map(len, rows)]).astype(np.int64)
        ids = np.array([i for row in rows for i in row], dtype=np.int32)
        words = WordGlosses.of(word_bags, term_ids) if word_bags is not None else None
        return cls(vocabulary, idf.astype(np.float32), offsets, ids, digest, words)

    @classmethod
    def load(cls, directory: Path = DATA) -> Glosses:
        with np.load(directory / FILE) as stored:
            words = (WordGlosses(stored["word_keys"].tolist(), stored["word_offsets"], stored["word_ids"],
                                 stored["word_weights"], stored["word_unseen"]) if "word_keys" in stored else None)
            return cls(stored["vocabulary"].tolist(), stored["idf"], stored["offsets"], stored["ids"],
                       str(stored["entries_digest"]), words)

    def save(self, directory: Path) -> None:
        np.savez_compressed(directory / FILE, vocabulary=np.array(self.vocabulary()), idf=self.idf,
                            offsets=self.offsets, ids=self.ids, entries_digest=np.array(self.entries_digest),
                            **(self.words.arrays() if self.words is not None else {}))

    def vocabulary(self) -> list[str]:
        """The gloss terms, in the order of their ids."""
        return sorted(self.term_ids, key=self.term_ids.__getitem__)

    def term_idf(self, term: str) -> float:
        """A term's idf over the senses; a term no gloss holds is as rare as can be."""
        at = self.term_ids.get(term)
        return self.unseen_idf if at is None else float(self.idf[at])

    def _signature(self, row: int) -> np.ndarray:
        """The gloss term ids (k,) of the sense at ``row``."""
        return self.ids[self.offsets[row] : self.offsets[row + 1]]

    def overlap(self, rows: Sequence[int], context: frozenset[str]) -> np.ndarray:
        """(len(rows),) the idf-weighted share of the ``context`` terms that
        each sense's glosses hold, in [0, 1]; zeros for an empty context."""
        known = {self.term_ids[t] for t in context if t in self.term_ids}
        total = float(self.idf[list(known)].sum()) + self.unseen_idf * (len(context) - len(known))
        if total <= 0:
            return np.zeros(len(rows), dtype=np.float32)
        shares = np.zeros(len(rows), dtype=np.float32)
        for n, row in enumerate(rows):
            held = known.intersection(self._signature(row).tolist())
            shares[n] = float(self.idf[list(held)].sum()) / total if held else 0.0
        return shares

    def related_overlap(self, rows: Sequence[int], context: frozenset[str]) -> np.ndarray:
        """(len(rows),) the two-hop overlap: the idf-weighted share of the
        ``context`` words' own gloss terms (`WordGlosses`) that each sense's
        glosses hold, in [0, 1]; zeros without word glosses or context."""
        if self.words is None:
            return np.zeros(len(rows), dtype=np.float32)
        ids, weights, unseen = self.words.mass(context)
        weighted = weights * self.idf[ids]  # (m,)
        total = float(weighted.sum()) + unseen * self.unseen_idf
        if total <= 0:
            return np.zeros(len(rows), dtype=np.float32)
        by_term = np.bincount(ids, weights=weighted, minlength=len(self.idf))  # (terms,)
        return np.array([by_term[self._signature(row)].sum() / total for row in rows], dtype=np.float32)


def entries_digest(entries: dict) -> str:
    """A digest of the inventory's senses and rows, so glosses built for
    another inventory are told apart."""
    rows = sorted((sense["row"], lemma, *sense["synsets"]) for lemma, senses in entries.items() for sense in senses)
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]
