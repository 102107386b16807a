"""Snippets of the training text, inferred as queries are (`Doc2VecModel`).

Their mean per length centres an inferred text (`Doc2VecModel.inferred_means`:
short texts inferred against the fixed output layer share a direction that
trained documents lack). Centred so, they are also the pseudo-queries
against which the hub penalty measures documents (indexing/hubness.py):
where queries of the collection's own words fall.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from indexing.doc2vec_corpus import TaggedCorpus
from indexing.linalg import unit_rows
from indexing.progress import Progress, no_progress

# Lengths (content words) of the training-text snippets whose inferred mean
# centres an inferred text: a text takes the mean of the nearest length.
SNIPPET_LENGTHS = (4, 8, 16, 32, 64)
SNIPPETS_PER_LENGTH = 200  # DM: ~5 s on 2 cores, whatever the collection's size
SNIPPET_DOCUMENTS = 1000  # the documents snippets are cut from, sampled


def nearest_length(n_tokens: int) -> int:
    """The row of the snippet length nearest ``n_tokens`` (in ratio: 10 words is nearer 8 than 16)."""
    return int(np.argmin(np.abs(np.log(SNIPPET_LENGTHS) - np.log(max(n_tokens, 1)))))


def inferred_snippets(corpus: TaggedCorpus, words_of: Callable[[list[str]], list[str]],
                      infer: Callable[[list[str]], np.ndarray], fallback: np.ndarray, seed: int,
                      on_progress: Progress = no_progress, stage: str = "") -> tuple[np.ndarray, np.ndarray]:
    """``SNIPPETS_PER_LENGTH`` snippets of each of ``SNIPPET_LENGTHS``
    inference words (``words_of`` a document), cut at random places of
    training documents (``SNIPPET_DOCUMENTS`` of them, sampled with
    ``seed``), each inferred by ``infer`` (the raw vector). Returns the mean
    unit vector per length (len(SNIPPET_LENGTHS), d), where a length no
    document reaches takes the next shorter one's (the first, ``fallback``),
    and the snippets centred on their length's mean, unit: the pseudo-queries (m, d)."""
    rng = np.random.default_rng(seed)
    documents = [doc for doc in map(words_of, _sample(corpus, rng)) if doc]
    means = np.zeros((len(SNIPPET_LENGTHS), len(fallback)), dtype=np.float32)
    centred = []
    for row, length in enumerate(SNIPPET_LENGTHS):
        on_progress(row, len(SNIPPET_LENGTHS), stage)
        long_enough = [doc for doc in documents if len(doc) >= length]
        if not long_enough:
            means[row] = means[row - 1] if row else fallback
            continue
        vectors = []
        for pick in rng.integers(0, len(long_enough), SNIPPETS_PER_LENGTH):
            doc = long_enough[pick]
            start = int(rng.integers(0, len(doc) - length + 1))
            vectors.append(unit_rows(infer(doc[start : start + length])[None, :])[0])
        means[row] = np.mean(vectors, axis=0)
        centred.append(unit_rows(np.stack(vectors) - means[row]))
    on_progress(len(SNIPPET_LENGTHS), len(SNIPPET_LENGTHS), stage)
    pseudo = np.concatenate(centred) if centred else np.zeros((0, len(fallback)), dtype=np.float32)
    return means, pseudo.astype(np.float32)


def _sample(corpus: Iterable, rng: np.random.Generator) -> list[list[str]]:
    """A reservoir of ``SNIPPET_DOCUMENTS`` documents' words: one pass, bounded memory."""
    sample: list[list[str]] = []
    for seen, tagged in enumerate(corpus):
        slot = seen if seen < SNIPPET_DOCUMENTS else int(rng.integers(0, seen + 1))
        if slot < SNIPPET_DOCUMENTS:
            sample[slot:slot + 1] = [list(tagged.words)]
    return sample
