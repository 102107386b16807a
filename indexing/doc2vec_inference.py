"""Doc2Vec inference: one vector fitted to unseen text against a trained
model's frozen word and output weights (gensim's ``Doc2Vec.infer_vector``,
step for step), seeded so that the same text always gets the same vector.

Consumes a trained gensim ``Doc2Vec`` and a text's tokens; produces its raw
(not unit) float32 vector. `indexing/doc2vec.py` centres and scales it.
"""
from __future__ import annotations

import zlib

import numpy as np
from gensim import matutils
from gensim.models.doc2vec import Doc2Vec
from gensim.models.doc2vec_inner import train_document_dbow, train_document_dm


def infer_vector(model: Doc2Vec, tokens: list[str], epochs: int) -> np.ndarray:
    """gensim's `Doc2Vec.infer_vector`, step for step, except for the seed of
    the starting vector: gensim takes it from Python's `hash()` of the text,
    which is salted anew in every process (PYTHONHASHSEED), so the same query
    scored and ranked differently after each restart. A CRC of the tokens is
    the same everywhere. Returns the (vector_size,) float32 vector, not unit."""
    size = model.dv.vector_size
    rng = np.random.Generator(np.random.SFC64(zlib.crc32(" ".join(tokens).encode("utf-8"))))
    vector = ((rng.random(size).astype(np.float32) - 0.5) / size).reshape(1, size)  # (1, vector_size)
    lockf = np.ones(1, dtype=np.float32)
    work = np.zeros(model.layer1_size, dtype=np.float32)
    neu1 = matutils.zeros_aligned(model.layer1_size, dtype=np.float32)
    alpha, step = model.alpha, (model.alpha - model.min_alpha) / max(epochs - 1, 1)
    for _ in range(epochs):
        if model.dm:
            train_document_dm(model, tokens, [0], alpha, work, neu1, learn_words=False, learn_hidden=False,
                              doctag_vectors=vector, doctags_lockf=lockf)
        else:
            train_document_dbow(model, tokens, [0], alpha, work, learn_words=False, learn_hidden=False,
                                doctag_vectors=vector, doctags_lockf=lockf)
        alpha -= step
    return vector[0]
