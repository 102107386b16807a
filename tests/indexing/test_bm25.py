"""The BM25 index: the same scores as bm25s over the same terms, deletes
that stay deleted, uploads scored like the documents trained on, and a
save -> load that gives the same hits."""
from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np
import pytest

from indexing.bm25 import BM25Config, BM25Index
from indexing.text import terms

TEXTS = [
    "The angler caught a bass near the river bank at dawn.",
    "The bank raised its interest rates on every loan.",
    "Herons fish in the shallow river while anglers wait.",
    "A loan officer explained the mortgage and the interest.",
    "The bass guitar and the drums kept the band in time.",
    "Running water erodes the river banks after floods.",
]
IDS = np.array([11, 12, 13, 14, 15, 16])


@pytest.fixture
def index() -> BM25Index:
    return BM25Index.build(IDS, [terms(t) for t in TEXTS], BM25Config())


def test_terms_drop_stop_words_and_stem() -> None:
    assert terms("The banks were running to the rivers in 1999") == ["bank", "run", "river"]
    assert terms("the of and") == []
    assert terms("A low-fat diet") == ["low", "fat", "diet"]  # compounds in parts, as queries write them apart


def test_scores_equal_bm25s_over_the_same_terms(index: BM25Index) -> None:
    reference = bm25s.BM25()
    reference.index([terms(t) for t in TEXTS], show_progress=False)
    query = terms("river bank fishing")
    expected = reference.get_scores(query)  # (6,)
    scores, ids = index.search(query, 6)
    by_id = dict(zip(ids[0].tolist(), scores[0].tolist()))
    for row, doc in enumerate(IDS.tolist()):
        assert by_id.get(doc, 0.0) == pytest.approx(float(expected[row]), abs=1e-5)


def test_a_deleted_document_is_never_returned(index: BM25Index) -> None:
    copy = index.copy()
    assert copy.remove(np.array([11, 99])) == 1
    _, ids = copy.search(terms("angler bass river bank"), 10)
    assert 11 not in ids[0].tolist() and 11 not in copy.ids().tolist()
    assert 11 in index.search(terms("angler bass river bank"), 10)[1][0].tolist()  # the original is untouched
    assert len(copy) == 5 and len(index) == 6


def test_an_upload_scores_as_a_full_rebuild_would(index: BM25Index) -> None:
    copy = index.copy()
    copy.add(np.array([21]), [terms(TEXTS[1])])  # a second copy of document 12, into the delta
    rebuilt = BM25Index.build(np.append(IDS, 21), [terms(t) for t in TEXTS + [TEXTS[1]]], BM25Config())
    query = terms("bank interest loan")
    found = dict(zip(*(a[0].tolist() for a in reversed(copy.search(query, 3)))))
    wanted = dict(zip(*(a[0].tolist() for a in reversed(rebuilt.search(query, 3)))))
    assert set(list(found)[:2]) == {12, 21}
    # The delta counts its terms with the main index's documents: a delta-only
    # index of one document would give every term an idf near 0.
    assert found[21] == pytest.approx(wanted[21], rel=0.05)


def test_an_upload_then_its_delete_and_a_re_add(index: BM25Index) -> None:
    copy = index.copy()
    copy.add(np.array([21]), [terms("A lighthouse keeper trims the lamp wick")])
    assert copy.search(terms("lighthouse"), 3)[1][0].tolist() == [21]
    copy.remove(np.array([21]))
    assert copy.search(terms("lighthouse"), 3)[1][0].tolist() == []
    copy.add(np.array([12]), [terms("A lighthouse on the rocks")])  # an id replaced
    assert copy.search(terms("lighthouse"), 3)[1][0].tolist() == [12]
    assert copy.ids().tolist() == [11, 12, 13, 14, 15, 16]


def test_save_then_load_gives_the_same_hits(index: BM25Index, tmp_path: Path) -> None:
    copy = index.copy()
    copy.add(np.array([21]), [terms("The river flooded the bank of the village")])
    copy.remove(np.array([13]))
    copy.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25")
    for query in ("river bank", "interest loan", "bass"):
        before, after = copy.search(terms(query), 10), loaded.search(terms(query), 10)
        assert after[1].tolist() == before[1].tolist()
        np.testing.assert_allclose(after[0], before[0], rtol=1e-6)
    assert not [p for p in (tmp_path / "bm25").iterdir() if p.name.endswith(".tmp")]
    # Another process's next upload: reading it again reads only the state.
    copy.add(np.array([22]), [terms("A second flood")])
    copy.save(tmp_path / "bm25")
    again = BM25Index.load(tmp_path / "bm25", previous=loaded)
    assert again._main is loaded._main
    assert again.search(terms("flood"), 10)[1].tolist() == copy.search(terms("flood"), 10)[1].tolist()


def test_an_empty_index_answers_nothing_and_takes_uploads(tmp_path: Path) -> None:
    empty = BM25Index.build(np.empty(0, dtype=np.int64), [], BM25Config())
    assert empty.search(["bank"], 5)[1].shape == (1, 0)
    empty.add(np.array([3]), [["bank"]])
    empty.save(tmp_path / "bm25")
    assert BM25Index.load(tmp_path / "bm25").search(["bank"], 5)[1].tolist() == [[3]]


def test_the_bm25_method_encodes_documents_as_their_terms(built_index) -> None:
    method = built_index.method("bm25")
    documents = list(built_index.store)[:3]
    ids, encoded = method.encode_documents(documents)
    assert ids.tolist() == [d.id for d in documents]
    assert [list(e) for e in encoded] == [terms(d.text) for d in documents]
    assert method.encode_query("Fishing on the river banks") == ["fish", "river", "bank"]


def test_a_terms_scores_are_its_share_of_each_documents_score(index: BM25Index) -> None:
    query = terms("river bank fishing")
    scores, ids = index.search(query, 6)
    shares = np.sum([index.term_scores(term, ids[0]) for term in query], axis=0)
    np.testing.assert_allclose(shares, scores[0], rtol=1e-5)
    assert index.term_scores("bank", np.array([13, 99])).tolist() == [0.0, 0.0]  # lacks it; not indexed
    copy = index.copy()
    copy.remove(np.array([12]))
    copy.add(np.array([12, 21]), [terms("A bank on the rocks"), terms(TEXTS[1])])  # an id replaced; an upload
    both = copy.term_scores("bank", np.array([12, 21]))
    found = dict(zip(*(a[0].tolist() for a in reversed(copy.search(["bank"], 10)))))
    np.testing.assert_allclose(both, [found[12], found[21]], rtol=1e-5)
