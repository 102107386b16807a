"""The method table: names, configs and the encoder contract every method meets."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from indexing.doc2vec import DM_CONFIG
from indexing.errors import InvalidQueryError, UnknownMethodError
from indexing.index import Index
from indexing.methods import DEFAULT_METHODS, METHODS, check_configs, load_method, train_method


VECTOR_METHODS = [m for m in DEFAULT_METHODS if m != "bm25"]  # BM25's contract: tests/indexing/test_bm25.py


@pytest.mark.parametrize("name", VECTOR_METHODS)
def test_every_method_meets_the_encoder_contract(name: str, built_index: Index, index: Index) -> None:
    method = built_index.method(name)
    documents = list(index.store)[:4]
    sentences = index.store.sentences_of([d.id for d in documents])
    ids, vectors = method.encode_documents(documents, sentences)
    expected = ([d.id for d in documents] if method.unit == "document"
                else [s.id for d in documents for s in sentences[d.id]])
    assert ids.dtype == np.int64 and ids.tolist() == expected
    assert vectors.shape == (len(expected), method.dim) and vectors.dtype == np.float32
    lengths = np.linalg.norm(vectors, axis=1)
    if getattr(method.config, "hub_penalty", 0.0):  # trained documents weighed down by the hub penalty
        assert np.all(lengths >= 1.0 - method.config.hub_penalty - 1e-5) and np.all(lengths <= 1.0 + 1e-5)
        assert lengths.min() < 1.0 - 1e-3
    else:
        np.testing.assert_allclose(lengths, 1.0, rtol=1e-5)
    query = method.encode_query("fishing on the river bank")
    assert query.shape == (method.dim,)
    np.testing.assert_allclose(np.linalg.norm(query), 1.0, rtol=1e-5)
    described = method.describe()
    assert described["dim"] == method.dim and described["unit"] == method.unit
    assert method.label and method.name == name


@pytest.mark.parametrize("name", VECTOR_METHODS)
def test_word_vectors_are_unit_rows_and_zero_for_unknown_words(name: str, built_index: Index) -> None:
    vectors = built_index.method(name).word_vectors(["river", "zzzqx", "bank"])
    # ELMo spells words out with its char CNN: no word is unknown to it.
    unknown = 1.0 if name == "elmo" else 0.0
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), [1.0, unknown, 1.0], atol=1e-5)


def test_a_query_of_unknown_words_is_refused_with_the_query_in_the_message(built_index: Index) -> None:
    with pytest.raises(InvalidQueryError, match="None of the words of 'zzzqx blorft' occur in the Doc2Vec DBOW"):
        built_index.method("dbow").encode_query("  zzzqx blorft ")


def test_a_config_replaces_the_default(index: Index, tiny_configs) -> None:
    config = replace(tiny_configs["dm"], vector_size=8, epochs=2)
    method = train_method("dm", list(index.store), config=config)
    assert method.dim == 8 and method.describe()["config"]["epochs"] == 2
    assert method.model.config == config


def test_a_config_of_the_wrong_type_is_refused(index: Index) -> None:
    with pytest.raises(TypeError, match="the dm method takes a Doc2VecConfig, not dict"):
        train_method("dm", list(index.store), config={"vector_size": 8})


def test_unknown_method_names_list_the_valid_ones() -> None:
    with pytest.raises(UnknownMethodError, match=f"unknown method 'lsa'; valid methods are {', '.join(METHODS)}"):
        train_method("lsa", [])
    with pytest.raises(UnknownMethodError, match="unknown method 'DM'"):
        check_configs({"DM": DM_CONFIG})
    with pytest.raises(UnknownMethodError):
        load_method("lsa", None)
    assert check_configs(None) == {}
