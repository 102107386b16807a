"""The vector chores every method shares: unit rows, rows stored as int8
with a scale each, and the cosine that only a given share of random pairs
reach (the bar a method sets for "related" words, above chance).

Consumes float arrays; produces float32 unit rows, int8 rows and their
scales, and a float threshold.
Each caller samples its own pairs (words of a vocabulary, occurrences in a
corpus): what a random pair is differs by method, the arithmetic does not.
"""
from __future__ import annotations

import numpy as np

EPSILON = 1e-8  # a row shorter than this stays (about) zero instead of blowing up


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """``matrix`` with each row (last axis) scaled to length 1, as float32."""
    matrix = np.asarray(matrix)
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return (matrix / np.maximum(norms, EPSILON)).astype(np.float32)


def int8_rows(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``matrix`` (n, d) as int8 rows and a float32 scale per row (its
    largest magnitude over 127): a unit row's cosines move by about 0.002."""
    scales = (np.maximum(np.abs(matrix).max(axis=1), EPSILON) / 127.0).astype(np.float32)
    return np.round(matrix / scales[:, None]).astype(np.int8), scales


def float_rows(rows: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """The float32 matrix that `int8_rows` stored."""
    return rows.astype(np.float32) * scales[:, None]


def pair_percentile(a: np.ndarray, b: np.ndarray, percentile: float = 99.0) -> float:
    """The cosine of unit rows ``a[i]`` and ``b[i]`` that only
    ``100 - percentile`` % of the pairs reach."""
    return float(np.percentile((a * b).sum(axis=1), percentile))
