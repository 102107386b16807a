"""Hybrid ranking: keyword and meaning together. BM25 ranks the documents
by their words, alone or with RM3 query expansion (search/rm3.py: the
lexical feedback of its first documents); DBOW and DM are each re-queried
with the keyword run's feedback (Rocchio, 1971, in each method's own vector
space: the query's vector moves toward the mean vector of its first
documents); the rankings are fused by a weighted sum of per-query
normalised scores (Fox & Shaw, 1994, CombSUM; the normalisations are
ranx's, which the benchmark tuned with).

Consumes the runs, each scores (n,) and store ids (n,) best first; produces
fused scores and ids, and each fused document's rank in each run. No index
of its own: everything it reads belongs to BM25, DBOW and DM.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from indexing.methods import LEXICAL
from search.rm3 import RM3_CONFIG, RM3Config

NORMS = ("min-max", "zmuv", "rank")
# The keyword runs, by the name each hit's `ranks` gives them, and how the
# page and the command line name them to a user.
KEYWORD_RUNS = {"bm25": "BM25 (keywords)", "rm3": "RM3 (expanded keywords)"}  # short: a caption in a narrow column


@dataclass(frozen=True)
class HybridConfig:
    """How the Hybrid column fuses its keyword run and its dense runs (DBOW,
    DM). Chosen by `python -m bench hybrid` on the dev queries of CISI and
    NFCorpus together (the best mean nDCG@10 of the two collections, one
    setting for both, out of 2,790 tried; the test queries were not looked
    at; bench/results/hybrid-tuning.json), the dense methods' shares by
    `python -m bench dense-mix`. The values and the reasons:"""

    # The keyword run: "bm25" (plain BM25, as its own column ranks) or "rm3"
    # (BM25 with RM3 query expansion, search/rm3.py). RM3: its best fusion
    # led the best with plain BM25 on dev, and both keyword runs alone (the
    # table of the best of each kind: bench/results/decisions.md).
    lexical: str = "rm3"
    # The keyword run whose first documents feed the dense methods: "bm25" or "rm3".
    # RM3's: its first documents are better ones (the same table).
    feedback_from: str = "rm3"
    # RM3's parameters (Anserini's defaults, not tuned on our collections).
    rm3: RM3Config = RM3_CONFIG
    # The keyword run's share of the fused score; the dense runs get the
    # rest. Keywords alone beat every dense method of ours, so they lead;
    # the best mean on dev is flat around this weight.
    bm25_weight: float = 0.65
    # The dense methods re-queried with the keyword run's feedback, and each
    # one's share of the dense weight (`1 - bm25_weight`). Alone, DBOW and
    # DM tie (`python -m bench hybrid --dense dbow dm`, one training each;
    # bench/results/hybrid-tuning-dense.json); fused together, DM at 0.35,
    # they had the best mean dev nDCG@10 of 36 settings over two trainings
    # (`python -m bench dense-mix`; bench/results/dense-mix.md): against
    # DBOW alone, NFCorpus +0.005 and +0.008 (p 0.03, 0.01), CISI +0.005
    # and -0.003 (p > 0.3). An index without one of them fuses the others
    # (`within`).
    dense_methods: tuple[str, ...] = ("dbow", "dm")
    dense_shares: tuple[float, ...] = (0.65, 0.35)
    # Per-query score normalisation before the weighted sum: "min-max" maps
    # each run's scores onto [0, 1], "zmuv" to z-scores, "rank" ignores
    # scores. min-max led on dev, z-scores close behind (BM25's scores are
    # unbounded, DBOW's are cosines: either way they need a common scale).
    norm: str = "min-max"
    # Documents taken from each run before fusing (the benchmark's depth).
    depth: int = 100
    # The keyword run's first documents whose vectors (each dense method's
    # own) form the feedback, and the share the query's own inferred vector
    # keeps (0: feedback alone); chosen for DBOW, DM takes the same. Doc2Vec
    # infers a query's vector poorly from a few words; the documents the
    # keyword run puts first were trained on, so their vectors place its
    # topic better. Ten documents, the query keeping 0.7: best on dev;
    # without feedback (depth 0) no setting was among the 40 best.
    feedback_depth: int = 10
    query_weight: float = 0.7

    def __post_init__(self) -> None:
        if not 0.0 <= self.bm25_weight <= 1.0 or not 0.0 <= self.query_weight <= 1.0:
            raise ValueError(f"weights must lie in [0, 1], not {self.bm25_weight}, {self.query_weight}")
        if self.norm not in NORMS:
            raise ValueError(f"unknown normalisation {self.norm!r}; valid ones are {', '.join(NORMS)}")
        for run in (self.lexical, self.feedback_from):
            if run not in KEYWORD_RUNS:
                raise ValueError(f"unknown keyword run {run!r}; valid ones are {', '.join(KEYWORD_RUNS)}")
        if self.depth < 1 or self.feedback_depth < 0:
            raise ValueError(f"need depth >= 1 and feedback_depth >= 0, not {self.depth}, {self.feedback_depth}")
        if (not self.dense_methods or len(self.dense_shares) != len(self.dense_methods)
                or min(self.dense_shares) < 0.0 or abs(sum(self.dense_shares) - 1.0) > 1e-6):
            raise ValueError(f"each dense method needs a share, the shares summing to 1, not "
                             f"{self.dense_methods} with {self.dense_shares}")

    @property
    def dense_weight(self) -> float:
        return 1.0 - self.bm25_weight

    @property
    def dense_runs(self) -> dict[str, float]:
        """Each dense method's run, by its name in each hit's `ranks`
        ("dbow+feedback"), with its weight in the fused score."""
        return {dense_run(method): self.dense_weight * share
                for method, share in zip(self.dense_methods, self.dense_shares)}

    @property
    def weights(self) -> dict[str, float]:
        """Every fused run's weight, by its name in each hit's `ranks`."""
        return {self.lexical: self.bm25_weight, **self.dense_runs}

    @property
    def label(self) -> str:
        """The Hybrid column's name on the page."""
        dense = " + ".join(method.upper() for method in self.dense_methods)
        return f"Hybrid ({'BM25 + RM3' if self.lexical == 'rm3' else 'BM25'} + {dense})"

    def within(self, methods: Iterable[str]) -> HybridConfig:
        """This fusion in an index with ``methods``: the dense methods it
        lacks left out, the others' shares scaled up to the whole dense
        weight. Raises ValueError when it has none of them."""
        kept = [(method, share) for method, share in zip(self.dense_methods, self.dense_shares) if method in methods]
        if len(kept) == len(self.dense_methods):
            return self
        if not kept:
            raise ValueError(f"the Hybrid needs one of {', '.join(self.dense_methods)} in the index")
        total = sum(share for _, share in kept)
        shares = tuple(share / total if total else 1.0 / len(kept) for _, share in kept)
        return replace(self, dense_methods=tuple(m for m, _ in kept), dense_shares=shares)


def dense_run(method: str) -> str:
    """A dense method's feedback run, by its name in each hit's `ranks`."""
    return f"{method}+feedback"


def run_label(run: str) -> str:
    """How a run of `Hit.ranks` ("bm25", "rm3", "dbow+feedback") is named to a user."""
    return KEYWORD_RUNS.get(run) or f"{run_name(run)} (meaning)"


def run_name(run: str) -> str:
    """A run's short name, where space is short (a result card): "RM3", "DBOW"."""
    return run.partition("+")[0].upper()


HYBRID_CONFIG = HybridConfig()


def offers_hybrid(methods: Iterable[str]) -> bool:
    """Whether an index with these methods has the Hybrid column: it fuses
    BM25 with the dense methods of `HYBRID_CONFIG` it has (one at least)."""
    methods = set(methods)
    return LEXICAL in methods and not methods.isdisjoint(HYBRID_CONFIG.dense_methods)


def normalise(scores: np.ndarray, norm: str) -> np.ndarray:
    """One run's scores (n,), best first, normalised per query as ranx does."""
    scores = np.asarray(scores, dtype=np.float64)
    if not len(scores):
        return scores
    if norm == "min-max":
        return (scores - scores.min()) / max(float(scores.max() - scores.min()), 1e-9)
    if norm == "zmuv":
        return (scores - scores.mean()) / max(float(scores.std()), 1e-9)
    if norm == "rank":
        return 1.0 - np.arange(len(scores)) / len(scores)
    raise ValueError(f"unknown normalisation {norm!r}; valid ones are {', '.join(NORMS)}")


def unit_scales(scores: np.ndarray, norm: str) -> np.ndarray:
    """(n,) for one run's scores (n,), best first: how much each document's
    normalised score moves per unit of its raw score, so that a part of a
    raw score (one query word's BM25 share) is that times the part in the
    fused score's units. Exact for "min-max" (1 / the range) and "zmuv"
    (1 / the deviation), whose normalisations are linear; "rank" ignores
    scores, so there a part counts by its fraction of the document's score."""
    scores = np.asarray(scores, dtype=np.float64)
    if not len(scores):
        return scores
    if norm == "min-max":
        return np.full(len(scores), 1.0 / max(float(scores.max() - scores.min()), 1e-9))
    if norm == "zmuv":
        return np.full(len(scores), 1.0 / max(float(scores.std()), 1e-9))
    if norm == "rank":
        return np.divide(normalise(scores, norm), scores, out=np.zeros(len(scores)), where=scores > 0)
    raise ValueError(f"unknown normalisation {norm!r}; valid ones are {', '.join(NORMS)}")


def fuse(runs: dict[str, tuple[np.ndarray, np.ndarray]], weights: dict[str, float], norm: str,
         k: int) -> tuple[np.ndarray, np.ndarray, list[dict[str, int]]]:
    """The weighted sum of the normalised runs (name -> (scores (n,), ids
    (n,)), best first); a document a run did not return gets nothing from
    it. Returns the top k: scores (k,), ids (k,), and per document its
    1-based rank in each run that returned it."""
    total: dict[int, float] = {}
    ranks: dict[int, dict[str, int]] = {}
    for name, (scores, ids) in runs.items():
        for rank, (value, doc) in enumerate(zip(normalise(scores, norm).tolist(), ids.tolist()), 1):
            total[doc] = total.get(doc, 0.0) + weights[name] * value
            ranks.setdefault(doc, {})[name] = rank
    best = sorted(total, key=lambda doc: (-total[doc], doc))[:k]
    return (np.array([total[d] for d in best], dtype=np.float32), np.array(best, dtype=np.int64),
            [ranks[d] for d in best])


def fuse_runs(runs: dict[str, tuple[np.ndarray, np.ndarray]], config: HybridConfig,
              k: int) -> tuple[np.ndarray, np.ndarray, list[dict[str, int]]]:
    """`fuse` of the runs `config` names (its keyword run and its dense runs)
    with its weights and normalisation; other runs, and runs of weight 0,
    are ignored (a weight-0 run would add its documents at the bottom)."""
    weights = {name: weight for name, weight in config.weights.items() if weight > 0.0}
    return fuse({name: run for name, run in runs.items() if name in weights}, weights, config.norm, k)


def feedback_query(query: np.ndarray | None, feedback: np.ndarray, query_weight: float) -> np.ndarray | None:
    """The query's unit vector (dim,) moved toward the mean of the feedback
    documents' vectors (m, dim); None when neither says anything."""
    vector = np.zeros(feedback.shape[1], dtype=np.float64) if query is None else query_weight * query
    if len(feedback):
        centroid = feedback.mean(axis=0)
        vector = vector + (1.0 - query_weight) * centroid / max(float(np.linalg.norm(centroid)), 1e-12)
    norm = float(np.linalg.norm(vector))
    return None if norm == 0.0 else (vector / norm).astype(np.float32)
