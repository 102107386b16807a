"""The benchmark's pseudo-relevance feedback retriever over the session index:
it must rank as the plain method when the query keeps all the weight, and by
the feedback documents alone when it keeps none."""
from __future__ import annotations

import numpy as np
import pytest

from bench.retrievers import FeedbackRetriever, ProductRetriever
from search.engine import SearchEngine


class FixedFirstStage:
    """A first-stage ranker that always returns the same documents."""

    def __init__(self, sources: list[str]) -> None:
        self.sources = sources
        self.asked: list[tuple[str, int]] = []

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        self.asked.append((query, k))
        return [(source, 1.0) for source in self.sources[:k]]


@pytest.fixture(scope="module")
def dbow(engine: SearchEngine) -> ProductRetriever:
    return ProductRetriever(engine, "dbow")


def test_full_query_weight_ranks_as_the_method_alone(dbow: ProductRetriever) -> None:
    query = "erosion of the river bank after the flood"
    feedback = FeedbackRetriever(dbow, FixedFirstStage(["bass_guitar.txt"]), depth=1, query_weight=1.0)
    plain, fed = dbow.search(query, 10), feedback.search(query, 10)
    assert [source for source, _ in fed] == [source for source, _ in plain]
    assert [s for _, s in fed] == pytest.approx([s for _, s in plain], abs=1e-4)  # hits round to 4 places


def test_zero_query_weight_ranks_by_the_feedback_documents(dbow: ProductRetriever) -> None:
    first = FixedFirstStage(["bass_guitar.txt", "computer_mouse.txt", "flood_erosion.txt"])
    feedback = FeedbackRetriever(dbow, first, depth=1, query_weight=0.0)
    found = feedback.search("a query about something else entirely", 5)
    assert found[0][0] == "bass_guitar.txt"  # a document's own vector is nearest to itself
    [doc_id] = [d.id for d in dbow.engine.index.store if d.source == "bass_guitar.txt"]
    [stored] = dbow.engine.index.snapshot().vectors["dbow"].vectors_of([doc_id])
    # its cosine, 1, times the weight its hub penalty leaves it (indexing/hubness.py)
    assert found[0][1] == pytest.approx(float(np.linalg.norm(stored)), abs=1e-4)
    assert first.asked == [("a query about something else entirely", 1)]


def test_feedback_moves_the_ranking(dbow: ProductRetriever) -> None:
    query = "erosion of the river bank after the flood"
    feedback = FeedbackRetriever(dbow, FixedFirstStage(["computer_mouse.txt"]), depth=1, query_weight=0.3)
    plain = [source for source, _ in dbow.search(query, 33)]
    fed = [source for source, _ in feedback.search(query, 33)]
    assert fed.index("computer_mouse.txt") < plain.index("computer_mouse.txt")


def test_unknown_words_and_no_feedback_find_nothing(dbow: ProductRetriever) -> None:
    feedback = FeedbackRetriever(dbow, FixedFirstStage([]), depth=5, query_weight=0.5)
    assert feedback.search("qwxz zzyzx", 10) == []


def test_unknown_words_rank_by_feedback_alone(dbow: ProductRetriever) -> None:
    feedback = FeedbackRetriever(dbow, FixedFirstStage(["flood_erosion.txt"]), depth=3, query_weight=0.5)
    assert feedback.search("qwxz zzyzx", 3)[0][0] == "flood_erosion.txt"


@pytest.mark.parametrize(("depth", "query_weight"), [(0, 0.5), (3, -0.1), (3, 1.5)])
def test_bad_settings_are_refused(dbow: ProductRetriever, depth: int, query_weight: float) -> None:
    with pytest.raises(ValueError, match="depth"):
        FeedbackRetriever(dbow, FixedFirstStage([]), depth, query_weight)


def test_sentence_methods_are_refused(engine: SearchEngine, monkeypatch) -> None:
    # ELMo with a plain biLM keeps one vector per sentence (the distilled default keeps one per document).
    monkeypatch.setattr(engine.index.snapshot().method("elmo"), "unit", "sentence")
    with pytest.raises(ValueError, match="one vector per document"):
        FeedbackRetriever(ProductRetriever(engine, "elmo"), FixedFirstStage(["flood_erosion.txt"]), 1, 0.5)
