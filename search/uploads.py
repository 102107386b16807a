"""Documents added since a Doc2Vec model was trained rank in its column
only where they share a word with the query.

Doc2Vec places a document it did not train on by inference, from the words
of it the model knows; a short upload (a recipe note on a news collection)
has two or three, and its vector is then mostly noise that falls near
unrelated queries: 50 cooking notes took 4% of the top-10 slots of 30
everyday demo queries in DM and DBOW, pancakes second for "fire"
(`python -m bench pollution`). Inference cannot say which of its vectors
to trust, but a shared word can: until a retrain teaches the model an
upload's words, the upload is shown for a query that shares one of them
(stemmed, as BM25 matches), and not otherwise. Documents the model trained
on rank by meaning alone, as before.
"""
from __future__ import annotations

import numpy as np

from indexing.contract import LearnsNoDocuments
from indexing.errors import InvalidQueryError
from indexing.generation import Generation
from indexing.methods import LEXICAL


def unplaced_uploads(live: Generation, method: str, query: str, ids: np.ndarray) -> frozenset[int]:
    """The `ids` (a ranking of `method`) that `method` did not train on and
    that share no word with `query`: they are left out of its ranking."""
    model = live.method(method)
    if isinstance(model, LearnsNoDocuments) or LEXICAL not in live.methods:
        return frozenset()
    trained = model.remembered()
    inferred = np.array([i for i in ids.tolist() if i not in trained], dtype=np.int64)
    if not len(inferred):
        return frozenset()
    try:
        terms = live.method(LEXICAL).encode_query(query)
    except InvalidQueryError:  # only stop words: nothing to share
        return frozenset(inferred.tolist())
    return frozenset(inferred[~live.vectors[LEXICAL].holding(terms, inferred)].tolist())


def inferred_count(live: Generation, method: str) -> int:
    """How many of `method`'s indexed documents it did not train on."""
    model = live.method(method)
    if isinstance(model, LearnsNoDocuments):
        return 0
    return max(0, len(live.vectors[method]) - len(model.remembered()))
