"""Known-item search on the demo index: the first two sentences of a story,
as the query, should find that story. ``python -m bench known-item
[--data-dir DIR]``.

Consumes the demo index (built into ``--data-dir`` if missing); takes
`STORIES` Lee stories spread evenly over the 300 (those of at least four
sentences, so the query is under half the story) and, for each method,
counts the stories found in the top 3 and their mean reciprocal rank over
the top 100. Three times: on the demo as built; on a copy with the test
fixture's 33 short documents uploaded (inferred, not trained); and on a
new index of the 300 Lee stories and those 33 short documents trained
together (DM and DBOW only), where short documents sit among the stories.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from bench.homonyms import CORPUS as FIXTURE
from bench.verdicts import open_demo
from indexing.backup import copy_data_dir
from indexing.documents import Document
from indexing.index import Index
from indexing.ingest import read_path
from indexing.demo import LEE_FILE, lee_stories
from indexing.errors import SenseSearchError
from indexing.text import split_sentences
from search.engine import MAX_K, SearchEngine

STORIES = 10
TOP = 3


def known_item_queries(engine: SearchEngine, n: int = STORIES) -> list[tuple[int, str]]:
    """(document id, its first two sentences) for `n` Lee stories spread evenly."""
    stories = []
    for document in engine.index.store:
        spans = split_sentences(document.text) if document.source == LEE_FILE else []
        if len(spans) >= 4:
            stories.append((document.id, document.text[spans[0].start : spans[1].end]))
    step = max(1, len(stories) // n)
    return stories[::step][:n]


def evaluate_known_item(directory: Path) -> dict:
    index = open_demo(directory)
    with tempfile.TemporaryDirectory(prefix="bench-known-") as tmp:
        uploaded = Index.open(copy_data_dir(index.directory, Path(tmp) / "data"))
        uploaded.add_documents(d for d in read_path(FIXTURE) if isinstance(d, Document))
        mixed = Index(Path(tmp) / "mixed")
        mixed.build([*lee_stories(), *(d for d in read_path(FIXTURE) if isinstance(d, Document))],
                    methods=("dm", "dbow"))
        return {"demo": _known_item(SearchEngine(index)),
                "demo + 33 short uploads": _known_item(SearchEngine(uploaded)),
                "Lee stories + 33 short documents, trained together": _known_item(SearchEngine(mixed))}


def _known_item(engine: SearchEngine) -> dict:
    queries = known_item_queries(engine)
    rows = {}
    for method in engine.methods:
        ranks = []
        for doc_id, query in queries:
            try:
                found = [h.doc_id for h in engine.search(query, method, MAX_K, passages=False)]
            except SenseSearchError:
                found = []
            ranks.append(found.index(doc_id) + 1 if doc_id in found else None)
        rows[method] = {"in_top_3": sum(r is not None and r <= TOP for r in ranks), "queries": len(ranks),
                        "mrr": round(sum(1 / r for r in ranks if r) / len(ranks), 3), "ranks": ranks}
    return {"stories": len(queries), "methods": rows,
            "queries": [{"doc_id": d, "query": q} for d, q in queries]}


def known_item_markdown(results: dict) -> str:
    lines = ["# Known-item search on the demo", ""]
    for name, found in ((n, f) for n, f in results.items() if isinstance(f, dict) and "stories" in f):
        lines += [f"## {name}", "", f"The first two sentences of {found['stories']} Lee stories as queries; how "
                  f"many find their story in the top {TOP}, and the mean reciprocal rank (top {MAX_K}).", "",
                  f"| method | in top {TOP} | MRR | ranks |", "|---|---|---|---|"]
        for method, row in found["methods"].items():
            ranks = ", ".join("-" if r is None else str(r) for r in row["ranks"])
            lines.append(f"| {method} | {row['in_top_3']} of {row['queries']} | {row['mrr']:.3f} | {ranks} |")
        lines.append("")
    return "\n".join(lines)
