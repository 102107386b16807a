"""Crash safety: a writer killed with SIGKILL at every named point of a
build, a retrain, an upload, a delete and a tuning of ELMo (indexing/crash.py) leaves the
previous index loadable and every accepted upload in the store, and the next
start recovers: leftovers removed, what was stored but not indexed encoded.

The kills are real: crash_worker.py forks one process per crash point and
that process kills itself there. A slow test also kills a writing process
at random moments, to catch what the named points miss.
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from indexing.documents import Document
from indexing.index import Index
from indexing.store import DocumentStore
from tests.reliability.checks import NEW_DOCUMENTS, assert_whole, copy_data_dir, current_generation, top_hit

WORKER = Path(__file__).resolve().with_name("crash_worker.py")
KILLED = -9

# (operation, crash point). "build" is a first build into an empty directory,
# "build-more" a build into a directory that has an index already.
CASES = [
    ("build", "build:stored"),
    ("build", "retrain:staging"),
    ("build", "retrain:staged"),
    ("build", "retrain:switched"),
    ("retrain", "retrain:staging"),
    ("retrain", "vectors:tmp"),
    ("retrain", "retrain:staged"),
    ("retrain", "retrain:switched"),
    ("build-more", "build:stored"),
    ("add", "add:stored"),
    ("add", "vectors:changes"),
    ("add", "persist:dm"),
    ("add", "persist:bm25"),
    ("add", "bm25:tmp"),
    ("add", "persist:vectors"),
    ("add", "add:published"),
    ("delete", "delete:stored"),
    ("delete", "trained:tmp"),
    ("delete", "persist:dbow"),
    ("delete", "vectors:changes"),
    ("delete", "persist:vectors"),
    ("delete", "bm25:tmp"),
    ("retrain", "bm25:tmp"),
    ("tune", "tune:trained"),
    ("tune", "retrain:staging"),
    ("tune", "tune:switched"),
]
FIRST_BUILD_DOCUMENTS = 6
NEXT_UPLOAD = Document("Clock tower", "The clockmaker oiled the brass gears of the tower clock and wound the "
                       "pendulum before the bells rang out at noon over the square.", "clock.txt")


def _jobs(cases, root: Path, session: Path, corpus_documents, configs) -> list[dict]:
    # Deletes take the newest document: a store that reused ids would give
    # its id, and with it Doc2Vec's trained vector, to the next upload.
    newest = max(DocumentStore(session / "store.sqlite3").document_ids())
    jobs = []
    for number, (op, point) in enumerate(cases):
        data = root / f"{number}-{op}-{point.replace(':', '-')}"
        if op == "build":
            documents = corpus_documents[:FIRST_BUILD_DOCUMENTS]
        else:
            copy_data_dir(session, data)
            documents = NEW_DOCUMENTS if op in ("add", "build-more") else []
        jobs.append({"id": number, "op": "build" if op == "build-more" else op, "point": point,
                     "data_dir": str(data), "documents": [[d.title, d.text, d.source] for d in documents],
                     "configs": {name: asdict(c) for name, c in configs.items()}, "doc_id": newest})
    return jobs


@pytest.fixture(scope="module")
def crashed(tmp_path_factory, built_index, corpus_documents, tiny_configs) -> dict[tuple[str, str], dict]:
    """Every case run once, in one worker: case -> its job, with the exit
    status and what the directory looked like before."""
    root = tmp_path_factory.mktemp("crashes")
    jobs = _jobs(CASES, root, built_index.directory, corpus_documents, tiny_configs)
    for job in jobs:
        job["before"] = current_generation(Path(job["data_dir"])) if Path(job["data_dir"]).exists() else None
    (root / "jobs.json").write_text(json.dumps(jobs))
    done = subprocess.run([sys.executable, str(WORKER), "jobs", str(root / "jobs.json")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    exits = {r["id"]: r["exit"] for r in map(json.loads, done.stdout.splitlines())}
    return {case: {**job, "exit": exits[job["id"]], "stderr": done.stderr} for case, job in zip(CASES, jobs)}


def _stored_titles(index: Index) -> set[str]:
    return {d.title for d in index.store}


@pytest.mark.parametrize("case", CASES, ids=[f"{op}@{point}" for op, point in CASES])
def test_a_writer_killed_mid_way_loses_nothing_and_the_next_start_recovers(case, crashed, corpus_documents,
                                                                            tiny_configs) -> None:
    job = crashed[case]
    assert job["exit"] == KILLED, f"the writer was not killed at {case[1]}: exit {job['exit']}\n{job['stderr']}"
    op, point = case
    data = Path(job["data_dir"])

    if op == "build":
        # A first build: the next start (the app's, or a second `build`) trains
        # over what was stored, without storing anything twice.
        index = Index(data)
        index.build_if_missing(lambda: corpus_documents[:FIRST_BUILD_DOCUMENTS], configs=tiny_configs)
        assert sorted(_stored_titles(index)) == sorted(d.title for d in corpus_documents[:FIRST_BUILD_DOCUMENTS])
        assert_whole(index)
        return

    index = Index.open(data)  # the previous index (or, once switched, the new one) loads
    switched = point in ("retrain:switched", "tune:switched")
    assert (current_generation(data) != job["before"]) is switched
    assert_whole(index)
    titles = _stored_titles(index)
    if op in ("add", "build-more"):
        # Every point of these is after the store's commit: the upload was accepted.
        assert {d.title for d in NEW_DOCUMENTS} <= titles
        for document in NEW_DOCUMENTS:
            new_id = next(d.id for d in index.store if d.title == document.title)
            assert top_hit(index, document.text, "dm") == top_hit(index, document.text, "dbow") == new_id
    elif op == "delete":
        assert job["doc_id"] not in index.store.document_ids()
        assert not any(job["doc_id"] in method.remembered() for method in index.methods.values())
    else:
        assert len(titles) == 33
    # And the recovered index takes the next upload as usual. (Not a copy of
    # an earlier upload: DBOW infers from content words, so a copy plus
    # function words ties with the original, and the lower id wins the tie.)
    [again] = index.add_documents([NEXT_UPLOAD]).added
    assert again > job["doc_id"]  # never the id of the document a delete case removed
    assert top_hit(index, NEXT_UPLOAD.text) == again
    assert_whole(Index.open(data))


def test_the_app_first_start_path_also_encodes_what_was_stored_but_not_indexed(fresh_copy: Path) -> None:
    # The app's start may find the index inside the write lock (build_if_missing).
    [new_id], _ = Index(fresh_copy).store.add([NEW_DOCUMENTS[1]])  # as if killed at add:stored
    index = Index(fresh_copy)
    assert index.build_if_missing(lambda: pytest.fail("built again")) is False
    assert top_hit(index, NEW_DOCUMENTS[1].text) == new_id
    assert_whole(index)


@pytest.mark.slow
def test_a_writer_killed_at_random_moments_loses_no_accepted_upload(tmp_path, corpus_documents,
                                                                    tiny_configs) -> None:
    """Kill a process that keeps uploading (and retraining every 4 uploads)
    at random moments, restart it, three times: after each kill, every upload
    it reported accepted is stored and the reopened index is whole."""
    rng = random.Random(7)
    data = tmp_path / "data"
    uploads = [[f"Upload {i}", f"{d.text} Upload number {i} of the random kill test.", f"upload{i}.txt"]
               for i, d in enumerate(corpus_documents[6:] * 2)]
    job = {"data_dir": str(data), "seed": [[d.title, d.text, d.source] for d in corpus_documents[:6]],
           "documents": uploads, "retrain_every": 4,
           "configs": {name: asdict(c) for name, c in tiny_configs.items()}}
    accepted: set[str] = set()
    for round_number in range(3):
        job["documents"] = [u for u in uploads if u[0] not in accepted]
        (tmp_path / "job.json").write_text(json.dumps(job))
        worker = subprocess.Popen([sys.executable, str(WORKER), "loop", str(tmp_path / "job.json")],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Imports and the first build: 4-6 s (bm25s brings scipy and numba); a process's first upload
        # also loads the sense inventory and the distilled biLM to read its senses: about 5 s more.
        time.sleep(rng.uniform(12.0, 18.0))
        worker.kill()
        out, err = worker.communicate()
        assert "Traceback" not in err, err
        accepted |= {line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("accepted ")}
        index = Index(data)
        index.build_if_missing(lambda: [Document(*d) for d in job["seed"]], configs=tiny_configs)
        assert accepted <= _stored_titles(index), f"round {round_number}: an accepted upload was lost"
        assert_whole(index)
    assert accepted, "no upload finished before the kills: give the worker more time"
