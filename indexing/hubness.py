"""Hub penalty for document-vector search: a document that sits close to
where many queries fall is weighed down by how close, so it stops crowding
the top of queries that are not about it (hubness: Radovanović et al.,
2010; CSLS, Conneau et al., 2018, measures it the same way, against
queries).

A document's hub radius r is the mean cosine of its direction with its `k`
nearest pseudo-queries: snippets of the training text, inferred and
centred as a query is (`Doc2VecModel.pseudo_queries`). Its stored vector
is scaled by 1 - weight * r, so it ranks by cos(query, document) * (1 -
weight * r), as an upload the model knows little of is scaled by its
confidence. An inferred query lands near the centre of its topic, and in
DBOW's space the stories nearest that centre (one short, generic story of
a busy topic: cricket tests, Middle East raids) outranked the story a
query was taken from: the first two sentences of a demo story found it in
DBOW's top 3 for 263 of 278 dev stories, 271 with the penalty, and dev
nDCG@10 rose a little (bench/results/decisions.md).

Why a scale and not CSLS's subtraction: subtracted, the penalty pushed a
clump that is dense throughout (Korean texts among English ones) below
texts of the other language with no word in common with the query; a
scale keeps every score's sign. The weight stays small enough that the
scale stays at or above one half: at 0.75, Korean texts, which sit close
to their own snippets, fell to a third of their score, and half of them
left their own query's top 3.
"""
from __future__ import annotations

import numpy as np


def hub_radii(directions: np.ndarray, pseudo_queries: np.ndarray, k: int) -> np.ndarray:
    """The mean cosine (n,) of each unit row of ``directions`` with its
    ``k`` nearest ``pseudo_queries`` (m, d), unit rows; 0 for a zero row or
    when there are none."""
    n, k = len(directions), min(k, len(pseudo_queries))
    if not n or not k:
        return np.zeros(n, dtype=np.float32)
    cosines = directions @ pseudo_queries.T  # (n, m): m is about a thousand
    nearest = np.partition(cosines, len(pseudo_queries) - k, axis=1)[:, -k:]
    radii = nearest.mean(axis=1).astype(np.float32)
    radii[~np.any(directions, axis=1)] = 0.0
    return radii


def shrunk(vectors: np.ndarray, radii: np.ndarray, weight: float) -> np.ndarray:
    """``vectors`` (n, d), each scaled by 1 - weight * its radius (kept in
    [0, 1]: a radius is a cosine, at most 1)."""
    return (vectors * np.clip(1.0 - weight * radii, 0.0, 1.0)[:, None]).astype(np.float32)
