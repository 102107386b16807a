"""The planted homonym collection (bench/data/homonyms) is what its README
says, and the benchmark reads it as a perfect ranking could score 1.0 on:
three right and three wrong documents per query, each using its homonym."""
from __future__ import annotations

import json
import re

from bench.homonyms import PLANTED, fixture_queries, planted_queries
from indexing.documents import Document
from indexing.ingest import read_path


def _planted() -> list[Document]:
    return [d for d in read_path(PLANTED) if isinstance(d, Document) and d.source.endswith(".txt")]


def test_every_query_has_three_right_and_three_wrong_documents() -> None:
    documents = _planted()
    queries = planted_queries([d.title for d in documents])
    assert len(documents) == 48 and len(queries) == 16
    for query, (word, right, wrong) in queries.items():
        assert word in query.lower().split()
        assert len(right) == 3 and len(wrong) == 3 and not right & wrong, query
        assert all(t.startswith(f"{word}_") for t in right | wrong)


def test_each_document_uses_its_homonym_and_no_other() -> None:
    words = {meant["word"] for meant in json.loads((PLANTED / "queries.json").read_text()).values()}
    for document in _planted():
        word = document.title.split("_")[0]
        uses = re.findall(rf"\b{word}", document.text, flags=re.IGNORECASE)
        assert len(uses) >= 2, document.title
        others = [w for w in words - {word} if re.search(rf"\b{w}s?\b", document.text, flags=re.IGNORECASE)]
        assert not others, (document.title, others)


def test_fixture_queries_name_their_homonym() -> None:
    for query, (word, right, wrong) in fixture_queries().items():
        assert word in query and right and wrong
