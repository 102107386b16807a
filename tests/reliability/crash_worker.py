"""Index writes for the crash tests (test_crash.py), in processes that die.

    python crash_worker.py jobs JOBS.json
        Imports everything once, then forks one child per job, sets
        SENSESEARCH_CRASH_AT=<job's point> in it and runs the job's write; the
        child kills itself with SIGKILL at that point. Prints one JSON line
        per job: {"id": ..., "exit": <signal or code>}. Forking this warm
        process saves the two-second import per kill; the child is still a
        process of its own, dying with its files and locks open.

    python crash_worker.py loop JOB.json
        Opens (or first builds) the index, then adds the job's documents one
        at a time, retraining after every `retrain_every` of them; prints
        "accepted <title>" as each add returns. The test kills it at random.

A job is {"op": "build" | "retrain" | "add" | "delete" | "tune", "data_dir": ...,
"documents": [[title, text, source], ...], "configs": {method: its config
as a dict}, "doc_id": ..., "point": ..., "id": ...}.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from indexing.crash import CRASH_ENV  # noqa: E402
from indexing.documents import Document  # noqa: E402
from indexing.index import Index  # noqa: E402
from indexing.bm25 import BM25Config  # noqa: E402
from indexing.doc2vec import Doc2VecConfig  # noqa: E402
from indexing.elmo_method import ElmoMethodConfig  # noqa: E402
from indexing.senses.method import SensesConfig  # noqa: E402

# A job file names each method's config by the method (`asdict` of it).
CONFIGS = {"dm": Doc2VecConfig, "dbow": Doc2VecConfig, "elmo": ElmoMethodConfig, "senses": SensesConfig,
           "bm25": BM25Config}


def run(job: dict) -> None:
    documents = [Document(*d) for d in job.get("documents", [])]
    configs = {name: CONFIGS[name](**c) for name, c in job.get("configs", {}).items()}
    if job["op"] == "build":
        Index(job["data_dir"]).build(documents, configs=configs)
    elif job["op"] == "retrain":
        Index.open(job["data_dir"]).retrain(configs=configs)
    elif job["op"] == "add":
        Index.open(job["data_dir"]).add_documents(documents)
    elif job["op"] == "tune":
        from indexing.elmo.tune import TuneConfig

        Index.open(job["data_dir"]).tune_elmo(TuneConfig(minutes=None, epochs=1, pairs_per_batch=4, max_steps=1))
    elif job["op"] == "delete":
        Index.open(job["data_dir"]).delete(job["doc_id"])
    else:
        raise ValueError(f"unknown op {job['op']!r}")


def run_jobs(jobs: list[dict]) -> None:
    for job in jobs:
        pid = os.fork()
        if pid == 0:
            os.environ[CRASH_ENV] = job["point"]
            try:
                run(job)
            except BaseException as error:  # noqa: BLE001 - report, never fall back into the parent's loop
                print(f"job {job['id']} failed: {error!r}", file=sys.stderr, flush=True)
                os._exit(3)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        print(json.dumps({"id": job["id"], "exit": code}), flush=True)


def run_loop(job: dict) -> None:
    configs = {name: CONFIGS[name](**c) for name, c in job["configs"].items()}
    index = Index(job["data_dir"])
    index.build_if_missing(lambda: [Document(*d) for d in job["seed"]], configs=configs)
    for number, document in enumerate(job["documents"], 1):
        report = index.add_documents([Document(*document)])
        if report.added:
            print(f"accepted {document[0]}", flush=True)
        if number % job["retrain_every"] == 0:
            index.retrain(configs=configs)


if __name__ == "__main__":
    mode, path = sys.argv[1], Path(sys.argv[2])
    if mode == "jobs":
        run_jobs(json.loads(path.read_text()))
    else:
        run_loop(json.loads(path.read_text()))
