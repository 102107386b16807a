"""Group one lemma's WordNet synsets into the coarse senses a person tells
apart (`dictionary_build.py` builds the inventory with it; the benchmark
of CoarseWSD-20 regroups with other settings): average-linkage clustering
of each part of speech's synsets by the cosine distance of their biLM
vectors, or by the larger of that and the teacher's distance; each group
weighted, labelled and marked a name or not (`labels.py`).
"""
from __future__ import annotations

import numpy as np

from indexing.linalg import unit_rows
from indexing.senses.labels import mark_names, name_sense
from indexing.senses.wordnet import Synset

SENSE_POS = ("noun", "verb", "adj")  # the parts of speech whose synsets are grouped, each on its own


def group(vectors: np.ndarray, merge_distance: float, teacher: np.ndarray | None = None) -> list[int]:
    """Cluster labels of one lemma's synsets (average linkage) by the cosine
    distance of their biLM vectors, or, given the ``teacher``'s vectors of
    the same synsets (unit rows), by the larger of the two distances: two
    synsets are alike only when both readers find them alike."""
    if len(vectors) == 1:
        return [0]
    from sklearn.cluster import AgglomerativeClustering

    distances = 1.0 - unit_rows(vectors) @ unit_rows(vectors).T
    if teacher is not None:
        distances = np.maximum(distances, 1.0 - unit_rows(teacher) @ unit_rows(teacher).T)
    clustering = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                         distance_threshold=merge_distance)
    return clustering.fit_predict(np.clip(distances, 0.0, 2.0)).tolist()


def coarse_senses(lemma: str, senses: list[tuple[str, str]], weights: list[float], vectors: np.ndarray,
                  by_pos: dict[str, dict[str, Synset]], merge_distance: float,
                  teacher: np.ndarray | None = None) -> list[dict]:
    """One lemma's coarse senses, heaviest first: label, definition, pos, weight,
    vector. Each part of speech is grouped on its own: "final" the adjective
    (the last) must not take the name of "final" the match."""
    clusters = []
    for pos in SENSE_POS:
        rows = [i for i, (p, _) in enumerate(senses) if p == pos]
        if rows:
            labels = group(vectors[rows], merge_distance, None if teacher is None else teacher[rows])
            clusters += [[rows[i] for i, c in enumerate(labels) if c == cluster] for cluster in sorted(set(labels))]
    found = []
    weight_of = dict(zip(senses, weights))
    for members in clusters:
        member_weights = np.array([weights[i] for i in members])
        mean = (vectors[members] * member_weights[:, None]).sum(axis=0)
        found.append({"pos": senses[members[0]][0], "weight": round(float(member_weights.sum()), 1),
                      "synsets": [f"{senses[i][0]}:{senses[i][1]}" for i in members],
                      "vector": mean / np.linalg.norm(mean)})
        name_sense(lemma, found[-1], by_pos, weight_of)
    mark_names(lemma, found, by_pos)
    return sorted(found, key=lambda sense: -sense["weight"])
