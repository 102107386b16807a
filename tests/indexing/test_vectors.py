"""FAISS indexes against brute-force numpy: the flat index is exact, the IVF
index finds nearly all true neighbours on clustered data and all of them
when it probes every list."""
from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from indexing import vectors as vectors_module
from indexing.vectors import VectorIndex

DIM = 16


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def clustered(n: int, seed: int, clusters: int = 40) -> np.ndarray:
    """Unit vectors (n, DIM) around `clusters` centres, like topical documents."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, DIM))
    return unit(centres[rng.integers(0, clusters, n)] + 0.35 * rng.normal(size=(n, DIM)))


def exact_top(ids: np.ndarray, data: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Brute force: scores (q, k) and ids (q, k) by inner product, best first."""
    scores = queries @ data.T  # (q, n)
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(scores, order, axis=1), ids[order]


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse, shuffled FAISS ids (as after deletes), 4,000 vectors, 50 queries."""
    rng = np.random.default_rng(0)
    ids = rng.permutation(np.arange(4000, dtype=np.int64) * 7 + 3)
    return ids, clustered(4000, seed=1), clustered(50, seed=2)


def test_flat_search_equals_brute_force(data) -> None:
    ids, vectors, queries = data
    index = VectorIndex.build(ids, vectors, kind="flat")
    scores, found = index.search(queries, 10)
    want_scores, want_ids = exact_top(ids, vectors, queries, 10)
    np.testing.assert_array_equal(found, want_ids)
    np.testing.assert_allclose(scores, want_scores, atol=1e-5)


def test_half_precision_flat_search_finds_the_exact_top_10(data) -> None:
    ids, vectors, queries = data
    index = VectorIndex.build(ids, vectors, kind="flat16")
    assert index.kind == "flat16" and index.describe().startswith("flat float16")
    scores, found = index.search(queries, 10)
    want_scores, want_ids = exact_top(ids, vectors, queries, 10)
    np.testing.assert_allclose(scores, want_scores, atol=2e-3)
    # Ties within float16's precision may swap places; nothing else may.
    agree = np.mean([len(set(f) & set(w)) / 10 for f, w in zip(found, want_ids)])
    assert agree >= 0.99


def test_ivf_recall_at_10_is_high_on_clustered_data(data) -> None:
    ids, vectors, queries = data
    index = VectorIndex.build(ids, vectors, kind="ivf")
    assert index.kind == "ivf"
    _, found = index.search(queries, 10)
    _, want = exact_top(ids, vectors, queries, 10)
    recall = np.mean([len(set(f) & set(w)) / 10 for f, w in zip(found, want)])
    assert recall >= 0.95


def test_ivf_probing_every_list_is_exact(data) -> None:
    ids, vectors, queries = data
    index = VectorIndex.build(ids, vectors, kind="ivf")
    ivf = faiss.extract_index_ivf(index._index)  # no public knob: nprobe is fixed at build
    assert 1 < ivf.nlist < len(ids) // 39 + 1
    ivf.nprobe = ivf.nlist
    scores, found = index.search(queries, 10)
    want_scores, want_ids = exact_top(ids, vectors, queries, 10)
    np.testing.assert_array_equal(found, want_ids)
    np.testing.assert_allclose(scores, want_scores, atol=1e-5)


def test_the_kind_follows_the_collection_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectors_module, "EXACT_MAX_FLOATS", 100 * DIM)
    small, large = clustered(100, seed=3), clustered(101, seed=4)
    assert VectorIndex.build(np.arange(100), small).kind == "flat"
    index = VectorIndex.build(np.arange(101), large)
    assert index.kind == "ivf"
    assert index.describe() == f"IVF2 (approximate, nprobe=2), 101 vectors of {DIM} dims"


def test_the_kind_counts_dimensions_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # What a flat search costs is the numbers it scans: wide vectors go IVF sooner.
    monkeypatch.setattr(vectors_module, "EXACT_MAX_FLOATS", 100 * DIM)
    wide = np.repeat(clustered(60, seed=3), 2, axis=1) / np.sqrt(2)  # 60 vectors of 2 * DIM
    assert VectorIndex.build(np.arange(50), wide[:50]).kind == "flat"
    assert VectorIndex.build(np.arange(60), wide).kind == "ivf"


@pytest.mark.parametrize("kind", ["flat", "flat16", "ivf"])
def test_add_remove_and_ids(kind: str) -> None:
    vectors = clustered(200, seed=5)
    index = VectorIndex.build(np.arange(100, 250), vectors[:150], kind=kind)
    index.add(np.arange(250, 300), vectors[150:])
    np.testing.assert_array_equal(index.ids(), np.arange(100, 300))
    assert index.remove(np.array([120, 260, 999])) == 2
    assert len(index) == 198
    assert 120 not in index.ids() and 260 not in index.ids()
    _, found = index.search(vectors[[20, 160]], 5)  # the removed vectors themselves
    assert 120 not in found and 260 not in found
    _, found = index.search(vectors[[21]], 1)
    assert found[0, 0] == 121


def test_asking_for_more_than_there_is_returns_what_there_is() -> None:
    index = VectorIndex.build(np.array([5, 6, 7]), clustered(3, seed=6))
    scores, found = index.search(clustered(1, seed=7), 10)
    assert found.shape == (1, 3) and sorted(found[0]) == [5, 6, 7]
    assert np.all(np.diff(scores[0]) <= 0)


def test_an_empty_index_finds_nothing() -> None:
    index = VectorIndex.build(np.empty(0, dtype=np.int64), np.empty((0, DIM), dtype=np.float32))
    assert len(index) == 0 and index.ids().size == 0
    _, found = index.search(clustered(1, seed=8), 5)
    assert np.all(found == -1)


@pytest.mark.parametrize("kind", ["flat", "flat16", "ivf"])
def test_save_then_load_gives_identical_hits(kind: str, data, tmp_path: Path) -> None:
    ids, vectors, queries = data
    index = VectorIndex.build(ids, vectors, kind=kind)
    index.save(tmp_path / "vectors.faiss")
    loaded = VectorIndex.load(tmp_path / "vectors.faiss")
    assert list(tmp_path.iterdir()) == [tmp_path / "vectors.faiss"]  # no temp file left behind
    assert (loaded.kind, loaded.describe()) == (index.kind, index.describe())
    np.testing.assert_array_equal(loaded.ids(), np.sort(ids))
    for got, want in zip(loaded.search(queries, 10), index.search(queries, 10)):
        np.testing.assert_array_equal(got, want)


def test_wrong_shapes_and_kinds_name_the_problem() -> None:
    index = VectorIndex.build(np.arange(3), clustered(3, seed=9))
    with pytest.raises(ValueError, match="query vectors have 8 dims, the index 16"):
        index.search(np.ones((1, 8), dtype=np.float32), 1)
    with pytest.raises(ValueError, match="vectors have 8 dims, the index 16"):
        index.add(np.array([9]), np.ones((1, 8), dtype=np.float32))
    with pytest.raises(ValueError, match=r"need vectors \(n, d\) and ids \(n,\)"):
        VectorIndex.build(np.arange(2), clustered(3, seed=9))
    with pytest.raises(ValueError, match="unknown index kind 'hnsw'; valid kinds are 'flat', 'flat16', 'ivf'"):
        VectorIndex.build(np.arange(3), clustered(3, seed=9), kind="hnsw")
