"""Uploads that a Doc2Vec model did not train on rank in its column only
where they share a word with the query (search/uploads.py), until a retrain."""
from __future__ import annotations

import numpy as np
import pytest

from indexing.bm25 import BM25Config, BM25Index
from indexing.documents import Document
from indexing.generation import Generation
from indexing.index import Index
from indexing.text import terms
from search import runs
from search.engine import SearchEngine

NOTE = Document("Guacamole", "Guacamole. Mash the avocado with lime juice and coriander, then salt it.", "recipes.csv")


@pytest.fixture
def uploaded(index_copy: Index) -> tuple[Index, int]:
    [doc_id] = index_copy.add_documents([NOTE]).added
    return index_copy, doc_id


def _found(engine: SearchEngine, query: str, method: str, doc_id: int) -> bool:
    return doc_id in [h.doc_id for h in engine.search(query, method, k=50, passages=False)]


@pytest.mark.parametrize("method", ["dm", "dbow", "hybrid"])
def test_an_upload_ranks_only_for_queries_that_share_a_word_with_it(uploaded, method: str) -> None:
    index, doc_id = uploaded
    engine = SearchEngine(index)
    collection = len(index.store)
    assert collection <= 50  # every document could be in the top 50 ...
    assert not _found(engine, "bank interest rates and loans", method, doc_id)  # ... but not this one
    assert _found(engine, "lime and avocado", method, doc_id)
    # Every document the model trained on still ranks: only the upload is left out.
    hits = engine.search("bank interest rates and loans", "dbow", k=50, passages=False)
    assert len(hits) == collection - 1


def test_after_a_retrain_the_upload_ranks_by_meaning(uploaded) -> None:
    index, doc_id = uploaded
    index.retrain(methods=["dbow", "bm25"], configs={"dbow": index.method("dbow").config})
    assert _found(SearchEngine(index), "bank interest rates and loans", "dbow", doc_id)


def test_bm25_says_which_documents_hold_a_term() -> None:
    index = BM25Index.build(np.array([1, 2, 3]), [terms("river bank"), terms("loan rates"), terms("bass")],
                            BM25Config())
    index.add(np.array([4]), [terms("the lime and avocado")])
    index.remove(np.array([2]))
    np.testing.assert_array_equal(index.holding(terms("avocado banks loans"), np.array([1, 2, 3, 4, 9])),
                                  [True, False, False, True, False])


def test_held_back_uploads_are_searched_past_until_k_documents_are_left(uploaded, monkeypatch) -> None:
    index, _ = uploaded
    live = index.snapshot()
    vector = live.method("dbow").encode_query("bank interest rates and loans")
    _, everything = live.search("dbow", vector, len(live.vectors["dbow"]))
    hidden = frozenset(everything[:15].tolist())  # more than the first search's room (2k) can hold
    asked: list[int] = []
    original = Generation.search

    def search(self, name, query, depth):
        asked.append(depth)
        return original(self, name, query, depth)

    monkeypatch.setattr(runs, "inferred_count", lambda *_: 100)
    monkeypatch.setattr(runs, "unplaced_uploads", lambda _live, _method, _query, ids: hidden & set(ids.tolist()))
    monkeypatch.setattr(Generation, "search", search)
    _, ids = runs.dense_search(live, "dbow", vector, "bank interest rates and loans", 5, None)
    assert ids.tolist() == everything[15:20].tolist()
    assert asked == [10, 40]  # deeper only when too few were left, four times each step


def test_many_uploads_leave_the_same_ranking_as_a_search_of_everything(index_copy: Index) -> None:
    notes = [Document(f"Note {i}", f"Whisk {i} eggs with sugar and flour, then bake it for {i + 10} minutes.",
                      "notes.txt") for i in range(40)]
    index_copy.add_documents(notes)
    engine = SearchEngine(index_copy)
    for query in ("bank interest rates and loans", "whisk the eggs", "river fishing"):
        whole = [h.doc_id for h in engine.search(query, "dbow", k=len(index_copy.store), passages=False)]
        assert [h.doc_id for h in engine.search(query, "dbow", k=3, passages=False)] == whole[:3]
