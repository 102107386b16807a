"""A BM25 keyword index keyed by store row ids (Robertson & Zaragoza, 2009,
"The Probabilistic Relevance Framework: BM25 and Beyond"), scored by the
`bm25s` library (Lucene's BM25 variant).

Consumes each document's terms (`indexing.text.terms`: content words,
stemmed) with its store id; answers a query's terms with scores (1, k) and
store ids (1, k), like `VectorIndex.search`.

Keeping it in step. bm25s precomputes every (document, term) score, so it
has no cheap way to add a document: re-indexing takes seconds at 100k
documents (bench/results/decisions.md). So an index is three parts:
- `main`: the bm25s index built by a (re)train, never changed afterwards;
- a tombstone set of deleted ids, masked at query time;
- `delta`: the documents uploaded since, scored by bm25s's own scoring
  functions with the main index's statistics (document frequencies plus the
  delta's own, average length of the main documents), so that their scores
  compare with the main index's. It is rebuilt on each upload (it is small)
  and folded into `main` by the next retrain.
Between retrains the main documents keep the statistics they were trained
with, as the Doc2Vec models keep their vocabulary.

On disk (one folder, `bm25/`): `main/` (bm25s's own files, written once,
inside the staging folder of a new generation) and `state.npz` (row ids,
tombstones, the delta's ids and terms), replaced atomically on each write.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from indexing.crash import crash_point
from indexing.atomic import atomic_path

logger = logging.getLogger(__name__)

STATE = "state.npz"
MAIN = "main"


@dataclass(frozen=True)
class BM25Config:
    """BM25's parameters: bm25s's defaults, which are Lucene's and those our
    benchmark's bm25s baseline uses (so the two can be compared)."""

    k1: float = 1.5  # term-frequency saturation
    b: float = 0.75  # document-length normalisation
    method: str = "lucene"  # bm25s's scoring variant
    language: str = "english"  # Snowball stemmer of indexing.text.terms


class BM25Index:
    """The main bm25s index, tombstones and the delta. Writers change a copy
    (`copy()`), and changes replace arrays rather than write into them, so
    a reader's index never changes under it: thread-safe without a lock."""

    FILE = "bm25"  # its folder inside the method's folder

    def __init__(self, config: BM25Config, main, rows: np.ndarray, average_length: float,
                 deleted: np.ndarray | None = None, delta_ids: np.ndarray | None = None,
                 delta_terms: list[list[str]] | None = None) -> None:
        self.config = config
        self._main = main  # bm25s.BM25, shared by copies: never changed once built
        self._rows = rows  # (n_main,) store id of each main row
        self._average_length = average_length
        self._deleted = np.empty(0, np.int64) if deleted is None else np.asarray(deleted, np.int64)
        self._delta_ids = np.empty(0, np.int64) if delta_ids is None else np.asarray(delta_ids, np.int64)
        self._delta_terms = list(delta_terms or [])
        self._mask = ~np.isin(rows, self._deleted)  # (n_main,) rows still in the store
        self._delta = self._score_delta()

    # ---- building -------------------------------------------------------
    @classmethod
    def build(cls, ids: np.ndarray, documents: list[list[str]], config: BM25Config) -> BM25Index:
        """The index of `documents` (each one's terms) with store ids `ids` (n,)."""
        import bm25s

        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if len(ids) != len(documents):
            raise ValueError(f"need one id per document, got {len(ids)} ids and {len(documents)} documents")
        main = bm25s.BM25(k1=config.k1, b=config.b, method=config.method)
        vocabulary: dict[str, int] = {}
        token_ids = [[vocabulary.setdefault(t, len(vocabulary)) for t in terms] for terms in documents]
        if documents:
            main.index((token_ids, vocabulary), show_progress=False)
        else:
            main.vocab_dict = {}
        lengths = [len(terms) for terms in documents]
        return cls(config, main, ids, float(np.mean(lengths)) if lengths and sum(lengths) else 1.0)

    def _score_delta(self):
        """A bm25s index of the delta documents whose scores use the main
        index's statistics, or None when there is no delta."""
        if not self._delta_terms:
            return None
        import bm25s
        from bm25s.scoring import _build_scores_and_indices_for_matrix, _select_idf_scorer

        vocabulary: dict[str, int] = {}
        token_ids = [[vocabulary.setdefault(t, len(vocabulary)) for t in terms] for terms in self._delta_terms]
        own = np.zeros(len(vocabulary), dtype=np.int64)  # (terms,) delta documents holding each term
        for ids in token_ids:
            own[list(set(ids))] += 1
        frequencies = own.copy()
        main_vocabulary = getattr(self._main, "vocab_dict", {}) or {}
        main_df = np.diff(self._main.scores["indptr"]) if main_vocabulary else np.empty(0)
        for term, i in vocabulary.items():
            j = main_vocabulary.get(term)
            if j is not None and j < len(main_df):
                frequencies[i] += int(main_df[j])
        n = len(self._rows) + len(self._delta_terms)  # as the main index counts: deletes included
        idf = _select_idf_scorer(self.config.method)
        idf_array = np.array([idf(int(df), N=n) for df in frequencies], dtype=np.float32)
        scores, rows, columns = _build_scores_and_indices_for_matrix(
            token_ids, idf_array, self._average_length, dict(enumerate(own.tolist())),
            self.config.k1, self.config.b, 0.5, None, method=self.config.method, show_progress=False)
        delta = bm25s.BM25(k1=self.config.k1, b=self.config.b, method=self.config.method)
        data, indices, indptr = delta._np_csc(data=scores, rows=rows, cols=columns,
                                              shape=(len(token_ids), len(vocabulary)))
        delta.scores = {"data": data.astype(np.float32), "indices": indices, "indptr": indptr,
                        "num_docs": len(token_ids)}
        delta.vocab_dict, delta.nonoccurrence_array = vocabulary, None
        return delta

    # ---- the VectorIndex contract ----------------------------------------
    def __len__(self) -> int:
        return int(self._mask.sum()) + len(self._delta_ids)

    @property
    def kind(self) -> str:
        return "bm25"

    def describe(self) -> str:
        return (f"BM25 (bm25s, {self.config.method}, k1={self.config.k1}, b={self.config.b}), {len(self)} "
                f"documents, {len(getattr(self._main, 'vocab_dict', {}) or {})} terms; {len(self._delta_ids)} "
                "added since training")

    def ids(self) -> np.ndarray:
        """Every store id in the index, sorted (int64)."""
        return np.sort(np.concatenate([self._rows[self._mask], self._delta_ids]))

    def added_ids(self) -> np.ndarray:
        """The store ids added since training (the delta index), int64."""
        return self._delta_ids.copy()

    def copy(self) -> BM25Index:
        """An independent copy sharing the immutable parts (the main index,
        the delta's scores until the copy changes them)."""
        twin = object.__new__(BM25Index)
        twin.__dict__.update(self.__dict__)
        return twin

    def add(self, ids: np.ndarray, documents) -> None:
        """Add documents (their terms) under store ids `ids`; an id already
        present is replaced."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return
        self.remove(ids)
        self._delta_ids = np.concatenate([self._delta_ids, ids])
        self._delta_terms = self._delta_terms + [list(terms) for terms in documents]
        self._delta = self._score_delta()

    def remove(self, ids: np.ndarray) -> int:
        """Remove the given store ids; returns how many were there."""
        ids = np.asarray(ids, dtype=np.int64)
        in_main = np.isin(self._rows, ids) & self._mask
        in_delta = np.isin(self._delta_ids, ids)
        if in_main.any():
            self._deleted = np.union1d(self._deleted, self._rows[in_main])
            self._mask = self._mask & ~in_main
        if in_delta.any():
            self._delta_ids = self._delta_ids[~in_delta]
            self._delta_terms = [t for t, gone in zip(self._delta_terms, in_delta) if not gone]
            self._delta = self._score_delta()
        return int(in_main.sum() + in_delta.sum())

    def search(self, query: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k best documents for a query's terms: scores (1, k') float32
        and store ids (1, k') int64, k' <= k; documents that share no term
        with the query are left out."""
        return self._best(lambda index, n: self._scores(index, query, n), k)

    def search_weighted(self, weights: Mapping[str, float], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k best documents for a weighted query (term -> weight, as RM3
        expansion gives it, search/rm3.py): each document scores the sum
        over terms of weight * the term's BM25 score. Scores (1, k') and
        store ids (1, k'), as `search`; terms no document holds score nothing."""
        return self._best(lambda index, n: self._weighted_scores(index, weights, n), k)

    def term_scores(self, term: str, ids: np.ndarray) -> np.ndarray:
        """(len(ids),) float32: each of the store `ids`' BM25 score for
        `term` alone, its share of a query's score (0.0 where the document
        lacks it, or is not indexed). Meant for a few ids (a ranking's first)."""
        scores, rows = self._every(lambda index, n: self._scores(index, [term], n))
        return np.array([scores[rows == i].max(initial=0.0) for i in np.asarray(ids, np.int64).tolist()],
                        dtype=np.float32)

    def holding(self, terms: list[str], ids: np.ndarray) -> np.ndarray:
        """(len(ids),) bool: which of the store `ids` hold at least one of `terms`."""
        scores, rows = self._every(lambda index, n: self._scores(index, terms, n))
        return np.isin(np.asarray(ids, dtype=np.int64), rows[scores > 0])

    def known(self, terms: list[str]) -> list[str]:
        """The `terms` some document holds (in the main index or the delta), in order."""
        main = getattr(self._main, "vocab_dict", None) or {}
        delta = self._delta.vocab_dict if self._delta is not None else {}
        return [t for t in terms if t in main or t in delta]

    def _every(self, score: Callable[[object, int], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """`score(bm25s index, its row count)` over the main index (deleted
        rows 0.0) and the delta, (n_main + n_delta,), and each row's store id."""
        scores = [score(self._main, len(self._rows))]
        scores[0][~self._mask] = 0.0
        if self._delta is not None:
            scores.append(score(self._delta, len(self._delta_ids)))
        return np.concatenate(scores), np.concatenate([self._rows, self._delta_ids])

    def _best(self, score: Callable[[object, int], np.ndarray], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The top k of `score(bm25s index, its row count)` over the main
        index (deleted rows masked) and the delta, best first, ties by id."""
        every, ids = self._every(score)
        k = min(k, len(every))
        top = np.argpartition(-every, k - 1)[:k] if 0 < k < len(every) else np.arange(len(every))
        top = top[np.lexsort((ids[top], -every[top]))]  # best first, ties by id
        top = top[every[top] > 0]
        return every[top][None, :].astype(np.float32), ids[top][None, :]

    @staticmethod
    def _scores(index, query: list[str], n: int) -> np.ndarray:
        vocabulary = getattr(index, "vocab_dict", None) or {}
        known = [vocabulary[t] for t in query if t in vocabulary]
        if not known or not n:
            return np.zeros(n, dtype=np.float32)
        return np.asarray(index.get_scores_from_ids(known), dtype=np.float32)

    @staticmethod
    def _weighted_scores(index, weights: Mapping[str, float], n: int) -> np.ndarray:
        vocabulary = getattr(index, "vocab_dict", None) or {}
        total = np.zeros(n, dtype=np.float32)  # (n,)
        for term, weight in weights.items():
            if term in vocabulary and n:  # one pass over the term's postings per term
                total += np.float32(weight) * np.asarray(index.get_scores_from_ids([vocabulary[term]]),
                                                         dtype=np.float32)
        return total

    # ---- saving ----------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write into the folder `path`: bm25s's files once, then the state
        atomically (a reader never sees half of it)."""
        path.mkdir(exist_ok=True)
        if not (path / MAIN).is_dir():
            with atomic_path(path / "config.json") as tmp:
                import json

                tmp.write_text(json.dumps({**asdict(self.config), "average_length": self._average_length}))
            if getattr(self._main, "vocab_dict", None):
                self._main.save(str(path / MAIN), show_progress=False)
            else:
                (path / MAIN).mkdir()
        terms = np.array([" ".join(t) for t in self._delta_terms], dtype=str)
        with atomic_path(path / STATE) as tmp:
            with open(tmp, "wb") as handle:
                np.savez(handle, rows=self._rows, deleted=self._deleted, delta_ids=self._delta_ids,
                         delta_terms=terms)
            crash_point("bm25:tmp")

    @classmethod
    def load(cls, path: Path, previous: BM25Index | None = None) -> BM25Index:
        """The index saved in the folder `path`. Given the `previous` load of
        the same folder (another process wrote since), its main index is
        reused (it is written once per generation): only the state is read."""
        import json

        import bm25s

        facts = json.loads((path / "config.json").read_text())
        average_length = float(facts.pop("average_length"))
        config = BM25Config(**facts)
        if previous is not None:
            main = previous._main
        elif (path / MAIN / "params.index.json").exists():
            main = bm25s.BM25.load(str(path / MAIN), show_progress=False, verbosity=0)
        else:
            main = bm25s.BM25(k1=config.k1, b=config.b, method=config.method)
            main.vocab_dict = {}
        with np.load(path / STATE, allow_pickle=False) as state:
            terms = [str(t).split() for t in state["delta_terms"]]
            return cls(config, main, state["rows"], average_length, state["deleted"], state["delta_ids"], terms)
