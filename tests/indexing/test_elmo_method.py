"""ELMo as a retrieval method. With the distilled biLM (the default): one
vector per document, the sentence head of its mean mixed vector (content
words by idf squared) less the collection's common direction, the layer
weights the mix fed to the head. With a plain biLM (the LM-only model, and
indexes built before the distilled one): one vector per stored sentence, a
query's score the layer-weighted sum of per-layer cosines. Either way the
weights can change per query and uploads are encoded on arrival."""
from __future__ import annotations

import numpy as np
import pytest

from indexing.contextual import sentence_tokens
from indexing.documents import Document, Span
from indexing.elmo_method import ElmoMethodConfig
from indexing.errors import InvalidQueryError
from indexing.index import Index
from search.engine import SearchEngine


@pytest.fixture(scope="module")
def plain_index(tmp_path_factory, corpus_documents, tiny_configs) -> Index:
    """The corpus indexed with the LM-only biLM (no sentence head)."""
    configs = {"elmo": ElmoMethodConfig(model="shipped", layer_weights=(1, 1, 1), mean_sample=500)}
    built = Index(tmp_path_factory.mktemp("plain-elmo"))
    built.build(corpus_documents, configs={**tiny_configs, **configs}, methods=("elmo",))
    return Index.open(built.directory)


def head_vector(method, text: str, weights, pooling: str = "idf") -> np.ndarray:
    """An independent path to a headed vector: every sentence's raw layers,
    mixed, averaged over the content words by their idf in the collection,
    squared ("mean": over all tokens alike), through the head's weight and bias,
    less its part along the collection's common direction ("idf" only)."""
    from indexing.text import idf_table, is_content_word, split_sentences

    tokens = [sentence_tokens(text, span) for span in split_sentences(text)]
    layers = np.concatenate(method.reader.encode_layers([text] * len(tokens), tokens), axis=1)
    w = np.asarray(weights, dtype=np.float64) / sum(weights)
    mixed = (w[:, None, None] * layers).sum(axis=0)  # (tokens, d)
    if pooling == "idf":
        idf, unseen = idf_table(method.document_frequency, method.n_documents)
        by_token = np.array([idf.get(t.norm, unseen) ** 2 if is_content_word(t.norm) else 0.0
                             for sentence in tokens for t in sentence])
        pooled = by_token @ mixed / by_token.sum()
    else:
        pooled = mixed.mean(axis=0)
    weight, bias = method.encoder.sentence_head
    vector = pooled @ weight.T + bias
    vector /= np.linalg.norm(vector)
    if pooling == "idf":
        common = method.common_direction
        vector -= (vector @ common) * common
        vector /= np.linalg.norm(vector)
    return vector


def test_the_default_model_is_distilled_and_ranks_documents(index) -> None:
    method = index.method("elmo")
    assert method.headed and method.unit == "document" and method.dim == method.encoder.head_dim
    # Its default mix is the one it was trained with, not an even split.
    trained = method.encoder.scalar_mix.layer_weights().detach().numpy()
    assert np.allclose(method.default_weights, trained / trained.sum())
    vectors = index.snapshot().vectors["elmo"]
    assert sorted(vectors.ids().tolist()) == sorted(index.store.document_ids())


@pytest.mark.parametrize("weights", [None, (1, 0, 0), (0.2, 0.3, 0.5)])
def test_a_headed_score_is_the_cosine_of_head_vectors(index, weights) -> None:
    method = index.method("elmo")
    query = "river bank erosion"
    scores, ids = index.snapshot().search("elmo", method.encode_query(query, weights), 5)
    mix = method.default_weights if weights is None else weights
    wanted = head_vector(method, query, mix)
    for score, doc_id in zip(scores.tolist(), ids.tolist()):
        document = head_vector(method, index.store.get(doc_id).text, method.default_weights)
        assert score == pytest.approx(float(wanted @ document), abs=1e-4)


def test_every_headed_vector_is_free_of_the_collections_common_direction(index) -> None:
    method = index.method("elmo")
    common = method.common_direction
    assert method.config.pooling == "idf" and common is not None
    assert float(np.linalg.norm(common)) == pytest.approx(1.0, abs=1e-5)
    vectors = index.snapshot().vectors["elmo"]
    stored = vectors.vectors_of(vectors.ids().tolist())
    assert np.abs(stored @ common).max() < 1e-4
    assert abs(float(method.encode_query("river bank erosion") @ common)) < 1e-4


def test_a_collection_of_few_sentences_keeps_no_common_direction(corpus_documents) -> None:
    from indexing.elmo_build import MIN_COMMON_SAMPLE, train_elmo
    from indexing.documents import StoredDocument

    documents = [StoredDocument(i, d.title, d.text, d.source, "", len(d.text.split()), "")
                 for i, d in enumerate(corpus_documents[:2], 1)]
    method = train_elmo(documents, config=ElmoMethodConfig(mean_sample=MIN_COMMON_SAMPLE - 1))
    assert method.headed and method.common_direction is None
    vector = method.encode_query("river bank erosion")
    assert float(np.linalg.norm(vector)) == pytest.approx(1.0, abs=1e-5)


def test_an_index_built_before_idf_pooling_ranks_as_it_did(index, tmp_path) -> None:
    """An ELMo method saved before the "idf" pooling has no such key in its
    config and no common direction: it loads as "mean", and its queries
    meet its stored document vectors as they did when they were built."""
    import json

    from indexing.elmo_method import COMMON_FILE, load_elmo

    index.method("elmo").save(tmp_path)
    meta = json.loads((tmp_path / "method.json").read_text())
    del meta["config"]["pooling"]
    (tmp_path / "method.json").write_text(json.dumps(meta))
    (tmp_path / COMMON_FILE).unlink()
    older = load_elmo("elmo", tmp_path)
    assert older.config.pooling == "mean" and older.common_direction is None
    query = "river bank erosion"
    wanted = head_vector(older, query, older.default_weights, pooling="mean")
    np.testing.assert_allclose(older.encode_query(query), wanted, atol=1e-4)


def test_an_unknown_pooling_is_refused() -> None:
    with pytest.raises(ValueError, match="pooling"):
        ElmoMethodConfig(pooling="max")


def per_layer_cosines(method, index, query: str, sentence_id: int) -> np.ndarray:
    """Cosines (3,) of the query and one sentence, layer by layer, from the
    encoder's raw layers: an independent path to what the index stores."""
    sentence = index.store.sentence(sentence_id)
    document = index.store.get(sentence.doc_id)
    tokens = sentence_tokens(document.text, sentence)
    query_tokens = sentence_tokens(query, Span(0, len(query)))
    [doc_layers, query_layers] = method.reader.encode_layers([document.text, query], [tokens, query_tokens])
    return (method.pooled(doc_layers, tokens) * method.pooled(query_layers, query_tokens)).sum(axis=1)


def test_a_plain_bilm_stores_one_vector_per_sentence(plain_index) -> None:
    method = plain_index.method("elmo")
    assert not method.headed and method.unit == "sentence"
    vectors = plain_index.snapshot().vectors["elmo"]
    assert sorted(vectors.ids().tolist()) == sorted(plain_index.store.sentence_ids())


@pytest.mark.parametrize("weights", [(1, 1, 1), (1, 0, 0), (0, 0, 1), (0.2, 0.3, 0.5)])
def test_a_plain_score_is_the_weighted_sum_of_per_layer_cosines(plain_index, weights) -> None:
    index = plain_index
    method = index.method("elmo")
    query = "river bank erosion"
    scores, ids = index.snapshot().search("elmo", method.encode_query(query, weights), 5)
    w = np.array(weights, dtype=np.float64) / sum(weights)
    for score, sentence_id in zip(scores.tolist(), ids.tolist()):
        assert score == pytest.approx(float(w @ per_layer_cosines(method, index, query, sentence_id)), abs=1e-4)


def test_layer_weights_change_the_ranking_not_the_index(engine: SearchEngine) -> None:
    characters = engine.search("bank loan interest rates", "elmo", k=10, layer_weights=[1, 0, 0])
    context = engine.search("bank loan interest rates", "elmo", k=10, layer_weights=[0, 0, 1])
    assert [h.doc_id for h in characters] != [h.doc_id for h in context]


@pytest.mark.parametrize("weights", [(0, 0, 0), (1, 1), (-1, 1, 1), (float("nan"), 1, 1)])
def test_bad_layer_weights_are_refused_with_a_message(engine: SearchEngine, weights) -> None:
    with pytest.raises(InvalidQueryError, match="layer weights"):
        engine.search("river", "elmo", layer_weights=list(weights))


@pytest.mark.parametrize("which", ["headed", "plain"])
def test_a_hit_shows_a_passage_of_its_document(engine: SearchEngine, index, plain_index, which) -> None:
    index = index if which == "headed" else plain_index
    for hit in SearchEngine(index).search("interest rates", "elmo", k=5):
        sentences = index.store.sentences(hit.doc_id)
        assert any(s.start <= hit.passage.start and hit.passage.end <= s.end for s in sentences)


def test_an_upload_is_encoded_on_arrival(index_copy) -> None:
    text = "Glaciers carve deep valleys as they grind slowly downhill. Meltwater lakes fill the hollows."
    report = index_copy.add_documents([Document("glaciers", text, "glaciers.txt")])
    [doc_id] = report.added
    assert doc_id in set(index_copy.snapshot().vectors["elmo"].ids().tolist())
    # A query that is the whole document meets it with cosine 1.
    [hit, *_] = SearchEngine(index_copy).search(text, "elmo", k=3)
    assert (hit.doc_id, hit.score) == (doc_id, pytest.approx(1.0, abs=1e-4))


def test_a_model_saved_anew_gets_a_new_weights_digest(tmp_path) -> None:
    # The digest names the biLM an index was encoded with; it is kept per
    # version of the weights file, so a model saved over the old one must
    # not keep the old name.
    import os

    from indexing.contextual import weights_digest

    (tmp_path / "weights.pt").write_bytes(b"first weights")
    first = weights_digest(tmp_path)
    assert weights_digest(tmp_path) == first
    (tmp_path / "new.pt").write_bytes(b"other weights")  # same size, saved by a rename
    os.replace(tmp_path / "new.pt", tmp_path / "weights.pt")
    assert weights_digest(tmp_path) != first


def test_the_collections_words_are_looked_up_as_the_char_cnn_reads_them(index, tmp_path) -> None:
    """A passage is chosen by comparing the query's words with each word of
    the document: the collection's words come from the table read at
    indexing, any other word through the CNN, alike; an index saved before
    the table reads every word through the CNN."""
    from indexing.elmo_method import WORDS_FILE, load_elmo

    method = index.method("elmo")
    words, table = method.word_table
    assert "erosion" in words and "the" not in words and table.dtype == np.float16  # content words only
    asked = ["erosion", "zyzzogeton", "bank"]  # the middle one is in no document
    through_cnn = np.concatenate([method.encoder.char_vectors(asked)] * 2, axis=1) - method.layer_means[0]
    through_cnn /= np.linalg.norm(through_cnn, axis=1, keepdims=True)
    np.testing.assert_allclose(method.word_vectors(asked), through_cnn, atol=2e-3)
    method.save(tmp_path)
    assert load_elmo("elmo", tmp_path).word_table[0] == words
    (tmp_path / WORDS_FILE).unlink()
    older = load_elmo("elmo", tmp_path)
    assert older.word_table is None
    np.testing.assert_allclose(older.word_vectors(asked), through_cnn, atol=1e-5)


def test_the_word_table_holds_the_commonest_words_when_the_collection_has_too_many(index, monkeypatch) -> None:
    import indexing.elmo_build as elmo_build

    monkeypatch.setattr(elmo_build, "MAX_TABLE_WORDS", 5)
    documents = list(index.store)
    method = elmo_build.train_elmo(documents, config=ElmoMethodConfig(mean_sample=20))
    words, table = method.word_table
    frequency = method.document_frequency
    assert len(words) == len(table) == 5 and words == sorted(words)
    assert min(frequency[w] for w in words) >= max(frequency[w] for w in frequency
                                                   if w not in words and elmo_build.is_content_word(w))
