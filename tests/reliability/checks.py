"""Shared by the reliability tests: new documents, copies of a data
directory, and the checks that say an index directory is whole."""
from __future__ import annotations

from pathlib import Path

from indexing.backup import copy_data_dir  # noqa: F401 - re-exported for the tests
from indexing.documents import Document
from indexing.index import Index
from indexing.searchable import load_searchable

# Documents none of the corpus resembles: searching one's own text must find it first.
NEW_DOCUMENTS = [
    Document("Lighthouse", "The lighthouse keeper climbed the spiral stairs each night to trim the lamp wick "
             "while the fog horn sounded over the rocks.", "lighthouse.txt"),
    Document("Glacier", "The glacier calved a wall of blue ice into the fjord, and the kayakers paddled "
             "away from the spray and the rolling swell.", "glacier.txt"),
    Document("Beekeeping", "Beekeepers smoke the hive before lifting the frames of honeycomb; the queen "
             "lays eggs while the workers cap the honey.", "bees.txt"),
]


def current_generation(directory: Path) -> str:
    return (directory / "CURRENT").read_text().strip()


def assert_whole(index: Index) -> None:
    """What a user relies on after any write or crash: one generation, no
    leftovers, every stored document in every FAISS index (on disk too), and
    a manifest whose counts agree."""
    directory = index.directory
    generation = directory / "indexes" / current_generation(directory)
    assert [p.name for p in (directory / "indexes").iterdir()] == [generation.name]
    assert not [p for p in directory.rglob("*") if p.name.endswith((".tmp", ".partial"))]
    stored = set(index.store.document_ids())
    wanted = {"document": stored, "sentence": set(index.store.sentence_ids())}
    status = index.status()
    for name, method in index.methods.items():
        ids = wanted[method.unit]
        assert set(load_searchable(method, generation / name).ids().tolist()) == ids, name
        assert status["methods"][name]["vectors"] == len(ids)
    manifest = index.snapshot().manifest
    assert manifest["documents"] == len(stored) == status["documents"]


def top_hit(index: Index, text: str, method: str = "dbow") -> int:
    from search.engine import SearchEngine

    return SearchEngine(index).search(text, method, 1, passages=False)[0].doc_id
