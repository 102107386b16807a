"""The hub penalty (indexing/hubness.py): a radius is the mean cosine with
the nearest pseudo-queries, the document at the centre of where queries
fall no longer outranks the one a query is about, the scale keeps every
score's sign, and a DBOW index stores its documents weighed down so."""
from __future__ import annotations

import numpy as np

from indexing.doc2vec import Doc2VecModel
from indexing.doc2vec_method import Doc2VecMethod
from indexing.hubness import hub_radii, shrunk
from indexing.index import Index
from indexing.linalg import unit_rows


def test_a_radius_is_the_mean_cosine_with_the_k_nearest_pseudo_queries() -> None:
    rng = np.random.default_rng(0)
    documents, pseudo = unit_rows(rng.standard_normal((5, 8))), unit_rows(rng.standard_normal((40, 8)))
    expected = np.sort(documents @ pseudo.T, axis=1)[:, -3:].mean(axis=1)
    np.testing.assert_allclose(hub_radii(documents, pseudo, 3), expected, rtol=1e-5)
    np.testing.assert_allclose(hub_radii(documents, pseudo[:2], 3), (documents @ pseudo[:2].T).mean(axis=1),
                               rtol=1e-5)  # fewer than k: all of them


def test_no_pseudo_queries_or_a_zero_vector_give_no_penalty() -> None:
    documents = np.vstack([np.eye(4)[:1], np.zeros((1, 4))]).astype(np.float32)
    assert hub_radii(documents, np.zeros((0, 4), dtype=np.float32), 10).tolist() == [0.0, 0.0]
    assert hub_radii(documents, unit_rows(np.ones((3, 4))), 2)[1] == 0.0


def test_the_document_where_queries_fall_no_longer_outranks_the_one_asked_for() -> None:
    """A topic whose queries fall around its centre: a generic story sits
    at that centre, a specific one off to a side. A query taken from the
    specific story lands between them, nearer the centre, as an inferred
    query does."""
    rng = np.random.default_rng(1)
    centre, side = np.eye(16)[0], np.eye(16)[1]
    pseudo = unit_rows(centre + 0.3 * rng.standard_normal((200, 16)))
    stories = np.vstack([centre, unit_rows(centre + 0.8 * side)]).astype(np.float32)  # generic, specific
    query = unit_rows(centre + 0.35 * side)
    assert np.argmax(stories @ query) == 0  # by cosine, the generic story
    weighed = shrunk(stories, hub_radii(stories, pseudo, 10), 0.5)
    assert np.argmax(weighed @ query) == 1


def test_the_scale_keeps_each_score_s_sign_and_stays_in_bounds() -> None:
    """A text sharing nothing with a query (cosine 0 or below) never
    overtakes one that shares something, however close the latter sits to
    other queries: what a subtracted penalty did to Korean texts."""
    vectors = unit_rows(np.array([[1.0, 0.2], [0.0, 1.0], [-0.3, 1.0]]))
    radii = np.array([0.99, 0.0, 0.0], dtype=np.float32)
    scores = shrunk(vectors, radii, 0.5) @ np.array([1.0, 0.0], dtype=np.float32)
    assert scores[0] > 0 >= scores[1] > scores[2]
    lengths = np.linalg.norm(shrunk(vectors, np.array([1.0, 0.5, -0.2]), 0.5), axis=1)
    np.testing.assert_allclose(lengths, [0.5, 0.75, 1.0], rtol=1e-6)  # never above 1


def test_dbow_stores_its_documents_weighed_down_by_their_radii(built_index: Index) -> None:
    method = built_index.method("dbow")
    documents = list(built_index.store)
    _, stored = method.encode_documents(documents)
    direction = unit_rows(stored)
    radii = hub_radii(direction, method.model.pseudo_queries, method.config.hub_neighbours)
    np.testing.assert_allclose(np.linalg.norm(stored, axis=1), 1.0 - method.config.hub_penalty * radii, rtol=1e-5)
    assert method.model.pseudo_queries.shape[1] == method.model.dim and radii.std() > 0.01
    np.testing.assert_allclose(np.linalg.norm(method.model.pseudo_queries, axis=1), 1.0, rtol=1e-5)


def test_a_model_saved_before_the_penalty_keeps_its_unit_vectors(built_index: Index) -> None:
    method = built_index.method("dbow")
    model = method.model
    before = Doc2VecMethod("dbow", Doc2VecModel(model.model, model.config, model.trained_ids, model.mean,
                                                model.inferred_means))  # no pseudo-queries saved
    _, vectors = before.encode_documents(list(built_index.store)[:5])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert (before.hub_weight, method.hub_weight) == (0.0, method.config.hub_penalty) and method.hub_weight > 0
