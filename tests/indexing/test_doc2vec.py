"""Doc2Vec DM/DBOW: the corpus is re-iterable, the vectors belong to the
right documents, and inference is repeatable, also in another process."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zlib
from dataclasses import asdict, replace
from pathlib import Path

import gensim.models.doc2vec as gensim_doc2vec
import numpy as np
import pytest

from indexing import doc2vec_corpus
from indexing.doc2vec import Doc2VecConfig, Doc2VecModel
from indexing.doc2vec_inference import infer_vector
from indexing.doc2vec_corpus import TaggedCorpus
from indexing.doc2vec_snippets import SNIPPET_LENGTHS
from indexing.documents import StoredDocument
from indexing.index import Index
from indexing.text import is_content_word, words

ROOT = Path(__file__).resolve().parents[2]
QUERY = words("the heron waited on the river bank")


def stored(doc_id: int, text: str) -> StoredDocument:
    return StoredDocument(doc_id, f"doc {doc_id}", text, "t.txt", f"h{doc_id}", len(words(text)), "2024-01-01")


@pytest.fixture(scope="module")
def dbow(built_index: Index) -> Doc2VecModel:
    return built_index.method("dbow").model


@pytest.fixture(scope="module")
def dm(built_index: Index) -> Doc2VecModel:
    return built_index.method("dm").model


# ---- the corpus ----------------------------------------------------------------

def test_tagged_corpus_is_re_iterable_and_tagged_with_store_ids() -> None:
    docs = [stored(4, "The bank approved the loan."), stored(9, "Herons wait on the bank.")]
    corpus = TaggedCorpus(docs)
    first, second = list(corpus), list(corpus)
    assert first == second
    assert [(t.tags, t.words) for t in first] == [([4], ["the", "bank", "approved", "the", "loan"]),
                                                  ([9], ["herons", "wait", "on", "the", "bank"])]


def test_long_documents_train_as_chunks_under_one_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doc2vec_corpus, "CHUNK_WORDS", 4)
    tagged = list(TaggedCorpus([stored(3, "one two three four five six seven eight nine ten")]))
    assert [t.words for t in tagged] == [["one", "two", "three", "four"], ["five", "six", "seven", "eight"],
                                         ["nine", "ten"]]
    assert all(t.tags == [3] for t in tagged)


def test_a_corpus_too_big_to_cache_streams_the_same_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = [stored(i, f"note number {i} about the river") for i in range(1, 6)]
    cached = list(TaggedCorpus(docs))
    monkeypatch.setattr(doc2vec_corpus, "IN_MEMORY_WORDS", 10)
    streamed = TaggedCorpus(docs)
    assert list(streamed) == list(streamed) == cached


# ---- training and encoding -------------------------------------------------------

def test_training_reports_every_epoch(tiny_configs) -> None:
    calls = []
    config = replace(tiny_configs["dm"], epochs=3)
    Doc2VecModel.train(TaggedCorpus([stored(1, "a b c a b c"), stored(2, "c b a c b a")]), config,
                       lambda done, total, stage: calls.append((done, total, stage)))
    assert calls[:4] == [(0, 3, "Training Doc2Vec DM"), (1, 3, "Training Doc2Vec DM"),
                         (2, 3, "Training Doc2Vec DM"), (3, 3, "Training Doc2Vec DM")]
    # then the inference is calibrated, one step per snippet length
    lengths = len(SNIPPET_LENGTHS)
    assert calls[4:] == [(i, lengths, "Calibrating Doc2Vec DM") for i in range(lengths + 1)]


def test_trained_documents_get_their_trained_vectors_as_unit_rows(dbow: Doc2VecModel, index: Index) -> None:
    documents = list(index.store)[:5]
    vectors = dbow.encode_documents(documents)
    assert vectors.shape == (5, dbow.dim) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    for doc, vector in zip(documents, vectors):
        trained = dbow.model.dv[doc.id] / np.linalg.norm(dbow.model.dv[doc.id]) - dbow.mean  # mean: 0 unless centred
        np.testing.assert_allclose(vector, trained / np.linalg.norm(trained), rtol=1e-5, atol=1e-6)


def test_ids_below_the_largest_that_were_never_trained_are_inferred(tiny_configs) -> None:
    # gensim sizes its int-tag array by the largest id: id 5 gets a random,
    # untrained row that must not be used as the document's vector.
    model = Doc2VecModel.train(
        TaggedCorpus([stored(2, "the bank approved the loan " * 3), stored(7, "the heron waited by the river " * 3)]),
        replace(tiny_configs["dbow"], min_count=1),
    )
    assert model.trained_ids == {2, 7}
    assert len(model.model.dv) >= 8
    late = stored(5, "the heron and the loan")
    [vector] = model.encode_documents([late])
    np.testing.assert_array_equal(vector, model.infer(words(late.text)) * model.confidence(words(late.text)))


def test_an_inferred_document_weighs_as_much_as_the_words_the_model_knows(tiny_configs) -> None:
    """A short upload's vector is mostly noise: scaled by n / (n + 1) for its
    n known content words, it cannot outrank trained documents by chance."""
    corpus = TaggedCorpus([stored(2, "the bank approved the loan " * 3), stored(7, "the heron waited by the river " * 3)])
    model = Doc2VecModel.train(corpus, replace(tiny_configs["dbow"], min_count=1, inferred_shrink=1.0))
    texts = {"one known word": "the heron", "four known words": "the heron waited by the river with a loan",
             "none known": "qwzx vvkq", "trained": ""}
    documents = [stored(10 + i, text) for i, text in enumerate(texts.values())]
    documents[-1] = stored(2, "the bank approved the loan " * 3)
    norms = dict(zip(texts, np.linalg.norm(model.encode_documents(documents), axis=1)))
    assert norms["one known word"] == pytest.approx(1 / 2) and norms["four known words"] == pytest.approx(4 / 5)
    assert norms["none known"] == 0.0 and norms["trained"] == pytest.approx(1.0)
    # an index built before the setting keeps unit vectors for its uploads
    unscaled = Doc2VecModel(model.model, replace(model.config, inferred_shrink=0.0), model.trained_ids, model.mean,
                            model.inferred_means)
    assert np.linalg.norm(unscaled.encode_documents(documents[:1])) == pytest.approx(1.0)


@pytest.mark.parametrize("method, minimum", [("dbow", 0.9), ("dm", 0.6)])
def test_a_document_s_own_text_infers_next_to_its_trained_vector(method: str, minimum: float,
                                                                  built_index: Index, index: Index) -> None:
    model = built_index.method(method).model
    documents = list(index.store)
    if method == "dm":
        # A 16-dimension DM cannot place a text from its content words alone
        # (1 of 33 here); the product's DM can (`python -m bench known-item`).
        model = Doc2VecModel.train(TaggedCorpus(documents), replace(model.config, content_words_inference=False))
    trained = model.encode_documents(documents)  # (n, d)
    inferred = np.stack([model.infer(words(d.text)) for d in documents])  # (n, d)
    nearest = (inferred @ trained.T).argmax(axis=1)
    assert np.mean(nearest == np.arange(len(documents))) >= minimum


# ---- inference is repeatable ----------------------------------------------------

def test_the_same_tokens_give_the_same_vector(dm: Doc2VecModel, dbow: Doc2VecModel) -> None:
    for model in (dm, dbow):
        first = model.infer(QUERY)
        assert first.shape == (model.dim,)
        np.testing.assert_allclose(np.linalg.norm(first), 1.0, rtol=1e-5)
        np.testing.assert_array_equal(model.infer(QUERY), first)
        assert not np.allclose(model.infer(words("the bank raised interest rates")), first)


def test_inference_gives_the_same_vector_in_another_process(dbow: Doc2VecModel, tmp_path: Path) -> None:
    # gensim seeds inference with Python's hash(), salted per process: the same
    # query used to rank differently after every restart.
    dbow.save(tmp_path / "model")
    script = (
        "import sys; from pathlib import Path; from indexing.doc2vec import Doc2VecModel; "
        f"sys.stdout.write(Doc2VecModel.load(Path({str(tmp_path / 'model')!r})).infer({QUERY!r}).tobytes().hex())"
    )
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] == dbow.infer(QUERY).tobytes().hex()


@pytest.mark.parametrize("method", ["dm", "dbow"])
def test_inference_is_gensims_own_given_the_same_start(method: str, built_index: Index,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # infer_vector re-implements gensim's infer_vector to seed the start
    # vector stably; with gensim's start seeded the same way, both must agree
    # exactly (this fails if a gensim upgrade changes inference).
    model = built_index.method(method).model.model

    def stable_start(size: int, seed_string: str) -> np.ndarray:
        rng = np.random.Generator(np.random.SFC64(zlib.crc32(seed_string.encode("utf-8"))))
        return (rng.random(size).astype(np.float32) - 0.5) / size

    model.random = np.random.RandomState(7)
    ours = infer_vector(model, QUERY, 25)
    monkeypatch.setattr(gensim_doc2vec, "pseudorandom_weak_vector", stable_start)
    model.random = np.random.RandomState(7)
    theirs = model.infer_vector(QUERY, epochs=25)
    np.testing.assert_array_equal(ours, theirs)


# ---- save and load -----------------------------------------------------------------

def test_save_then_load_gives_the_same_model(dm: Doc2VecModel, index: Index, tmp_path: Path) -> None:
    dm.save(tmp_path / "dm")
    loaded = Doc2VecModel.load(tmp_path / "dm")
    assert loaded.config == dm.config
    assert loaded.trained_ids == dm.trained_ids == set(index.store.document_ids())
    documents = list(index.store)
    np.testing.assert_array_equal(loaded.encode_documents(documents), dm.encode_documents(documents))
    np.testing.assert_array_equal(loaded.infer(QUERY), dm.infer(QUERY))


def test_config_round_trips_through_json() -> None:
    config = Doc2VecConfig(dm=0, vector_size=8, sample=0.0)
    assert Doc2VecConfig(**json.loads(json.dumps(asdict(config)))) == config


def test_centring_takes_the_shared_direction_out_of_documents_and_queries(tiny_configs) -> None:
    texts = ["the bank approved the loan and the rates", "the heron waited by the river bank",
             "the river flooded the fields", "the loan rates rose again at the bank"] * 3
    corpus = TaggedCorpus([stored(i + 1, text) for i, text in enumerate(texts)])
    plain = Doc2VecModel.train(corpus, replace(tiny_configs["dbow"], min_count=1, centre=False))
    centred = Doc2VecModel.train(corpus, replace(tiny_configs["dbow"], min_count=1, centre=True,
                                                 centre_inferred=False))
    documents = [stored(i + 1, text) for i, text in enumerate(texts)]
    shared = np.linalg.norm(plain.encode_documents(documents).mean(axis=0))
    left = np.linalg.norm(centred.encode_documents(documents).mean(axis=0))
    assert left < shared / 2
    query = centred.infer(words("river fields"))
    np.testing.assert_allclose(np.linalg.norm(query), 1.0, rtol=1e-5)
    raw = Doc2VecModel(centred.model, replace(centred.config, centre=False), centred.trained_ids).infer(
        words("river fields"))
    expected = (raw - centred.mean) / np.linalg.norm(raw - centred.mean)
    np.testing.assert_allclose(query, expected, atol=1e-5)


def test_inferred_texts_are_centred_on_inferred_snippets_of_their_length(corpus_documents, tiny_configs) -> None:
    """Short inferred texts (queries, uploads) share a direction trained
    vectors lack; centred on the trained mean they kept it, and unrelated
    uploads came near every query. Centred on the mean of inferred training
    snippets of their length, they do not share it."""
    documents = [stored(i + 1, d.text) for i, d in enumerate(corpus_documents)]
    corpus = TaggedCorpus(documents)
    model = Doc2VecModel.train(corpus, tiny_configs["dbow"])
    assert model.inferred_means is not None and model.inferred_means.shape == (len(SNIPPET_LENGTHS), 16)
    old_way = Doc2VecModel(model.model, model.config, model.trained_ids, model.mean)  # no inferred means
    # each document's last six content words, as a short query or note would be
    notes = [" ".join([w for w in words(d.text) if is_content_word(w)][-6:]) for d in documents]
    shared = [np.linalg.norm(np.mean([m.infer(words(n)) for n in notes], axis=0)) for m in (old_way, model)]
    assert shared[1] < shared[0] * 0.75, shared  # measured: 0.29 -> 0.16
    # queries and uploads are centred alike: an upload's own text meets it at
    # cosine 1, times the confidence its known words give it
    (upload,) = model.encode_documents([stored(999, notes[0])])
    np.testing.assert_allclose(upload @ model.infer(words(notes[0])), model.confidence(words(notes[0])), atol=1e-5)
    # what was saved is what is loaded; an index saved before has none, and centres as before
    with tempfile.TemporaryDirectory() as tmp:
        model.save(Path(tmp))
        np.testing.assert_array_equal(Doc2VecModel.load(Path(tmp)).inferred_means, model.inferred_means)
        np.testing.assert_array_equal(Doc2VecModel.load(Path(tmp)).pseudo_queries, model.pseudo_queries)
        (Path(tmp) / "pseudo_queries.npy").unlink()
        assert Doc2VecModel.load(Path(tmp)).pseudo_queries is None  # saved before the hub penalty was
        (Path(tmp) / "inferred_means.npy").unlink()
        np.testing.assert_allclose(Doc2VecModel.load(Path(tmp)).infer(words(notes[1])),
                                   old_way.infer(words(notes[1])), atol=1e-6)


def test_content_word_inference_ignores_function_words(tiny_configs) -> None:
    corpus = TaggedCorpus([stored(1, "the heron waited by the river " * 3), stored(2, "the bank approved a loan " * 3)])
    model = Doc2VecModel.train(corpus, replace(tiny_configs["dbow"], min_count=1, content_words_inference=True))
    np.testing.assert_array_equal(model.infer(words("the heron by the river")), model.infer(words("heron river")))
    assert np.linalg.norm(model.infer(words("the by"))) > 0.99  # only function words: inferred from them
