"""Korean retrieval: sixteen Korean texts among the 300 English Lee stories.
``python -m bench korean [--methods ...]``.

Consumes the Korean fixture (tests/data/korean: texts and queries written for
this project) and gensim's Lee stories; trains every method on them together
(a fresh index in a temporary directory) and reports per method:
- known item: each text's own query (its words in other inflections) finds
  the text in the top 3, and the mean reciprocal rank over the top 100;
- first sentence: each text's first sentence, as the query, finds the text;
- topics: four queries about what two or three texts share; the share of
  each topic's texts in the top 3 (precision at 3, capped by the topic's size);
- languages kept apart: the share of English stories in the top 10 of the
  Korean queries, and of Korean texts in the top 10 of English queries (the
  first two sentences of ten Lee stories).
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from indexing.documents import Document
from indexing.index import Index
from indexing.ingest import read_path
from indexing.demo import lee_stories
from indexing.errors import SenseSearchError
from indexing.methods import DEFAULT_METHODS
from indexing.progress import TqdmProgress
from bench.known_item import known_item_queries
from indexing.text import split_sentences
from search.engine import MAX_K, SearchEngine

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "data" / "korean"
TOP = 3


def korean_documents() -> list[Document]:
    return [d for d in read_path(FIXTURE / "news.jsonl") if isinstance(d, Document)]


def korean_queries() -> dict:
    return json.loads((FIXTURE / "queries.json").read_text(encoding="utf-8"))


def evaluate_korean(methods: tuple[str, ...] = DEFAULT_METHODS) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-korean-") as tmp:
        index = Index(Path(tmp) / "data")
        index.build([*lee_stories(), *korean_documents()], methods=methods, on_progress=TqdmProgress())
        return evaluate_engine(SearchEngine(index))


def evaluate_engine(engine: SearchEngine) -> dict:
    """The figures above for every method of `engine`'s index, which must
    hold the Korean fixture."""
    by_title = {d.title: d.id for d in engine.index.store if d.source.endswith("news.jsonl")}
    queries = korean_queries()
    known = [(q["query"], by_title[q["title"]]) for q in queries["known_item"]]
    texts = [(engine.index.store.get(i).text, i) for _query, i in known]
    first = [(text[: split_sentences(text)[0].end], i) for text, i in texts]
    english = [query for _doc_id, query in known_item_queries(engine)]
    korean_ids, all_ids = set(by_title.values()), {d.id for d in engine.index.store}
    rows = {}
    for method in engine.methods:
        rows[method] = {"known_item": _known(engine, method, known), "first_sentence": _known(engine, method, first),
                        "topics": _topics(engine, method, queries["topics"], by_title),
                        "english_in_top_10": _share(engine, method, [q for q, _ in known], all_ids - korean_ids),
                        "korean_in_english_top_10": _share(engine, method, english, korean_ids)}
    return {"documents": len(engine.index.store), "korean": len(by_title), "methods": rows}


def _ranked(engine: SearchEngine, method: str, query: str, k: int = MAX_K) -> list[int]:
    try:
        return [h.doc_id for h in engine.search(query, method, k, passages=False)]
    except SenseSearchError:
        return []


def _known(engine: SearchEngine, method: str, queries: list[tuple[str, int]]) -> dict:
    ranks = []
    for query, doc_id in queries:
        found = _ranked(engine, method, query)
        ranks.append(found.index(doc_id) + 1 if doc_id in found else None)
    return {"in_top_3": sum(r is not None and r <= TOP for r in ranks), "queries": len(ranks),
            "mrr": round(sum(1 / r for r in ranks if r) / len(ranks), 3), "ranks": ranks}


def _topics(engine: SearchEngine, method: str, topics: list[dict], by_title: dict[str, int]) -> dict:
    shares = []
    for topic in topics:
        wanted = {by_title[t] for t in topic["titles"]}
        found = set(_ranked(engine, method, topic["query"], TOP))
        shares.append(len(found & wanted) / min(TOP, len(wanted)))
    return {"precision_at_3": round(sum(shares) / len(shares), 3), "per_topic": [round(s, 2) for s in shares]}


def _share(engine: SearchEngine, method: str, queries: list[str], ids: set[int]) -> float:
    """The share of the top-10 slots of `queries` that documents of `ids` take."""
    slots = taken = 0
    for query in queries:
        found = _ranked(engine, method, query, 10)
        slots += len(found)
        taken += sum(doc_id in ids for doc_id in found)
    return round(taken / slots, 3) if slots else 0.0


def korean_markdown(results: dict) -> str:
    lines = ["# Korean retrieval", "",
             f"{results['korean']} Korean texts (tests/data/korean) among {results['documents']} documents "
             "(with gensim's Lee stories), every method trained on them together.", "",
             f"| method | own query in top {TOP} | MRR | first sentence in top {TOP} | topics P@3 "
             "| English in the top 10 of Korean queries | Korean in the top 10 of English queries |",
             "|---|---|---|---|---|---|---|"]
    for method, row in results["methods"].items():
        known, first = row["known_item"], row["first_sentence"]
        lines.append(f"| {method} | {known['in_top_3']} of {known['queries']} | {known['mrr']:.3f} "
                     f"| {first['in_top_3']} of {first['queries']} | {row['topics']['precision_at_3']:.2f} "
                     f"| {row['english_in_top_10']:.0%} | {row['korean_in_english_top_10']:.0%} |")
    return "\n".join(lines) + "\n"
