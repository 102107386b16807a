"""RM3 query expansion over the product's BM25 index: the relevance model's
numbers by hand, expansion terms drawn from the feedback documents, uploads
(the delta index) as feedback and as results, and queries no document can
answer."""
from __future__ import annotations

import numpy as np
import pytest

from indexing.bm25 import BM25Config, BM25Index
from indexing.text import terms
from search.rm3 import RM3Config, expanded_query, feedback_terms, relevance_model, rm3_query, rm3_search

TEXTS = {
    11: "Erosion of the river bank after the flood carried the soil away.",
    12: "Flood water levels rise along the river every spring.",
    13: "The bank raised the interest rate on every loan.",
    14: "He played the bass guitar in a jazz band.",
    15: "River flood water damaged the houses near the bank.",
}


def _index(texts: dict[int, str]) -> BM25Index:
    return BM25Index.build(np.array(list(texts)), [terms(t) for t in texts.values()], BM25Config())


def _rm3(index: BM25Index, texts: dict[int, str], query: str, k: int = 10,
         config: RM3Config = RM3Config()) -> list[int]:
    query_terms = terms(query)
    first = tuple(part[0] for part in index.search(query_terms, 100))
    return rm3_search(index, rm3_query(index, query_terms, first, _feedback(texts, config), config), k)[1].tolist()


def _feedback(texts: dict[int, str], config: RM3Config = RM3Config()) -> dict[int, list[str]]:
    return {i: feedback_terms(text, config.max_chars) for i, text in texts.items()}


def test_the_relevance_model_by_hand() -> None:
    # d1 (score 2): a a b; d2 (score 1): b c. P(a) ~ 2 * 2/3, P(b) ~ 2 * 1/3 + 1 * 1/2, P(c) ~ 1/2.
    model = relevance_model([(2.0, ["a", "a", "b"]), (1.0, ["b", "c"])], n_terms=2)
    total = 4 / 3 + 7 / 6
    assert model == pytest.approx({"a": (4 / 3) / total, "b": (7 / 6) / total})  # c is the lightest: cut


def test_expanded_weights_sum_to_one_and_mix_by_the_query_weight() -> None:
    feedback = [(2.0, ["a", "a", "b"]), (1.0, ["b", "c"])]
    weights = expanded_query(["q", "q", "a"], feedback, RM3Config(feedback_terms=3, query_weight=0.5))
    assert sum(weights.values()) == pytest.approx(1.0)
    model = relevance_model(feedback, 3)
    assert weights["q"] == pytest.approx(0.5 * 2 / 3)
    assert weights["a"] == pytest.approx(0.5 * 1 / 3 + 0.5 * model["a"])
    assert weights["c"] == pytest.approx(0.5 * model["c"])
    assert expanded_query(["q", "a"], [], RM3Config()) == {"q": 0.5, "a": 0.5}  # no feedback: the query alone


def test_expansion_terms_come_from_the_feedback_documents() -> None:
    index = _index(TEXTS)
    query = terms("erosion")
    first = tuple(part[0] for part in index.search(query, 100))
    assert first[1].tolist() == [11]
    texts = {11: TEXTS[11]}
    weights = expanded_query(query, [(1.0, feedback_terms(TEXTS[11], 10_000))], RM3Config())
    assert set(weights) == set(terms(TEXTS[11]))
    found = rm3_search(index, rm3_query(index, query, first, _feedback(texts)), 10)[1].tolist()
    assert found[0] == 11
    assert {12, 15} <= set(found)  # they share river, flood, bank with the feedback document
    assert 14 not in found  # shares nothing with it


def test_a_long_document_is_read_up_to_the_limit() -> None:
    text = "erosion " * 5 + "guitar " * 1000
    erosion = terms("erosion")
    assert feedback_terms(text, 40) == erosion * 5  # "guitar" is cut inside the word: left out
    assert feedback_terms("erosion guitar", 8) == erosion  # cut at a space
    assert feedback_terms("erosion guitar", 10) == erosion


def test_a_query_of_unknown_words_gives_no_hits_and_no_error() -> None:
    index = _index(TEXTS)
    assert _rm3(index, TEXTS, "qwxz zzyzx") == []
    assert rm3_query(index, [], (np.empty(0), np.empty(0, np.int64)), {}) == {}
    scores, ids = rm3_search(index, {}, 10)
    assert scores.shape == ids.shape == (0,)


def test_an_upload_is_feedback_and_is_found() -> None:
    index = _index(TEXTS)
    upload = {21: "Sediment erosion in estuaries: silt and sediment transport by tides."}
    index.add(np.array(list(upload)), [terms(t) for t in upload.values()])
    texts = {**TEXTS, **upload}
    # Only the upload holds "sediment": it is the one feedback document, and
    # expansion finds the trained documents about erosion through it.
    found = _rm3(index, texts, "sediment")
    assert found[0] == 21 and 11 in found
    # The other way round: the upload joins the results through a trained
    # document's feedback ("erosion", which the query does not hold).
    assert 21 in _rm3(index, texts, "soil carried away")


def test_a_deleted_feedback_document_is_skipped() -> None:
    index = _index(TEXTS)
    found = _rm3(index, {i: t for i, t in TEXTS.items() if i != 11}, "erosion")  # 11 gone from the store
    assert found == [11]  # no feedback: the query alone
