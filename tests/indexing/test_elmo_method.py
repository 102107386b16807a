"""ELMo as a retrieval method: one vector per stored sentence; a query's score
is the layer-weighted sum of per-layer cosines, and the weights can change per
query; uploads are encoded on arrival."""
from __future__ import annotations

import numpy as np
import pytest

from indexing.contextual import encode_layers, sentence_tokens
from indexing.documents import Document, Span
from indexing.errors import InvalidQueryError
from search.engine import SearchEngine


def per_layer_cosines(method, index, query: str, sentence_id: int) -> np.ndarray:
    """Cosines (3,) of the query and one sentence, layer by layer, from the
    encoder's raw layers: an independent path to what the index stores."""
    sentence = index.store.sentence(sentence_id)
    document = index.store.get(sentence.doc_id)
    tokens = sentence_tokens(document.text, sentence)
    query_tokens = sentence_tokens(query, Span(0, len(query)))
    [doc_layers, query_layers] = encode_layers(method.encoder, [document.text, query], [tokens, query_tokens])
    return (method.pooled(doc_layers, tokens) * method.pooled(query_layers, query_tokens)).sum(axis=1)


def test_every_stored_sentence_has_one_vector(index) -> None:
    vectors = index.snapshot().vectors["elmo"]
    assert sorted(vectors.ids().tolist()) == sorted(index.store.sentence_ids())


@pytest.mark.parametrize("weights", [(1, 1, 1), (1, 0, 0), (0, 0, 1), (0.2, 0.3, 0.5)])
def test_a_score_is_the_weighted_sum_of_per_layer_cosines(index, weights) -> None:
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


def test_a_hit_shows_the_sentence_that_matched(engine: SearchEngine, index) -> None:
    for hit in engine.search("interest rates", "elmo", k=5):
        sentences = index.store.sentences(hit.doc_id)
        assert any(s.start <= hit.passage.start and hit.passage.end <= s.end for s in sentences)


def test_an_upload_is_encoded_on_arrival(index_copy) -> None:
    text = "Glaciers carve deep valleys as they grind slowly downhill. Meltwater lakes fill the hollows."
    report = index_copy.add_documents([Document("glaciers", text, "glaciers.txt")])
    [doc_id] = report.added
    vectors = index_copy.snapshot().vectors["elmo"]
    assert {s.id for s in index_copy.store.sentences(doc_id)} <= set(vectors.ids().tolist())
    # A query that is one of its sentences meets that sentence with cosine 1 in every layer.
    [hit, *_] = SearchEngine(index_copy).search("Meltwater lakes fill the hollows.", "elmo", k=3)
    assert (hit.doc_id, hit.score) == (doc_id, pytest.approx(1.0, abs=1e-4))
