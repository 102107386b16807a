"""Cluster the contextual vectors of one word into senses, choosing how many
from the data.

Consumes float32 vectors ``(n, d)`` of one word's occurrences; produces a
label per occurrence and unit centroids ``(k, d)``. Vectors are centred on
the word's mean and normalised, so clustering sees how contexts differ, not
what all occurrences share. k-means (scikit-learn) runs for k = 2..max_senses;
the k whose silhouette most exceeds that of the same occurrences with each
dimension shuffled (data without clusters) wins if the gain reaches
``min_silhouette`` and every cluster holds ``min_cluster`` occurrences;
otherwise the word keeps one sense.

``min_silhouette`` trades splitting ambiguous words against splitting
unambiguous ones; ``python -m bench senses`` tunes it on CoarseWSD-20's train
split with 20 unambiguous control words (the product's features: the biLM's
mean of layers 1-2 plus the context bag), and 0.20 is its choice
(bench/results/senses.md). A split is not yet a verdict: the explanation
says "other sense" only where the split is clearer still and a dictionary
agrees that the word has senses (search/explain.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexing.linalg import unit_rows

MAX_SENSES = 4
MIN_SILHOUETTE = 0.20
MIN_CLUSTER = 3


@dataclass(frozen=True)
class Clusters:
    labels: np.ndarray  # (n,) int, sense index per occurrence
    centroids: np.ndarray  # (k, d) float32 unit vectors, in the centred space
    mean: np.ndarray  # (d,) the word's mean vector, subtracted before comparing
    silhouette: float  # the chosen k's silhouette gain over shuffled data; 0.0 for one sense


def centred(vectors: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Unit rows of ``vectors - mean``."""
    out = np.asarray(vectors, dtype=np.float32) - mean
    norms = np.linalg.norm(out, axis=-1, keepdims=True)
    return out / np.maximum(norms, 1e-8)


def cluster_senses(vectors: np.ndarray, max_senses: int = MAX_SENSES, min_silhouette: float = MIN_SILHOUETTE,
                   min_cluster: int = MIN_CLUSTER, seed: int = 0) -> Clusters:
    """``min_silhouette`` is the least gain over structureless data: the
    silhouette of k clusters minus that of k clusters of the same occurrences
    with each dimension shuffled on its own. Raw silhouettes grow as samples
    shrink (a word seen 15 times splits "well" by chance); the gain does not."""
    from sklearn.cluster import KMeans

    vectors = np.asarray(vectors, dtype=np.float32)
    mean = vectors.mean(axis=0)
    points = centred(vectors, mean)
    rng = np.random.default_rng(seed)
    shuffled = centred(np.stack([rng.permutation(column) for column in vectors.T], axis=1), mean)
    one = Clusters(np.zeros(len(points), dtype=np.int64), unit_rows(points.mean(axis=0, keepdims=True)), mean, 0.0)
    best = one
    for k in range(2, min(max_senses, len(points) // max(min_cluster, 1)) + 1):
        labels = KMeans(n_clusters=k, n_init=2, random_state=seed).fit_predict(points)
        if np.bincount(labels, minlength=k).min() < min_cluster:
            continue
        null = KMeans(n_clusters=k, n_init=2, random_state=seed).fit_predict(shuffled)
        gain = _silhouette(points, labels) - _silhouette(shuffled, null)
        if gain >= min_silhouette and gain > best.silhouette:
            centroids = unit_rows(np.stack([points[labels == j].mean(axis=0) for j in range(k)]))
            best = Clusters(labels.astype(np.int64), centroids, mean, gain)
    return _by_size(best)


def _silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    from sklearn.metrics import silhouette_score

    return float(silhouette_score(points, labels, metric="cosine")) if len(set(labels.tolist())) > 1 else 0.0


def assign(vectors: np.ndarray, clusters_mean: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centroid per row of ``vectors`` and its cosine."""
    similarity = centred(vectors, clusters_mean) @ centroids.T  # (n, k)
    best = similarity.argmax(axis=1)
    return best, similarity[np.arange(len(best)), best]


def _by_size(clusters: Clusters) -> Clusters:
    """Renumber senses so that sense 0 is the most frequent."""
    order = np.argsort(-np.bincount(clusters.labels, minlength=len(clusters.centroids)), kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return Clusters(rank[clusters.labels], clusters.centroids[order], clusters.mean, clusters.silhouette)
