"""The index directory: build, open, add, delete, reconcile, retrain, and the
manifest that lets a newer or older SenseSearch refuse what it cannot read."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from indexing.documents import Document
from indexing.errors import IndexCorruptError, IndexNotFoundError, IndexVersionError, SenseSearchError
import indexing.index
import indexing.reconcile
import indexing.updates
from indexing.index import Index
from indexing.manifest import FORMAT_VERSION, library_versions
from indexing.methods import DEFAULT_METHODS
from indexing.progress import BUILD_STAGES, OverallProgress
from indexing.searchable import load_searchable, searchable_path
from search.engine import SearchEngine

ZOO = Document(
    "Escaped python",
    "A python escaped from the zoo and hid under the tower crane at the construction site. "
    "The crane operator stopped the lift until the keepers caught the python.",
    "zoo_news.txt",
)
QUERIES = ["fishing on the river bank", "bank loan interest", "bass guitar amplifier", "crane migration wetlands"]


def generation(index: Index) -> Path:
    return index.directory / "indexes" / (index.directory / "CURRENT").read_text().strip()


def manifest(index: Index) -> dict:
    return json.loads((generation(index) / "manifest.json").read_text())


def edit_manifest(index: Index, **changes) -> None:
    path = generation(index) / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


def hits(index: Index, query: str, method: str, k: int = 5) -> list[dict]:
    return [hit.to_dict() for hit in SearchEngine(index).search(query, method, k)]


def cosine(index: Index, method: str, hit: dict) -> float:
    """A hit's cosine: its score over its stored vector's length (Doc2Vec
    weighs a document down by its hub penalty, indexing/hubness.py)."""
    [stored] = index.snapshot().vectors[method].vectors_of([hit["doc_id"]])
    return hit["score"] / float(np.linalg.norm(stored))


def faiss_ids(index: Index, method: str) -> set[int]:
    return set(load_searchable(index.methods[method], generation(index) / method).ids().tolist())


# ---- build and open ----------------------------------------------------------------

def test_a_build_writes_one_complete_generation(built_index: Index) -> None:
    folders = list((built_index.directory / "indexes").iterdir())
    assert folders == [generation(built_index)]
    assert not any(p.name.endswith((".partial", ".tmp")) for p in generation(built_index).rglob("*"))
    for method in DEFAULT_METHODS:
        assert searchable_path(built_index.methods[method], generation(built_index) / method).exists()


def test_the_manifest_records_versions_configs_and_counts(built_index: Index, tiny_configs) -> None:
    found = manifest(built_index)
    n_docs, n_words = built_index.store.counts()
    assert found["format_version"] == FORMAT_VERSION
    assert found["libraries"]["gensim"] == library_versions()["gensim"]
    assert (found["documents"], found["words"]) == (n_docs, n_words) == (33, found["trained_on"]["words"])
    assert found["trained_on"]["sources"]["news.jsonl"] == 4
    for name in ("dm", "dbow"):
        facts = found["methods"][name]
        assert facts["vectors"] == 33
        assert facts["index"] == "flat (exact inner product), 33 vectors of 16 dims"
        assert facts["config"] == {**facts["config"], "vector_size": 16, "epochs": tiny_configs[name].epochs}
    elmo, senses = found["methods"]["elmo"], found["methods"]["senses"]
    assert elmo["vectors"] == 33 and elmo["sentence_head"]  # the distilled biLM: one vector per document
    assert elmo["index"] == "flat (exact inner product), 33 vectors of 384 dims"  # the teacher's space
    assert senses["vectors"] == 33 and senses["dim"] == 2048 + 256
    assert elmo["weights"] != senses["weights"]  # the senses read the LM-only biLM
    assert senses["ambiguous_words"] >= 1


def test_status_reports_what_the_panel_shows(index: Index) -> None:
    status = index.status()
    assert (status["documents"], status["format_version"]) == (33, FORMAT_VERSION)
    assert status["generation"] == generation(index).name
    assert {name: facts["vectors"] for name, facts in status["methods"].items()} == {
        "dm": 33, "dbow": 33, "elmo": 33, "senses": 33, "bm25": 33}


def test_opening_from_disk_gives_the_same_hits_as_the_index_that_built_it(built_index: Index, index: Index) -> None:
    for method in DEFAULT_METHODS:
        for query in QUERIES:
            assert hits(index, query, method) == hits(built_index, query, method)


def test_opening_an_empty_directory_says_to_build(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="No index in .* yet; build one first."):
        Index.open(tmp_path / "fresh")
    assert Index(tmp_path / "fresh").status()["methods"] == {}


def test_a_progress_callback_sees_every_stage_finish(tmp_path: Path, corpus_documents, tiny_configs) -> None:
    last: dict[str, tuple[int, int]] = {}
    overall: list[float] = []
    bar = OverallProgress(lambda estimate: overall.append(estimate.fraction))

    def on_progress(done: int, total: int, stage: str) -> None:
        last[stage] = (done, total)
        bar(done, total, stage)

    Index(tmp_path).build(corpus_documents[:6], on_progress, configs=tiny_configs)
    # The overall bar's plan names every stage, in the order they run, so it fills once, to the end.
    order = [next(i for i, (prefix, _) in enumerate(BUILD_STAGES) if stage.startswith(prefix)) for stage in last]
    assert order == sorted(order) == list(range(len(BUILD_STAGES)))
    assert overall == sorted(overall) and overall[-1] == 1.0
    assert set(last) == {"Training Doc2Vec DM", "Training Doc2Vec DBOW", "Calibrating Doc2Vec DM",
                         "Calibrating Doc2Vec DBOW", "ELMo: measuring the corpus",
                         "Senses: learning word contexts", "Senses: reading words in context",
                         "Senses: clustering each word's occurrences",
                         "Encoding with Doc2Vec DM, Doc2Vec DBOW, ELMo, Senses, BM25"}
    assert all(done == total > 0 for done, total in last.values())


# ---- refusing what it cannot read ---------------------------------------------------

def test_an_index_of_another_format_version_is_refused_with_what_to_do(index_copy: Index) -> None:
    edit_manifest(index_copy, format_version=FORMAT_VERSION + 1)
    with pytest.raises(IndexVersionError) as caught:
        Index.open(index_copy.directory)
    message = str(caught.value)
    assert f"has format version {FORMAT_VERSION + 1}" in message and f"reads version {FORMAT_VERSION}" in message
    assert "Retrain" in message and "python -m indexing build" in message


def test_library_drift_is_a_warning_not_an_error(index_copy: Index, caplog: pytest.LogCaptureFixture) -> None:
    edit_manifest(index_copy, libraries={**manifest(index_copy)["libraries"], "gensim": "3.8.3"})
    with caplog.at_level(logging.WARNING, logger="indexing.manifest"):
        reopened = Index.open(index_copy.directory)
    assert f"index was written with gensim 3.8.3, running {library_versions()['gensim']}" in caplog.text
    assert hits(reopened, "bank loan interest", "dbow")


def test_a_missing_manifest_says_to_rebuild(index_copy: Index) -> None:
    (generation(index_copy) / "manifest.json").unlink()
    with pytest.raises(IndexCorruptError, match="has no manifest.json; rebuild the index."):
        Index.open(index_copy.directory)


def test_an_unreadable_vector_file_names_the_method_and_says_to_rebuild(index_copy: Index) -> None:
    (generation(index_copy) / "dbow" / "vectors.faiss").write_bytes(b"not faiss")
    with pytest.raises(IndexCorruptError, match=r"The dbow part of the index in .* cannot be read .*; rebuild"):
        Index.open(index_copy.directory)


# ---- adding without retraining -----------------------------------------------------

def test_an_added_document_is_searchable_at_once_without_retraining(index_copy: Index) -> None:
    before = (generation(index_copy), manifest(index_copy)["trained_on"])
    report = index_copy.add_documents([ZOO])
    assert report.duplicates == [] and report.errors == [] and len(report.added) == 1
    [new_id] = report.added
    assert (generation(index_copy), manifest(index_copy)["trained_on"]) == before  # not retrained
    for method in DEFAULT_METHODS:
        # A sentence index meets one of the document's sentences exactly, not the whole text.
        query = ZOO.text if index_copy.method(method).unit == "document" else ZOO.text.split(". ")[0] + "."
        top = hits(index_copy, query, method, 1)[0]
        assert (top["doc_id"], top["title"], top["source"]) == (new_id, ZOO.title, ZOO.source)
        if method in ("dm", "dbow", "elmo"):  # a cosine: the document's own text meets it exactly
            assert (cosine(index_copy, method, top) if method in ("dm", "dbow") else top["score"]) >= 0.999
    assert new_id in [h["doc_id"] for h in hits(index_copy, "python zoo crane operator", "dbow", 3)]
    assert index_copy.status()["methods"]["dm"]["vectors"] == manifest(index_copy)["documents"] == 34


def test_added_vectors_are_saved_so_reopening_encodes_nothing(index_copy: Index,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    [new_id] = index_copy.add_documents([ZOO]).added
    expected = hits(index_copy, ZOO.text, "dm")
    for module in (indexing.reconcile, indexing.updates):  # a repair's encoding, an upload's
        monkeypatch.setattr(module, "encode", lambda *args: pytest.fail("re-encoded on open: the add was not saved"))
    reopened = Index.open(index_copy.directory)
    assert hits(reopened, ZOO.text, "dm") == expected
    assert new_id in faiss_ids(reopened, "dbow")


def test_re_adding_the_same_content_is_a_duplicate(index_copy: Index, corpus_documents) -> None:
    original = corpus_documents[0]
    again = Document("Renamed copy", original.text.replace(". ", ".\n"), "copy.txt")
    report = index_copy.add_documents([again])
    assert (report.added, report.duplicates) == ([], ["Renamed copy"])
    assert index_copy.store.counts()[0] == 33
    assert {name: facts["vectors"] for name, facts in index_copy.status()["methods"].items()} == {
        "dm": 33, "dbow": 33, "elmo": 33, "senses": 33, "bm25": 33}


def test_a_document_without_words_is_reported_not_stored(index_copy: Index) -> None:
    report = index_copy.add_documents([Document("Dots", "... !!! ---", "dots.txt"), ZOO])
    assert report.errors == ["Dots: no words in the text."] and len(report.added) == 1


# ---- deleting --------------------------------------------------------------------

def test_delete_removes_a_document_from_the_store_and_every_index(index_copy: Index) -> None:
    target = next(d for d in index_copy.store if d.title == "mortgage_rates")
    assert hits(index_copy, target.text, "dbow", 1)[0]["doc_id"] == target.id
    ids = {"document": {target.id}, "sentence": {s.id for s in index_copy.store.sentences(target.id)}}
    assert index_copy.delete(target.id) is True
    assert index_copy.store.get(target.id) is None and index_copy.store.sentences(target.id) == []
    for method in DEFAULT_METHODS:
        assert not ids[index_copy.method(method).unit] & faiss_ids(index_copy, method)
        assert target.id not in [h["doc_id"] for h in hits(index_copy, target.text, method, 33)]
    assert manifest(index_copy)["documents"] == 32
    reopened = Index.open(index_copy.directory)
    assert reopened.status()["methods"]["dbow"]["vectors"] == 32
    assert index_copy.delete(target.id) is False


KNITTING = Document("Knitting circle", "The knitting circle meets on Thursdays to swap wool, patterns and needles. "
                    "Beginners learn to cast on and purl a simple scarf.", "knit.txt")


@pytest.mark.parametrize("restart", [False, True], ids=["same process", "after a restart"])
def test_a_document_added_after_a_delete_never_inherits_the_deleted_ones_vectors(index_copy: Index,
                                                                                 restart: bool) -> None:
    newest = max(index_copy.store.document_ids())  # trained; a reused id would hand its vectors on
    assert index_copy.delete(newest)
    index = Index.open(index_copy.directory) if restart else index_copy
    [new_id] = index.add_documents([KNITTING]).added
    assert new_id > newest
    for method in DEFAULT_METHODS:
        assert newest not in index.method(method).remembered()
        [top] = hits(index, KNITTING.text, method, 1)
        assert top["doc_id"] == new_id, (method, top)
        if index.method(method).remembered():  # Doc2Vec infers its own text: the very vector it was indexed with
            assert cosine(index, method, top) > 0.99, (method, top)
    assert newest not in Index.open(index_copy.directory).method("dbow").remembered()  # saved, not only in memory


def test_a_trained_id_whose_document_was_deleted_is_forgotten_on_reopening(index_copy: Index) -> None:
    target = next(d for d in index_copy.store if d.title == "sourdough")
    index_copy.store.delete(target.id)  # as if killed after the store's delete, before the indexes
    assert target.id in index_copy.method("dm").remembered()
    reopened = Index.open(index_copy.directory)
    for method in ("dm", "dbow"):
        assert target.id not in reopened.method(method).remembered()
        saved = np.load(generation(reopened) / method / "trained_ids.npy")
        assert target.id not in saved and len(saved) == 32


# ---- reconciling the store and FAISS -------------------------------------------------

def test_reopening_re_indexes_a_document_missing_from_faiss(index_copy: Index) -> None:
    target = next(d for d in index_copy.store if d.title == "flood_erosion")
    expected = {m: hits(index_copy, target.text, m) for m in DEFAULT_METHODS}
    for method in DEFAULT_METHODS:  # as if the process died between the store and the FAISS write
        path = searchable_path(index_copy.methods[method], generation(index_copy) / method)
        vectors = load_searchable(index_copy.methods[method], generation(index_copy) / method)
        assert vectors.remove(np.array([target.id])) == 1
        vectors.save(path)
        assert target.id not in faiss_ids(index_copy, method)
    reopened = Index.open(index_copy.directory)
    for method in DEFAULT_METHODS:
        assert target.id in faiss_ids(reopened, method)  # and saved, not only in memory
        found = hits(reopened, target.text, method)
        if method in ("bm25", "senses"):  # re-added into BM25's delta index (the Senses column ranks by
            # BM25): statistics move the scores a little
            found, expected[method] = ([h["doc_id"] for h in r] for r in (found, expected[method]))
        assert found == expected[method]


def test_reopening_indexes_a_stored_document_that_never_reached_faiss(index_copy: Index) -> None:
    [new_id], _ = index_copy.store.add([ZOO])  # stored, then the upload was cut short
    reopened = Index.open(index_copy.directory)
    for method in DEFAULT_METHODS:
        assert hits(reopened, ZOO.text, method, 1)[0]["doc_id"] == new_id


def test_reopening_drops_vectors_of_documents_no_longer_stored(index_copy: Index) -> None:
    target = next(d for d in index_copy.store if d.title == "marathon")
    ids = {"document": {target.id}, "sentence": {s.id for s in index_copy.store.sentences(target.id)}}
    index_copy.store.delete(target.id)  # deleted from the store only
    reopened = Index.open(index_copy.directory)
    for method in DEFAULT_METHODS:
        assert not ids[reopened.method(method).unit] & faiss_ids(reopened, method)
    assert reopened.status()["methods"]["dm"]["vectors"] == 32


# ---- retraining -------------------------------------------------------------------

def test_retrain_switches_to_a_new_generation_that_learned_the_added_documents(index_copy: Index,
                                                                               tiny_configs) -> None:
    old = generation(index_copy)
    [new_id] = index_copy.add_documents([ZOO]).added
    assert new_id not in index_copy.method("dbow").model.trained_ids
    index_copy.retrain(configs=tiny_configs)
    new = generation(index_copy)
    assert new != old and not old.exists()
    assert list(new.parent.iterdir()) == [new]
    assert manifest(index_copy)["trained_on"]["documents"] == 34
    for method in ("dm", "dbow"):
        assert new_id in index_copy.method(method).model.trained_ids
    assert index_copy.method("senses").n_documents == 34  # its idf and inventory were rebuilt
    # DBOW places a trained document's own text at its vector; tiny DM often does not.
    assert hits(index_copy, ZOO.text, "dbow", 1)[0]["doc_id"] == new_id
    assert Index.open(index_copy.directory).status()["generation"] == new.name


def test_a_failed_retrain_leaves_the_previous_index_intact(index_copy: Index) -> None:
    old = generation(index_copy)
    before = hits(index_copy, "bank loan interest", "dbow")
    with pytest.raises(TypeError):
        index_copy.retrain(configs={"dbow": {"vector_size": 8}})
    assert generation(index_copy) == old
    assert list(old.parent.iterdir()) == [old]  # no half-written generation left behind
    assert hits(index_copy, "bank loan interest", "dbow") == before
    assert hits(Index.open(index_copy.directory), "bank loan interest", "dbow") == before


def test_a_writer_follows_a_retrain_made_by_another_process(index_copy: Index, tiny_configs) -> None:
    # The app holds one generation; `python -m indexing build` elsewhere
    # retrains and deletes it. The app's next upload and delete must still work.
    app = index_copy
    Index.open(app.directory).retrain(configs=tiny_configs)
    [new_id] = app.add_documents([ZOO]).added
    assert hits(app, ZOO.text, "dbow", 1)[0]["doc_id"] == new_id
    assert app.delete(new_id - 1) is True
    reopened = Index.open(app.directory)
    assert faiss_ids(reopened, "dm") == set(reopened.store.document_ids())
    assert new_id in faiss_ids(reopened, "dm") and new_id - 1 not in faiss_ids(reopened, "dm")


def test_retraining_an_empty_store_says_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(SenseSearchError, match="The store has no documents to train on; add some first."):
        Index(tmp_path).retrain()


def test_a_method_the_index_lacks_is_named(index: Index) -> None:
    with pytest.raises(SenseSearchError, match="This index has no 'lsa' method; it has dm, dbow."):
        index.method("lsa")


def test_the_senses_index_stays_exact_where_size_would_choose_ivf(index_copy: Index, tiny_configs,
                                                                    monkeypatch) -> None:
    # Senses vectors are mostly hashed tf-idf, which IVF lists do not
    # partition (0.42 of the exact top 10 at 100k documents): the method
    # fixes its index kind, and the other methods keep the size rule.
    import indexing.vectors as vectors_module

    monkeypatch.setattr(vectors_module, "EXACT_MAX_FLOATS", 1)
    index_copy.retrain(methods=["dm", "senses"], configs=tiny_configs)
    live = index_copy.snapshot()
    assert live.vectors["dm"].kind == "ivf"
    assert live.vectors["senses"].kind == "flat16"


def test_a_retrain_adds_bm25_to_an_index_made_without_it(tmp_path: Path, corpus_documents, tiny_configs) -> None:
    index = Index(tmp_path)
    index.build(corpus_documents[:6], methods=("dbow",), configs=tiny_configs)
    assert list(index.methods) == ["dbow"] and "hybrid" not in SearchEngine(index).methods
    index.retrain(configs=tiny_configs)
    assert set(index.methods) == {"dbow", "bm25"}
    assert SearchEngine(index).methods == ["hybrid", "bm25", "dbow"]
    assert faiss_ids(index, "bm25") == set(index.store.document_ids())


def test_a_pointer_left_half_written_is_removed_and_the_live_one_kept(tmp_path: Path) -> None:
    from indexing.generation import current_name, remove_debris, switch_current

    (tmp_path / "indexes" / "20260101-000000-1-1").mkdir(parents=True)
    switch_current(tmp_path, "20260101-000000-1-1")
    killed = [tmp_path / ".CURRENT.x1y2.tmp", tmp_path / "CURRENT.tmp"]  # today's writer, an older version's
    for path in killed:
        path.write_text("20260101-000000-1-")
    remove_debris(tmp_path)
    assert not any(path.exists() for path in killed)
    assert current_name(tmp_path) == "20260101-000000-1-1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["CURRENT", "indexes"]
