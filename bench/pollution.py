"""Do a few short uploads pollute unrelated rankings? ``python -m bench
pollution [--data-dir DIR]``.

Consumes the demo corpus (indexed with DM, DBOW and BM25 into ``--data-dir``
if no index is there; the Hybrid column fuses BM25 and DBOW) and 50 short
notes on one unrelated topic, cooking, written here; uploads them as a user
would (inferred, not retrained) into a copy of that index, then asks the 30
everyday demo queries of ``bench.verdicts`` (none is about food). Produces,
per column, how many of the 300 top-10 slots an upload takes: the issue's
target is under 2%. And the other side: that an upload still ranks for its
own content: for each of the 10 dishes, how many of its 5 notes the dish's
name as a query puts in the top 10.
"""
from __future__ import annotations

import itertools
import logging
import tempfile
from pathlib import Path

from bench.verdicts import DEV_QUERIES, EVAL_QUERIES
from indexing.demo import DemoCorpus
from indexing.documents import Document
from indexing.errors import InvalidQueryError
from indexing.index import Index
from indexing.progress import TqdmProgress
from search.engine import SearchEngine

logger = logging.getLogger(__name__)

METHODS = ("dm", "dbow", "bm25")
COLUMNS = ("dm", "dbow", "bm25", "hybrid")
K = 10
TARGET = 0.02

_DISHES = ("Tomato soup", "Pancakes", "Guacamole", "Lentil curry", "Banana bread", "Pesto pasta", "Omelette",
           "Fried rice", "Apple crumble", "Hummus")
_NOTES = ("Chop, simmer for twenty minutes and season with salt.", "Whisk the eggs with milk and a pinch of sugar.",
          "Mash the avocado with lime juice and coriander.", "Bake at 180 degrees until golden.",
          "Serve warm with fresh bread and butter.")


def cooking_notes() -> list[Document]:
    """50 short notes, a title and one or two sentences each, as a recipe
    CSV or a notes folder would give."""
    notes = []
    for number, (dish, note) in enumerate(itertools.product(_DISHES, _NOTES), 1):
        notes.append(Document(f"{dish} ({number})", f"{dish}. {note}", "recipes.csv"))
    return notes


def _demo_index(directory: Path) -> Index:
    """The demo index in ``directory``; built with METHODS alone if there is none."""
    if not (directory / "CURRENT").exists():
        progress = TqdmProgress()
        try:
            Index(directory).build(DemoCorpus(), progress, methods=METHODS)
        finally:
            progress.close()
    return Index.open(directory)


def measure(data_dir: Path) -> dict:
    base = _demo_index(data_dir)
    uploads = cooking_notes()
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "data"
        from indexing.backup import copy_data_dir

        copy_data_dir(base.directory, copy)
        index = Index.open(copy)
        added = set(index.add_documents(uploads).added)
        engine = SearchEngine(index)
        queries = DEV_QUERIES + EVAL_QUERIES
        found: dict[str, dict] = {}
        for column in COLUMNS:
            if column != "hybrid" and column not in index.methods:
                continue
            polluted, examples = 0, []
            for query in queries:
                hits = engine.search(query, column, k=K, passages=False)
                for hit in hits:
                    if hit.doc_id in added:
                        polluted += 1
                        examples.append(f"{query!r}: #{hit.rank} {hit.title}")
            slots = K * len(queries)
            own = 0
            for dish in _DISHES:
                try:
                    hits = engine.search(dish, column, k=K, passages=False)
                except InvalidQueryError:  # no word of the dish's name in the model's vocabulary
                    continue
                own += sum(1 for h in hits if h.doc_id in added and h.title.startswith(dish))
            found[column] = {"polluted_slots": polluted, "slots": slots, "share": round(polluted / slots, 4),
                             "met": polluted / slots < TARGET, "examples": examples[:8],
                             "own_found": own, "own_possible": len(uploads)}
            logger.info("%s: %d of %d slots (%.1f%%)", column, polluted, slots, 100 * polluted / slots)
    return {"uploads": len(uploads), "queries": len(queries), "k": K, "target": TARGET, "columns": found}


def pollution_markdown(result: dict) -> str:
    lines = ["# Short uploads in unrelated rankings", "",
             f"{result['uploads']} short cooking notes uploaded into the demo index (inferred, not retrained); "
             f"{result['queries']} everyday demo queries; top {result['k']}. Target: under "
             f"{100 * result['target']:.0f}% of the slots.", "",
             "| column | upload slots | share | target met | a dish's notes found by its name |",
             "|---|---|---|---|---|"]
    for column, facts in result["columns"].items():
        lines.append(f"| {column} | {facts['polluted_slots']} of {facts['slots']} | {100 * facts['share']:.1f}% | "
                     f"{'yes' if facts['met'] else 'no'} | {facts['own_found']} of {facts['own_possible']} |")
    lines += ["", "Examples:", ""]
    for column, facts in result["columns"].items():
        lines += [f"- {column}: {e}" for e in facts["examples"][:3]]
    return "\n".join(lines) + "\n"
