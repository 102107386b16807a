"""The document store: what goes in comes back, re-uploads are recognised,
deletes cascade, and a store of another schema version is refused."""
from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path

import pytest

from indexing import schema
from indexing.documents import Document
from indexing.errors import IndexVersionError
from indexing.store import DocumentStore, content_hash
from indexing.text import split_sentences, words

LOAN = Document("Loan", "The bank approved the loan. Repayments start in May.", "loan.txt")
RIVER = Document("River", "Willows hold the river bank. Herons wait below.\n\nFloods come in spring.", "river.txt")


@pytest.fixture
def store(tmp_path: Path) -> DocumentStore:
    return DocumentStore(tmp_path / "store.sqlite3")


def test_documents_come_back_as_stored(store: DocumentStore) -> None:
    ids, duplicates = store.add([LOAN, RIVER])
    assert duplicates == []
    assert len(ids) == 2 and ids[0] < ids[1]
    doc = store.get(ids[1])
    assert (doc.id, doc.title, doc.text, doc.source) == (ids[1], RIVER.title, RIVER.text, RIVER.source)
    assert doc.n_words == len(words(RIVER.text)) == 12
    assert doc.content_hash == content_hash(RIVER.text)
    assert datetime.fromisoformat(doc.added_at).tzinfo is not None
    assert store.get(ids[1] + 100) is None


def test_listing_counts_and_iteration_agree(store: DocumentStore) -> None:
    ids, _ = store.add([LOAN, RIVER])
    assert store.document_ids() == ids
    assert [d.id for d in store] == ids
    assert len(store) == 2
    assert store.counts() == (2, len(words(LOAN.text)) + len(words(RIVER.text)))
    assert [(row[0], row[1], row[2]) for row in store.listing()] == [(ids[0], "Loan", "loan.txt"),
                                                                       (ids[1], "River", "river.txt")]
    assert set(store.get_many([ids[0], 999])) == {ids[0]}


def test_sources_are_counted_and_select_their_documents(store: DocumentStore) -> None:
    ids, _ = store.add([LOAN, RIVER, Document("Bank", "Another bank story.", "loan.txt")])
    assert store.sources() == {"loan.txt": 2, "river.txt": 1}
    assert store.ids_from(["loan.txt"]) == {ids[0], ids[2]}
    assert store.ids_from(["loan.txt", "river.txt", "nowhere.txt"]) == set(ids) and store.ids_from([]) == set()


def test_sentence_owners_are_read_in_slices(store: DocumentStore, monkeypatch: pytest.MonkeyPatch) -> None:
    ids, _ = store.add([LOAN, RIVER])
    sentences = [s for doc_id in ids for s in store.sentences(doc_id)]
    monkeypatch.setattr("indexing.store.SQL_SLICE", 2)  # five sentences: three statements
    assert store.sentence_documents([s.id for s in sentences]) == {s.id: s.doc_id for s in sentences}
    assert store.sentence_documents([]) == {}


def test_sentences_are_stored_with_offsets_into_the_text(store: DocumentStore) -> None:
    [doc_id], _ = store.add([RIVER])
    sentences = store.sentences(doc_id)
    assert [s.position for s in sentences] == [0, 1, 2]
    assert [RIVER.text[s.start : s.end] for s in sentences] == [
        "Willows hold the river bank.", "Herons wait below.", "Floods come in spring."]
    assert [(s.start, s.end) for s in sentences] == [(s.start, s.end) for s in split_sentences(RIVER.text)]
    assert store.sentence_documents([s.id for s in sentences]) == {s.id: doc_id for s in sentences}
    assert len(store.sentence_ids()) == 3 and store.sentence_ids() == [s.id for s in sentences]


def test_the_same_content_is_a_duplicate_whatever_its_title_or_line_breaks(store: DocumentStore) -> None:
    store.add([LOAN])
    again = Document("Another title", "The bank approved   the loan.\r\nRepayments start in May.\n", "copy.txt")
    ids, duplicates = store.add([again])
    assert ids == [] and duplicates == [again]
    assert len(store) == 1


def test_a_change_of_case_is_new_content(store: DocumentStore) -> None:
    store.add([LOAN])
    ids, _ = store.add([Document("Loud", LOAN.text.upper(), "loud.txt")])
    assert len(ids) == 1


def test_repeats_within_one_batch_are_stored_once(store: DocumentStore) -> None:
    ids, duplicates = store.add([LOAN, RIVER, LOAN])
    assert len(ids) == 2 and duplicates == [LOAN]


def test_delete_removes_the_document_and_its_sentences(store: DocumentStore) -> None:
    (loan_id, river_id), _ = store.add([LOAN, RIVER])
    assert store.delete(river_id) is True
    assert store.get(river_id) is None
    assert store.sentences(river_id) == []
    assert len(store.sentence_ids()) == len(store.sentences(loan_id)) == 2
    assert store.delete(river_id) is False
    ids, _ = store.add([RIVER])  # deleted content may be uploaded again
    assert len(ids) == 1


def test_a_failed_batch_stores_nothing(store: DocumentStore) -> None:
    class Exploding:
        def __iter__(self):
            yield LOAN
            raise RuntimeError("upload cut short")

    with pytest.raises(RuntimeError):
        store.add(Exploding())
    assert len(store) == 0 and len(store.sentence_ids()) == 0


def test_the_store_persists_across_reopening(tmp_path: Path) -> None:
    first = DocumentStore(tmp_path / "s.sqlite3")
    ids, _ = first.add([LOAN])
    reopened = DocumentStore(tmp_path / "s.sqlite3")
    assert reopened.get(ids[0]).text == LOAN.text
    assert _meta(tmp_path / "s.sqlite3", "schema_version") == str(schema.SCHEMA_VERSION)


def test_a_store_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    DocumentStore(tmp_path / "s.sqlite3")
    with sqlite3.connect(tmp_path / "s.sqlite3") as db:
        db.execute(schema.SET_META, ("schema_version", "99"))
    with pytest.raises(IndexVersionError) as caught:
        DocumentStore(tmp_path / "s.sqlite3")
    message = str(caught.value)
    assert "schema version 99" in message and f"reads version {schema.SCHEMA_VERSION}" in message and "rebuild" in message


def test_a_deleted_documents_id_is_never_given_to_a_new_one(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path / "s.sqlite3")
    [loan, river] = store.add([LOAN, RIVER])[0]
    river_sentences = {s.id for s in store.sentences(river)}
    assert store.delete(river)  # the newest: a plain INTEGER PRIMARY KEY would hand its id out again
    [new] = DocumentStore(tmp_path / "s.sqlite3").add([Document("New", "Otters swim. Herons fish.", "n.txt")])[0]
    assert new > river
    assert not river_sentences & {s.id for s in store.sentences(new)}


def _version_1_store(path: Path) -> None:
    """A store as SenseSearch wrote it with schema version 1 (ids reused)."""
    db = sqlite3.connect(path)
    db.executescript(schema.CREATE.replace(" AUTOINCREMENT", ""))
    db.execute(schema.SET_META, ("schema_version", "1"))
    db.commit()
    db.close()


def test_a_version_1_store_is_upgraded_keeping_ids_and_sentences(tmp_path: Path) -> None:
    _version_1_store(tmp_path / "s.sqlite3")
    old = DocumentStore.__new__(DocumentStore)  # write through today's statements into the old tables
    old.path, old._local = tmp_path / "s.sqlite3", threading.local()
    [loan, river] = old.add([LOAN, RIVER])[0]
    before = {d: store_sentences for d, store_sentences in old.sentences_of([loan, river]).items()}
    old.delete(river)
    old._connection().close()

    store = DocumentStore(tmp_path / "s.sqlite3")
    assert _meta(tmp_path / "s.sqlite3", "schema_version") == str(schema.SCHEMA_VERSION)
    assert store.get(loan).text == LOAN.text and store.sentences(loan) == before[loan]
    [new] = store.add([Document("New", "Otters swim. Herons fish.", "n.txt")])[0]
    assert new > loan
    store.delete(new)
    assert store.add([Document("Newer", "Kingfishers dive.", "k.txt")])[0][0] > new  # ids are not reused now
    store.delete(loan)  # foreign keys still cascade after the upgrade
    assert store.sentences(loan) == []
    assert len(DocumentStore(tmp_path / "s.sqlite3")) == 1  # opening again upgrades nothing twice


def test_threads_can_add_at_the_same_time(store: DocumentStore) -> None:
    errors = []

    def add(worker: int) -> None:
        try:
            for n in range(10):
                store.add([Document(f"w{worker}-{n}", f"Worker {worker} wrote note number {n}.", "t.txt")])
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=add, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store) == 40 and len(set(store.document_ids())) == 40


def _meta(path: Path, key: str) -> str | None:
    """A value of the store's meta table, read past the store's API."""
    with sqlite3.connect(path) as db:
        row = db.execute(schema.GET_META, (key,)).fetchone()
    return row[0] if row else None


def test_the_listing_has_named_fields_and_titles_are_found_in_any_case(store: DocumentStore) -> None:
    ids, _ = store.add([Document("Émile's River Notes", "Herons wait on the bank.", "notes.txt"),
                        Document("Loan terms", "The bank approved the loan.", "loan.txt")])
    rows = {row.id: row for row in store.listing()}
    assert rows[ids[0]].title == "Émile's River Notes" and rows[ids[1]].source == "loan.txt"
    assert store.titled("émile") == {ids[0]: "Émile's River Notes"}
    assert store.titled("LOAN") == {ids[1]: "Loan terms"} and store.titled("") == {i: rows[i].title for i in rows}
    assert store.titled("Loan", exact=True) == {} and store.titled("Loan terms", exact=True) == {ids[1]: "Loan terms"}


def test_the_store_says_whether_it_holds_korean(store: DocumentStore) -> None:
    store.add([Document("English", "Interest rates rose again.", "a.txt")])
    assert not store.holds_hangul()
    store.add([Document("Korean", "기준금리가 또 올랐다.", "b.txt")])
    assert store.holds_hangul()
