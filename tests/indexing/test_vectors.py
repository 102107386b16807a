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


# ---- uploads and deletes between trains: the main index and its changes ----

def _changed(kind: str) -> tuple[VectorIndex, np.ndarray, np.ndarray]:
    """An index of `kind` after uploads and deletes, with the ids (n,) and
    vectors (n, DIM) it should hold."""
    vectors = clustered(400, seed=11)
    ids = np.arange(1000, 1400, dtype=np.int64)
    index = VectorIndex.build(ids[:300], vectors[:300], kind=kind)
    index.add(ids[300:], vectors[300:])  # uploads
    assert index.remove(np.array([1000, 1001, 1350, 9999])) == 3  # two trained, one uploaded, one unknown
    index.add(ids[5:6], vectors[399:400])  # an id re-added with another vector replaces it
    keep = ~np.isin(ids, [1000, 1001, 1350])
    held, data = ids[keep], vectors[keep].copy()
    data[held == 1005] = vectors[399]
    return index, held, data


@pytest.mark.parametrize("kind", ["flat", "flat16"])
def test_after_uploads_and_deletes_search_is_still_exact(kind: str) -> None:
    index, held, data = _changed(kind)
    np.testing.assert_array_equal(index.ids(), held)
    assert len(index) == len(held)
    assert "100 added and 3 deleted since it was built" in index.describe()
    queries = clustered(30, seed=12)
    scores, found = index.search(queries, 10)
    want_scores, want_ids = exact_top(held, data, queries, 10)
    np.testing.assert_allclose(scores, want_scores, atol=2e-3 if kind == "flat16" else 1e-5)
    agree = np.mean([len(set(f) & set(w)) / 10 for f, w in zip(found, want_ids)])
    assert agree >= (0.99 if kind == "flat16" else 1.0)
    np.testing.assert_allclose(index.vectors_of([1005, 1399, 1002]), data[np.isin(held, [1002, 1005, 1399])][[1, 2, 0]],
                               atol=1e-3)
    assert index.vectors_of([1000]) is None  # deleted


def test_ivf_skips_deleted_ids_and_keeps_probing_as_built() -> None:
    index, held, data = _changed("ivf")
    queries = clustered(30, seed=12)
    _, found = index.search(queries, 10)
    assert not np.isin(found, [1000, 1001, 1350]).any()
    _, want = exact_top(held, data, queries, 10)
    assert np.mean([len(set(f) & set(w)) / 10 for f, w in zip(found, want)]) >= 0.95


def test_changes_are_made_to_a_copy_only() -> None:
    vectors = clustered(20, seed=13)
    index = VectorIndex.build(np.arange(10), vectors[:10])
    twin = index.copy()
    twin.add(np.arange(10, 20), vectors[10:])
    twin.remove(np.array([0]))
    np.testing.assert_array_equal(index.ids(), np.arange(10))
    np.testing.assert_array_equal(twin.ids(), np.arange(1, 20))


def test_an_upload_saves_the_changes_not_the_whole_index(tmp_path: Path) -> None:
    main = VectorIndex.build(np.arange(5), clustered(5, seed=14))
    main.save(tmp_path / "vectors.faiss")
    written = (tmp_path / "vectors.faiss").stat().st_mtime_ns
    loaded = VectorIndex.load(tmp_path / "vectors.faiss")
    loaded.add(np.array([7]), clustered(1, seed=15))
    loaded.remove(np.array([0]))
    loaded.save(tmp_path / "vectors.faiss")
    assert (tmp_path / "vectors.faiss").stat().st_mtime_ns == written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vectors.changes.npz", "vectors.faiss"]
    again = VectorIndex.load(tmp_path / "vectors.faiss")
    np.testing.assert_array_equal(again.ids(), [1, 2, 3, 4, 7])
    for got, want in zip(again.search(clustered(3, seed=16), 4), loaded.search(clustered(3, seed=16), 4)):
        np.testing.assert_array_equal(got, want)


def test_large_changes_are_folded_into_a_new_main_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectors_module, "FOLD_MAX_BYTES", 10 * DIM * 4)  # ten added vectors
    vectors = clustered(60, seed=17)
    index = VectorIndex.build(np.arange(40), vectors[:40])
    index.save(tmp_path / "vectors.faiss")
    index.add(np.arange(40, 50), vectors[40:50])
    assert "added" in index.describe()  # ten: not yet
    index.add(np.arange(50, 60), vectors[50:60])
    assert "added" not in index.describe() and len(index) == 60  # folded
    index.save(tmp_path / "vectors.faiss")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vectors.1.faiss", "vectors.changes.npz"]
    loaded = VectorIndex.load(tmp_path / "vectors.faiss")
    np.testing.assert_array_equal(loaded.ids(), np.arange(60))
    _, found = loaded.search(vectors[55:56], 1)
    assert found[0, 0] == 55


def test_a_fold_killed_before_its_commit_leaves_the_previous_index(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectors_module, "FOLD_MAX_BYTES", 0)  # every upload folds
    vectors = clustered(12, seed=18)
    index = VectorIndex.build(np.arange(10), vectors[:10])
    index.save(tmp_path / "vectors.faiss")

    def killed(point: str) -> None:
        if point == "vectors:changes":
            raise KeyboardInterrupt  # stands in for SIGKILL: the new main is written, not yet named
    monkeypatch.setattr(vectors_module, "crash_point", killed)
    index.add(np.arange(10, 12), vectors[10:])
    with pytest.raises(KeyboardInterrupt):
        index.save(tmp_path / "vectors.faiss")
    np.testing.assert_array_equal(VectorIndex.load(tmp_path / "vectors.faiss").ids(), np.arange(10))


def test_reading_another_process_s_changes_reuses_the_main_index(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = clustered(30, seed=19)
    VectorIndex.build(np.arange(10), vectors[:10]).save(tmp_path / "vectors.faiss")
    reader = VectorIndex.load(tmp_path / "vectors.faiss")
    writer = VectorIndex.load(tmp_path / "vectors.faiss")
    writer.add(np.array([10]), vectors[10:11])
    writer.save(tmp_path / "vectors.faiss")
    followed = VectorIndex.load(tmp_path / "vectors.faiss", previous=reader)
    assert followed._index is reader._index and 10 in followed.ids()
    monkeypatch.setattr(vectors_module, "FOLD_MAX_BYTES", 0)
    writer.add(np.array([11]), vectors[11:12])  # folded: a new main index on disk
    writer.save(tmp_path / "vectors.faiss")
    refolded = VectorIndex.load(tmp_path / "vectors.faiss", previous=followed)
    assert refolded._index is not reader._index
    np.testing.assert_array_equal(refolded.ids(), np.arange(12))
