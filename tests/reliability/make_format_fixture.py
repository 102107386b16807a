"""Write a small index of the current format version into tests/data/, for
test_versions.py to load with every later SenseSearch.

    python tests/reliability/make_format_fixture.py tests/data/index-format-N

Run it with the SenseSearch that writes format N, once, when N is new, and
commit the result (a few hundred KB): eight documents of the test corpus,
8-dimensional Doc2Vec models, and `expected.json` with the hits the index
gave when it was written. Format 1 was written by commit 8fedd9c.
"""
from __future__ import annotations

import gc
import json
import shutil
import sqlite3
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from indexing.doc2vec import DBOW_CONFIG, DM_CONFIG  # noqa: E402
from indexing.index import Index  # noqa: E402
from indexing.ingest import read_path  # noqa: E402
from indexing.manifest import FORMAT_VERSION  # noqa: E402
from search.engine import SearchEngine  # noqa: E402

FILES = ["bass_fishing.txt", "bass_guitar.txt", "river_bank_fishing.txt", "savings_account.txt",
         "computer_mouse.txt", "field_mouse.txt", "tower_crane.txt", "crane_migration.txt"]
QUERIES = ["fishing on the river bank", "bass guitar amplifier", "crane", "mouse"]
_TINY = dict(vector_size=8, epochs=30, sample=0.0, min_count=1, workers=1, infer_epochs=30)


def main(target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    documents = [doc for name in FILES for doc in read_path(ROOT / "tests" / "data" / "corpus" / name)]
    index = Index(target)
    index.build(documents, configs={"dm": replace(DM_CONFIG, **_TINY), "dbow": replace(DBOW_CONFIG, **_TINY)})
    engine = SearchEngine(index)
    expected = {"format_version": FORMAT_VERSION, "documents": len(documents),
                "hits": {method: {q: [[h.doc_id, h.title, h.score] for h in engine.search(q, method, 3)]
                                  for q in QUERIES} for method in ("dm", "dbow")}}
    del engine, index
    gc.collect()  # closes the store's connection
    with sqlite3.connect(target / "store.sqlite3") as db:  # fold the WAL into the file, then leave one file
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")
    for leftover in ("store.sqlite3-wal", "store.sqlite3-shm", "write.lock"):
        (target / leftover).unlink(missing_ok=True)
    (target / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
