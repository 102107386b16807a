"""`python -m indexing build` and `python -m search`, run as a user runs them:
exit codes, JSON output, and one-line error messages without a traceback.

The build here uses the default configs (on 33 short documents, about two
seconds), so this also checks what a user's first build produces.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from indexing.text import words
from search.hybrid import HYBRID_CONFIG, run_label

ROOT = Path(__file__).resolve().parents[2]


def run(module: str, *args: str, data_dir: Path, hash_seed: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SENSESEARCH_DATA_DIR": str(data_dir)}
    if hash_seed is not None:
        env["PYTHONHASHSEED"] = hash_seed
    done = subprocess.run([sys.executable, "-m", module, *args, "--data-dir", str(data_dir)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def error_lines(done: subprocess.CompletedProcess) -> list[str]:
    """stderr without tqdm's progress bars."""
    return [line for line in done.stderr.splitlines() if line.startswith(("error:", "skipped:"))]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path, corpus_documents) -> Path:
    directory = tmp_path_factory.mktemp("cli") / "data"
    done = run("indexing", "build", "--source", str(corpus_dir), data_dir=directory)
    assert done.returncode == 0, done.stderr
    n_words = sum(len(words(d.text)) for d in corpus_documents)
    assert done.stdout.strip() == (f"33 documents added, 0 already stored; the index holds 33 documents, "
                                   f"{n_words} words, in {directory}")
    assert error_lines(done) == []
    return directory


def test_search_prints_json_hits(data_dir: Path) -> None:
    done = run("search", "bank loan interest", "--json", "--k", "4", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    hits = json.loads(done.stdout)
    assert len(hits) == 4
    assert all({"doc_id", "title", "score", "method"} <= set(hit) for hit in hits)
    assert {hit["method"] for hit in hits} == {"hybrid"}  # the default method
    assert all(set(hit["ranks"]) <= {HYBRID_CONFIG.lexical, *HYBRID_CONFIG.dense_runs} and hit["ranks"] for hit in hits)
    assert [hit["score"] for hit in hits] == sorted((hit["score"] for hit in hits), reverse=True)
    assert hits[0]["passage"]["text"]


@pytest.mark.parametrize("method", ["hybrid", "bm25", "dbow", "senses"])
def test_a_one_word_query_of_an_everyday_content_word_is_searched(method: str, data_dir: Path) -> None:
    """gensim's stop list held "interest": this query found nothing and exited with 2."""
    done = run("search", "interest", "--method", method, "--json", "--k", "3", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    hits = json.loads(done.stdout)
    assert hits
    if method != "dbow":  # DBOW ranks by meaning: on 33 documents, one word places it loosely
        assert any("interest" in h["passage"]["text"].lower() for h in hits)


def test_hybrid_plain_text_output_names_the_runs_each_hit_came_from(data_dir: Path) -> None:
    done = run("search", "fishing on the river bank", "--k", "5", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert f"{run_label(HYBRID_CONFIG.lexical)} #" in done.stdout  # "RM3 (expanded keywords) #2"


def test_search_with_dm_and_plain_text_output(data_dir: Path) -> None:
    done = run("search", "a heron by the river", "--method", "dm", "--k", "2", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if not line.startswith(" " * 7)]
    assert len(lines) == 2 and lines[0].lstrip().startswith("1. ") and "[doc " in lines[0]


@pytest.mark.parametrize("method", ["elmo", "senses"])
def test_elmo_and_senses_answer_with_explained_highlights(method: str, data_dir: Path) -> None:
    query = "The bank pays you a small rate of interest for keeping your deposit with it."  # a stored sentence
    done = run("search", query, "--method", method, "--json", "--k", "3", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    hits = json.loads(done.stdout)
    assert len(hits) == 3 and {hit["method"] for hit in hits} == {method}
    highlights = [h for hit in hits for h in hit["passage"]["highlights"]]
    assert highlights and all({"kind", "query_sense", "doc_sense", "similarity"} <= set(h) for h in highlights)
    assert {h["kind"] for h in highlights} <= {"same sense", "other sense", "same word", "related"}


def test_layer_weights_change_elmo_scores_and_bad_ones_get_a_message(data_dir: Path) -> None:
    first = run("search", "bank loan", "--method", "elmo", "--json", "--layer-weights", "1,0,0", data_dir=data_dir)
    last = run("search", "bank loan", "--method", "elmo", "--json", "--layer-weights", "0,0,1", data_dir=data_dir)
    assert first.returncode == last.returncode == 0
    assert [h["score"] for h in json.loads(first.stdout)] != [h["score"] for h in json.loads(last.stdout)]
    bad = run("search", "bank loan", "--method", "elmo", "--layer-weights", "0,0,0", data_dir=data_dir)
    assert bad.returncode == 2 and error_lines(bad) == [
        "error: Give 3 non-negative layer weights, not all zero; got [0.0, 0.0, 0.0]."]


def test_the_same_search_in_two_processes_prints_the_same_hits(data_dir: Path) -> None:
    first = run("search", "fishing on the river bank", "--json", data_dir=data_dir, hash_seed="1")
    second = run("search", "fishing on the river bank", "--json", data_dir=data_dir, hash_seed="2")
    assert first.returncode == second.returncode == 0
    assert json.loads(first.stdout) == json.loads(second.stdout)


@pytest.mark.parametrize("args, message", [
    (["   "], "error: Type a query: it is empty."),
    (["zzzqx blorft"], "error: None of the words of 'zzzqx blorft' occur in the documents."),
    (["river", "--k", "0"], "error: Ask for between 1 and 100 results, not 0."),
])
def test_search_refusals_are_one_line_messages(args: list[str], message: str, data_dir: Path) -> None:
    done = run("search", *args, "--json", data_dir=data_dir)
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = error_lines(done)
    assert line.startswith(message)


def test_searching_before_any_build_says_to_build(tmp_path: Path) -> None:
    done = run("search", "river", data_dir=tmp_path / "empty")
    assert done.returncode == 2
    assert error_lines(done) == [f"error: No index in {tmp_path / 'empty'} yet; build one first."]


def test_build_add_skips_bad_files_and_reports_duplicates(data_dir: Path, tmp_path: Path, make_pdf) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    bees = "The keepers opened the hive at dawn and found the queen laying eggs. The honey harvest was early."
    (uploads / "beekeeping.txt").write_text(bees)
    (uploads / "empty.txt").write_bytes(b"")
    (uploads / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (uploads / "menu.md").write_bytes("Café crème".encode("cp1252"))
    (uploads / "scan.pdf").write_bytes(make_pdf([None]))
    (uploads / "faq.csv").write_text("id,question,answer\n1,Why?,Because.\n")
    done = run("indexing", "build", "--add", "--source", str(uploads), data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("1 documents added, 0 already stored; the index holds 34 documents")
    assert error_lines(done) == [
        "skipped: empty.txt: the file is empty.",
        "skipped: faq.csv: choose the text column; the columns are id, question, answer.",
        "skipped: menu.md: not valid UTF-8 text (byte 0xe9 at position 3); save it as UTF-8 and retry.",
        "skipped: photo.txt: this looks like a binary file, not text.",
        "skipped: scan.pdf: the PDF has no text layer (a scanned image?); run OCR on it first.",
    ]
    # Found at once, without retraining, by its own words (most of which the models never saw).
    found = run("search", bees, "--json", "--k", "1", data_dir=data_dir)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)[0]["title"] == "beekeeping"

    again = run("indexing", "build", "--add", "--source", str(uploads / "beekeeping.txt"), data_dir=data_dir)
    assert again.returncode == 0
    assert again.stdout.startswith("0 documents added, 1 already stored; the index holds 34 documents")


def test_build_with_a_missing_column_names_the_columns(tmp_path: Path) -> None:
    table = tmp_path / "faq.csv"
    table.write_text("id,question,answer\n1,Why is the river high?,Heavy rain upstream.\n")
    done = run("indexing", "build", "--source", str(table), "--text-column", "body", data_dir=tmp_path / "d")
    assert done.returncode == 2
    assert error_lines(done) == ["skipped: faq.csv: no text column 'body'; the columns are id, question, answer.",
                                 "error: no readable documents in the sources given"]


def test_build_from_a_missing_path_fails_cleanly(tmp_path: Path) -> None:
    done = run("indexing", "build", "--source", str(tmp_path / "nowhere"), data_dir=tmp_path / "d")
    assert done.returncode == 2
    assert error_lines(done) == [f"skipped: {tmp_path / 'nowhere'}: no such file or folder.",
                                 "error: no readable documents in the sources given"]


def test_status_prints_a_summary_and_json_on_request(data_dir: Path) -> None:
    done = run("indexing", "status", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert re.fullmatch(rf"Index in {re.escape(str(data_dir))}: [\d,]+ documents, [\d,]+ words\.", lines[0])
    assert lines[1].startswith("Last trained ") and "documents: " in lines[1]
    assert lines[2] == "Methods:" and any(line.strip().startswith("Doc2Vec DBOW") for line in lines)
    assert "--json" in lines[-1]
    done = run("indexing", "status", "--json", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert status["documents"] >= 33 and set(status["methods"]) == {"dm", "dbow", "elmo", "senses", "bm25"}


def test_delete_names_the_document_and_needs_yes_without_a_terminal(data_dir: Path, tmp_path: Path) -> None:
    from indexing.backup import copy_data_dir
    from indexing.index import Index

    directory = copy_data_dir(data_dir, tmp_path / "data")
    store = Index.open(directory).store
    first = store.listing()[0]
    doc_id, title = first.id, first.title
    done = run("indexing", "delete", str(doc_id), data_dir=directory)  # stdin is not a terminal
    assert done.returncode == 2 and "add --yes" in done.stderr and title in done.stderr
    assert store.get(doc_id) is not None
    done = run("indexing", "delete", "--title", title, "--yes", data_dir=directory)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Deleted: {title} (doc {doc_id})"
    assert Index.open(directory).store.get(doc_id) is None
    done = run("indexing", "delete", str(doc_id), "--yes", data_dir=directory)
    assert done.returncode == 2 and f"no document {doc_id}" in done.stderr
    done = run("indexing", "delete", "--title", "No such title", "--yes", data_dir=directory)
    assert done.returncode == 2 and "no document titled" in done.stderr
