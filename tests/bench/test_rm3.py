"""The benchmark's RM3 baseline: query expansion from BM25's top documents.
Needs the benchmark extras (requirements-bench.txt); skipped without them."""
from __future__ import annotations

import pytest

pytest.importorskip("bm25s")
pytest.importorskip("Stemmer")

from bench.retrievers import BM25Retriever, RM3Retriever  # noqa: E402

DOCUMENTS = {
    "erosion": ("", "Erosion of the river bank after the flood carried the soil away."),
    "levels": ("", "Flood water levels rise along the river every spring."),
    "loans": ("", "The bank raised the interest rate on every loan."),
    "guitar": ("", "He played the bass guitar in a jazz band."),
    "damage": ("", "River flood water damaged the houses near the bank."),
}


def test_expansion_finds_documents_without_the_query_word() -> None:
    assert [doc for doc, _ in BM25Retriever(DOCUMENTS).search("erosion", 5)] == ["erosion"]
    found = [doc for doc, _ in RM3Retriever(DOCUMENTS).search("erosion", 5)]
    assert found[0] == "erosion"
    assert {"levels", "damage"} <= set(found)  # they share river, flood, water with the feedback document
    assert "guitar" not in found


def test_query_without_indexed_words_finds_nothing() -> None:
    rm3 = RM3Retriever(DOCUMENTS)
    assert rm3.search("qwxz zzyzx", 5) == []
    assert rm3.search("the of and", 5) == []  # stop words only


def test_k_bounds_the_results() -> None:
    assert len(RM3Retriever(DOCUMENTS).search("river flood bank", 2)) == 2
