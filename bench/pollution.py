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

``--dev`` chooses how much an upload is scaled by its known words
(`Doc2VecConfig.inferred_shrink`) apart from that measure: 50 gardening
notes and the 10 dev queries of ``bench.verdicts``, each c scored by
re-ranking (the same trained model, the uploads scaled by n / (n + c)).
"""
from __future__ import annotations

import itertools
import logging
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.verdicts import DEV_QUERIES, EVAL_QUERIES
from indexing.backup import copy_data_dir
from indexing.demo import DemoCorpus
from indexing.doc2vec import Doc2VecModel
from indexing.documents import Document
from indexing.errors import InvalidQueryError
from indexing.index import Index
from indexing.progress import TqdmProgress
from indexing.text import words
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


# Dev: another unrelated topic, for choosing without looking at the cooking notes.
_PLANTS = ("Roses", "Tulips", "Lavender", "Sunflowers", "Orchids", "Ferns", "Cacti", "Bonsai", "Ivy", "Daffodils")
_GARDEN_NOTES = ("Water deeply once a week in dry weather.", "Prune in late winter before new shoots appear.",
                 "Plant in well-drained soil with plenty of sun.", "Feed with compost every spring.",
                 "Watch the leaves for aphids and mildew.")
SHRINKS = (0.0, 1.0, 2.0, 4.0, 8.0)


def cooking_notes() -> list[Document]:
    """50 short notes, a title and one or two sentences each, as a recipe
    CSV or a notes folder would give."""
    return _notes(_DISHES, _NOTES, "recipes.csv")


def garden_notes() -> list[Document]:
    """The dev uploads: 50 short gardening notes, made as the cooking ones."""
    return _notes(_PLANTS, _GARDEN_NOTES, "garden.csv")


def _notes(names: tuple[str, ...], notes: tuple[str, ...], source: str) -> list[Document]:
    return [Document(f"{name} ({number})", f"{name}. {note}", source)
            for number, (name, note) in enumerate(itertools.product(names, notes), 1)]


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


def measure_dev(data_dir: Path) -> dict:
    """For DM and DBOW and each c of SHRINKS: the share of the dev queries'
    top-10 slots the gardening notes take, and how many of them their
    plant's name puts in its top 10."""
    base = _demo_index(data_dir)
    uploads = garden_notes()
    with tempfile.TemporaryDirectory() as scratch:
        index = Index.open(copy_data_dir(base.directory, Path(scratch) / "data"))
        added = set(index.add_documents(uploads).added)
        documents = list(index.store)
        found = {}
        for name in ("dm", "dbow"):
            method = index.methods[name]
            queries = {q: method.encode_query(q) for q in DEV_QUERIES}
            names = {plant: method.encode_query(plant) for plant in _PLANTS if method.model.known_words(words(plant))}
            found[name] = {}
            for shrink in SHRINKS:
                model = Doc2VecModel(method.model.model, replace(method.model.config, inferred_shrink=shrink),
                                     method.model.trained_ids, method.model.mean, method.model.inferred_means)
                vectors = model.encode_documents(documents)  # (n, d), uploads scaled by this shrink
                polluted = sum(len(_top_ids(vectors, documents, query) & added) for query in queries.values())
                own = sum(len({i for i in _top_ids(vectors, documents, vector) & added
                               if index.store.get(i).title.startswith(plant)}) for plant, vector in names.items())
                found[name][str(shrink)] = {"share": round(polluted / (K * len(queries)), 4), "own_found": own}
            logger.info("%s: %s", name, found[name])
    return {"uploads": len(uploads), "queries": len(DEV_QUERIES), "k": K, "shrinks": found}


def _top_ids(vectors: np.ndarray, documents: list, query: np.ndarray) -> set[int]:
    return {documents[i].id for i in np.argsort(-(vectors @ query))[:K]}


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


def chosen_shrink(per_shrink: dict[str, dict]) -> str:
    """The largest c whose uploads are found by their own names as often as
    unscaled ones (c = 0)."""
    unscaled = per_shrink[str(SHRINKS[0])]["own_found"]
    return max((c for c, facts in per_shrink.items() if facts["own_found"] >= unscaled), key=float)


def pollution_dev_markdown(result: dict) -> str:
    lines = ["# Scaling uploads by their known words: dev", "",
             f"{result['uploads']} short gardening notes uploaded into the demo index; the {result['queries']} dev "
             f"queries of `bench.verdicts`; top {result['k']}. An upload's vector is scaled by n / (n + c), n its "
             "known content words. Chosen: the largest c that finds the notes by their plant's name as often as "
             "c = 0.", "", "| method | c | upload slots | found by own name | chosen |", "|---|---|---|---|---|"]
    for method, per_shrink in result["shrinks"].items():
        chosen = chosen_shrink(per_shrink)
        for c, facts in per_shrink.items():
            lines.append(f"| {method} | {c} | {100 * facts['share']:.1f}% | {facts['own_found']} of {result['uploads']}"
                         f" | {'yes' if c == chosen else ''} |")
    return "\n".join(lines) + "\n"
