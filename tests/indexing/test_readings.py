"""Occurrence readings kept at indexing (indexing/senses/readings.py): what
is kept, that it is what the query-time reading gives, and that it follows
the documents through uploads and deletes."""
from __future__ import annotations

import numpy as np
import pytest

from indexing.contextual import DISTILLED_MODEL, document_sentences, shared_reader
from indexing.documents import Document, StoredDocument
from indexing.index import Index
from indexing.senses.dictionary import english_senses
from indexing.senses.readings import (Readings, document_topic, kept_readings, read_documents, readings_version,
                                      window_vectors)
from indexing.text import is_content_word
from search.occurrences import window_contexts

RIVER = Document("Willow creek", "Willows lean over the muddy bank of the creek, where kingfishers and herons "
                 "fish.", "willow.txt")


@pytest.fixture(scope="module")
def general():
    dictionary = english_senses()
    assert dictionary is not None, "the shipped sense inventory was built with other biLM weights"
    return dictionary


def test_readings_survive_serialisation_whole_and_empty() -> None:
    readings = Readings(np.array([3, 17, 40]), np.array([0, 2, 2, 5]),
                        np.array([0.5, -0.25, 0.1, 0.2, 0.3], dtype=np.float16))
    again = Readings.from_bytes(readings.to_bytes())
    np.testing.assert_array_equal(again.starts, readings.starts)
    np.testing.assert_array_equal(again.get(40), np.array([0.1, 0.2, 0.3], dtype=np.float16))
    assert again.get(17).shape == (0,) and again.get(5) is None
    empty = Readings.from_bytes(Readings(np.zeros(0, np.int64), np.zeros(1, np.int64),
                                         np.zeros(0, np.float16)).to_bytes())
    assert len(empty) == 0 and empty.get(0) is None


def test_a_window_sliced_from_the_sentence_is_the_head_of_that_slice() -> None:
    reader = shared_reader(DISTILLED_MODEL)
    tokens = "the heron stood on the muddy bank of the slow brown river at dawn".split()
    [layers] = reader.encoder.encode_layers([tokens])
    sliced = window_vectors(reader.encoder, layers, [0, 6, 13], radius=3)
    expected = reader.encoder.head_vectors([layers[:, 0:4], layers[:, 3:10], layers[:, 10:14]])
    np.testing.assert_allclose(sliced, expected, atol=1e-5)


def test_every_ambiguous_word_is_kept_as_the_query_time_reading_scores_it(index: Index, general) -> None:
    documents = [d for d in index.store if " bank " in d.text][:3]
    sentences = index.store.sentences_of([d.id for d in documents])
    found = read_documents(shared_reader(DISTILLED_MODEL), general, documents, sentences)
    texts, token_lists, owner = document_sentences(documents, sentences)
    positions = [[i for i, t in enumerate(tokens) if is_content_word(t.norm) and len(general.senses(t.norm)) >= 2]
                 for tokens in token_lists]
    read_now = window_contexts(shared_reader(DISTILLED_MODEL), texts, token_lists, positions, radius=16)
    topics = {d.id: document_topic(general, d, sentences[d.id]) for d in documents}
    checked = 0
    for tokens, row, wanted, vectors in zip(token_lists, owner, positions, read_now):
        readings = found[documents[row].id]
        for i, token in enumerate(tokens):
            senses = general.senses(token.norm)
            kept = readings.context(token, general)
            if i not in wanted:
                assert kept is None  # a word of one sense or none, or a function word, costs nothing
                continue
            now = general.in_document(token.norm, vectors[i], topics[documents[row].id])
            np.testing.assert_allclose(general.scores(senses, kept), general.scores(senses, now), atol=2e-3)
            checked += 1
    assert checked >= 10


def test_the_rest_of_the_document_says_which_sense(general) -> None:
    # The sentence alone says little of "bank"; the document around it says river, or money.
    sentence = "Nobody was at the bank that morning."
    river = StoredDocument(1, "", "Herons waded in the shallows of the creek among willows and reeds. " + sentence,
                           "", "", 0, "")
    money = StoredDocument(2, "", "Interest rates on savings accounts and mortgages rose again this quarter. "
                           + sentence, "", "", 0, "")
    reader = shared_reader(DISTILLED_MODEL)
    [land, institution] = [s for s in general.senses("bank") if s.label in ("sloping land", "financial institution")]
    leaning = {}
    for document in (river, money):
        _, token_lists, _ = document_sentences([document], {})
        tokens = token_lists[-1]
        at = next(i for i, t in enumerate(tokens) if t.norm == "bank")
        [vectors] = window_contexts(reader, [document.text], [tokens], [[at]], radius=16)
        alone = general.in_document("bank", vectors[at], None)
        read = general.in_document("bank", vectors[at], document_topic(general, document))
        leaning[document.id] = [read.by_row[s.row] - alone.by_row[s.row] for s in (land, institution)]
    assert leaning[1][0] - leaning[1][1] > 0.05  # the river's words lean to the sloping land
    assert leaning[2][1] - leaning[2][0] > 0.05  # money's to the institution


def test_indexing_keeps_readings_of_every_document_and_an_upload_of_its_own(index_copy: Index, general) -> None:
    version = readings_version(general)
    store = index_copy.store
    assert store.unread(version) == []
    [new_id] = index_copy.add_documents([RIVER]).added
    kept = kept_readings(store, [new_id], general)[new_id]
    bank = RIVER.text.index("bank")
    assert kept.get(bank) is not None and kept.get(RIVER.text.index("kingfishers")) is None  # not in the inventory
    assert store.readings([new_id], "another version") == {}
    index_copy.delete(new_id)
    assert kept_readings(store, [new_id], general) == {}  # gone with the document


def test_an_upload_reads_each_sentence_with_the_distilled_bilm_once(index_copy: Index, general,
                                                                    monkeypatch) -> None:
    """The ELMo method and the kept readings read with the same biLM: the
    readings take the sentences the ELMo method has just read."""
    encoder = shared_reader(DISTILLED_MODEL).encoder
    read: list[tuple[str, ...]] = []
    encode_layers = encoder.encode_layers

    def counted(sentences, *args, **kwargs):
        read.extend(tuple(sentence) for sentence in sentences)
        return encode_layers(sentences, *args, **kwargs)

    monkeypatch.setattr(encoder, "encode_layers", counted)
    two = Document("Creek and loan", RIVER.text + " The bank approved the loan for the new mill.", "two.txt")
    [new_id] = index_copy.add_documents([two]).added
    assert len(read) == len(set(read)) == 2  # its two sentences, each once
    assert kept_readings(index_copy.store, [new_id], general)[new_id].get(two.text.rindex("bank")) is not None


def test_a_document_whose_readings_were_never_kept_is_read_at_query_time_alike(index_copy: Index) -> None:
    from search.engine import SearchEngine

    query = "herons fishing from the muddy creek bank"
    [new_id] = index_copy.add_documents([RIVER]).added
    with_kept = _verdicts(SearchEngine(index_copy).search(query, "senses", k=5), new_id)
    index_copy.store._connection().execute("DELETE FROM readings WHERE doc_id = ?", (new_id,))  # as if killed
    read_now = _verdicts(SearchEngine(index_copy).search(query, "senses", k=5), new_id)
    assert with_kept and [h[:2] for h in read_now] == [h[:2] for h in with_kept]
    for (_, _, a), (_, _, b) in zip(with_kept, read_now):
        assert a == pytest.approx(b, abs=0.01)
    index_copy.retrain()  # a retrain reads what was never read
    assert index_copy.store.unread(readings_version(english_senses())) == []


def test_readings_kept_with_older_models_are_counted_and_read_again_without_a_retrain(index_copy: Index, general,
                                                                                     capsys) -> None:
    from indexing.__main__ import main

    store, generation = index_copy.store, index_copy.snapshot().name
    assert index_copy.unread_senses() == 0 and index_copy.status()["unread_senses"] == 0
    older = store.document_ids()[:3]
    store.put_readings("an older inventory", {doc_id: b"" for doc_id in older})  # as after an update of the product
    assert index_copy.unread_senses() == 3 and index_copy.status()["unread_senses"] == 3
    assert index_copy.read_senses() == 3
    assert index_copy.unread_senses() == 0 and set(kept_readings(store, older, general)) == set(older)
    assert index_copy.snapshot().name == generation  # read in place: nothing retrained

    store.put_readings("an older inventory", {older[0]: b""})
    assert main(["status", "--data-dir", str(index_copy.directory)]) == 0
    assert "1 documents' senses are read at each query" in capsys.readouterr().out
    assert main(["senses", "--data-dir", str(index_copy.directory)]) == 0
    assert "1 documents' senses read and kept; 0 left to read at query time" in capsys.readouterr().out


def _verdicts(hits, doc_id: int) -> list[tuple[str, str, float]]:
    """(word, kind, similarity) of the sense verdicts on document ``doc_id``'s passage."""
    [hit] = [h for h in hits if h.doc_id == doc_id]
    return [(h.word, h.kind, h.similarity) for h in hit.passage.highlights if h.kind in ("same sense", "other sense")]
