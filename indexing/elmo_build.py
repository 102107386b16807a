"""Build time of the ELMo method (`elmo_method.py`): what an index measures
of its collection before the biLM encodes it. No training of the biLM here
(that is `indexing/elmo/distill.py`, and `python -m indexing tune`):

- each layer's corpus mean, from a sample of ``mean_sample`` sentences (a
  plain biLM's vectors are centred on it, and so are context-free word vectors);
- with a headed biLM pooled by idf, the direction its head vectors of that
  sample share most (`common_direction`);
- the char CNN's vectors of the collection's words (`WORDS_FILE`), so that a
  hit's passage never reads thousands of new words through the CNN;
- the cosine that only 1% of random pairs of corpus words reach, above
  which two different words are highlighted as related.
"""
from __future__ import annotations

import numpy as np

from indexing.contextual import content_mask, model_path, sentence_tokens, shared_reader
from indexing.documents import StoredDocument, Token
from indexing.elmo_method import ElmoMethod, ElmoMethodConfig
from indexing.linalg import pair_percentile
from indexing.progress import Progress, no_progress
from indexing.text import document_frequencies, is_content_word, split_sentences, tokenize

# The char CNN's vectors of the collection's content words, read at indexing
# (float16): the passage of a hit is chosen by comparing the query's words
# with every word of the document, and reading a long article's 3,000 new
# words through the CNN at query time took 0.4-1.1 s (bench/results/decisions.md).
MAX_TABLE_WORDS = 200_000  # the commonest, by document frequency (51 MB); rarer ones are read through the CNN
MIN_COMMON_SAMPLE = 50  # sentences, at least, to estimate the common direction from (`common_direction`)


def corpus_sentences(documents: list[StoredDocument], limit: int, seed: int) -> list[tuple[str, list]]:
    """Up to ``limit`` (text, tokens) sentences drawn evenly at random from ``documents``."""
    spans = [(d.text, span) for d in documents for span in split_sentences(d.text)]
    rng = np.random.default_rng(seed)
    picked = sorted(rng.choice(len(spans), size=min(limit, len(spans)), replace=False).tolist()) if spans else []
    return [(spans[i][0], sentence_tokens(*spans[i])) for i in picked]


def train_elmo(documents: list[StoredDocument], on_progress: Progress = no_progress,
               config: ElmoMethodConfig | None = None, name: str = "elmo") -> ElmoMethod:
    """The ELMo method of ``documents``: what the module docstring lists,
    measured on them (the biLM itself is not trained)."""
    config = config or ElmoMethodConfig()
    if not isinstance(config, ElmoMethodConfig):
        raise TypeError(f"the {name} method takes an ElmoMethodConfig, not {type(config).__name__}")
    directory = model_path(config.model)
    reader = shared_reader(directory)
    encoder = reader.encoder
    sample = corpus_sentences(documents, config.mean_sample, config.seed)
    stage = "ELMo: measuring the corpus"
    on_progress(0, len(sample), stage)
    layers = reader.encode_layers([t for t, _ in sample], [tok for _, tok in sample],
                           on_progress=lambda done, total: on_progress(done, total, stage))
    # Content words only: the pooled vectors are means of content words.
    stacked = [l[:, content_mask(tokens)] for (_, tokens), l in zip(sample, layers)]
    stacked = [l for l in stacked if l.shape[1]]
    means = (np.concatenate(stacked, axis=1).mean(axis=1) if stacked
             else np.zeros((encoder.bilm.n_output_layers, encoder.dim), dtype=np.float32))
    frequencies = document_frequencies(d.text for d in documents)
    vocabulary = sorted(word for word in frequencies if is_content_word(word))
    if len(vocabulary) > MAX_TABLE_WORDS:
        vocabulary = sorted(sorted(vocabulary, key=frequencies.get, reverse=True)[:MAX_TABLE_WORDS])
    table = [encoder.char_vectors(vocabulary[start : start + 50_000]).astype(np.float16)
             for start in range(0, len(vocabulary), 50_000)]
    method = ElmoMethod(name, config, directory, means, 1.0, frequencies, len(documents),
                        (vocabulary, np.concatenate(table) if table else np.zeros((0, 0), dtype=np.float16)))
    if method.headed and config.pooling == "idf":
        method.common_direction = common_direction(method, [tokens for _, tokens in sample], layers)
    method.related_threshold = _random_pair_percentile(method, documents, config.seed)
    return method


def common_direction(method: ElmoMethod, token_lists: list[list[Token]], layers: list[np.ndarray]) -> np.ndarray | None:
    """The unit direction ``(head_dim,)`` that the head vectors of a sample
    of the collection's sentences share most: their first right singular
    vector, as SIF removes it (Arora et al., 2017); None from fewer than
    ``MIN_COMMON_SAMPLE`` sentences, whose first direction would be their
    own topic rather than what every text of the collection shares."""
    vectors = [method.headed_vector(layer, method.default_weights, tokens)
               for tokens, layer in zip(token_lists, layers) if len(tokens)]
    if len(vectors) < MIN_COMMON_SAMPLE:
        return None
    return np.linalg.svd(np.stack(vectors), full_matrices=False)[2][0].astype(np.float32)


def _random_pair_percentile(method: ElmoMethod, documents: list[StoredDocument], seed: int,
                            percentile: float = 99.0) -> float:
    """The cosine that only 1% of random pairs of corpus words reach."""
    vocabulary = sorted({t.norm for d in documents[:2000] for t in tokenize(d.text)})
    if len(vocabulary) < 2:
        return 1.0
    rng = np.random.default_rng(seed)
    picked = [vocabulary[i] for i in rng.integers(0, len(vocabulary), 2000)]
    vectors = method.word_vectors(picked)
    return pair_percentile(vectors[:1000], vectors[1000:], percentile)
