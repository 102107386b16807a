"""Concurrency: browser sessions (threads sharing one Index) search while
another uploads or retrains, and two writers (threads or processes, each with
its own Index on the same directory) take turns through the file lock.

A reader sees the index wholly before or wholly after a write; a writer
never overwrites what another process saved; nothing waits that need not.
"""
from __future__ import annotations

import fcntl
import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.load import run_threads
from indexing.documents import Document
from indexing.index import Index
from indexing.vectors import VectorIndex
from search.engine import SearchEngine
from tests.reliability.checks import NEW_DOCUMENTS, assert_whole, current_generation, top_hit

QUERIES = ["fishing on the river bank", "bank loan interest", "bass guitar amplifier", "crane migration wetlands",
           "computer mouse", "bread baking"]


def test_searches_while_uploading_have_no_errors_and_consistent_answers(index_copy: Index) -> None:
    # Each search_all runs four methods and explains every hit with the biLM.
    report = run_threads(index_copy, QUERIES, NEW_DOCUMENTS, threads=4, seconds=6.0)
    assert report.errors == [] and report.inconsistent == []
    assert len(report.latencies) >= 4 and report.uploads >= 3, "the load test did too little to say anything"
    assert_whole(Index.open(index_copy.directory))


def test_searches_during_a_retrain_to_other_dimensions_never_mix_two_generations(index_copy: Index,
                                                                                tiny_configs) -> None:
    # The new models have 12 dims, the old 16: a query encoded by one
    # generation and searched in the other's FAISS index would fail.
    engine, errors, answered, stop = SearchEngine(index_copy), [], [0], threading.Event()

    def search() -> None:
        while not stop.is_set():
            for query in QUERIES:
                try:
                    results = engine.search_all(query, k=5)
                except Exception as error:  # noqa: BLE001
                    errors.append(repr(error))
                    continue
                errors.extend(r for r in results.values() if isinstance(r, str))
                answered[0] += 1

    threads = [threading.Thread(target=search) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        for size in (12, 16):
            index_copy.retrain(configs={name: replace(c, vector_size=size) if name in ("dm", "dbow") else c
                                        for name, c in tiny_configs.items()})
            index_copy.add_documents([Document(f"During {size}", f"{NEW_DOCUMENTS[0].text} {size}", "d.txt")])
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == [] and answered[0] > 10
    assert index_copy.method("dbow").dim == 16
    assert_whole(Index.open(index_copy.directory))


def test_two_writers_on_one_directory_lose_no_upload(fresh_copy: Path) -> None:
    # Two Index objects on one directory stand for two processes (the app and
    # `python -m indexing build --add`): flock locks per open file, so they
    # exclude each other as two processes would.
    first, second = Index.open(fresh_copy), Index.open(fresh_copy)
    documents = [Document(f"Writer {w} doc {i}", f"{NEW_DOCUMENTS[i % 3].text} Writer {w}, number {i}.", "w.txt")
                 for w in (1, 2) for i in range(6)]

    def write(index: Index, batch: list[Document]) -> None:
        for document in batch:
            index.add_documents([document])

    threads = [threading.Thread(target=write, args=(first, documents[:6])),
               threading.Thread(target=write, args=(second, documents[6:]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = set(first.store.document_ids())
    assert len(stored) == 33 + 12
    # On disk, before any reopening repairs anything: each writer caught up
    # with the other's saves before saving its own.
    generation = fresh_copy / "indexes" / current_generation(fresh_copy)
    for method in ("dm", "dbow"):
        assert set(VectorIndex.load(generation / method / "vectors.faiss").ids().tolist()) == stored
    assert_whole(Index.open(fresh_copy))


def test_a_reader_picks_up_another_process_upload_and_retrain(fresh_copy: Path, tiny_configs) -> None:
    reader, writer = Index.open(fresh_copy), Index.open(fresh_copy)
    [new_id] = writer.add_documents([NEW_DOCUMENTS[1]]).added
    assert new_id not in reader.snapshot().vectors["dbow"].ids()
    assert reader.refresh() is True
    assert top_hit(reader, NEW_DOCUMENTS[1].text) == new_id
    assert reader.refresh() is False  # nothing new: no reload
    writer.retrain(configs=tiny_configs)
    assert reader.refresh() is True and reader.snapshot().name == current_generation(fresh_copy)


def test_refresh_never_waits_for_a_busy_writer(fresh_copy: Path) -> None:
    reader, writer = Index.open(fresh_copy), Index.open(fresh_copy)
    writer.add_documents([NEW_DOCUMENTS[2]])
    with open(fresh_copy / "write.lock", "a") as lock:  # another process is writing (a long retrain)
        fcntl.flock(lock, fcntl.LOCK_EX)
        started = time.monotonic()
        assert reader.refresh() is False
        assert top_hit(reader, "bank loan interest")  # still answering from what it has
        assert time.monotonic() - started < 1.0
    assert reader.refresh() is True


def test_opening_an_index_does_not_wait_for_another_process_write(fresh_copy: Path) -> None:
    opened: list[Index] = []
    with open(fresh_copy / "write.lock", "a") as lock:  # another process is retraining
        fcntl.flock(lock, fcntl.LOCK_EX)
        opener = threading.Thread(target=lambda: opened.append(Index.open(fresh_copy)))
        opener.start()
        opener.join(timeout=10)
        assert opened and opened[0].exists, "opening waited for the other process's write"
    opener.join()


def test_the_store_is_in_wal_mode_so_readers_do_not_block_the_writer(index: Index) -> None:
    with sqlite3.connect(index.store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_snapshot_is_unchanged_by_later_writes(index_copy: Index) -> None:
    before = index_copy.snapshot()
    ids = {name: v.ids().copy() for name, v in before.vectors.items()}
    [new_id] = index_copy.add_documents([NEW_DOCUMENTS[0]]).added
    assert index_copy.delete(1)
    for name, vectors in before.vectors.items():
        assert np.array_equal(vectors.ids(), ids[name])
    after = index_copy.snapshot()
    assert after.revision == before.revision + 2
    assert new_id in after.vectors["dm"].ids() and 1 not in after.vectors["dm"].ids()
