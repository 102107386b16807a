"""ELMo as a retrieval method, pooled from our biLM's contextual token vectors.

With a distilled biLM (``indexing/elmo/distilled``, the default; it has a
sentence head, see ``distill.py``), one vector per document: the head of the
mean mixed vector of all the document's tokens, normalised, in the space of
the teacher it learned from. The layer weights are the mix fed to the head:
the model's trained mix by default; others move the query off what the head
was trained on, which the page says.

With a plain biLM (the LM-only ``indexing/elmo/model``, and every index built
before the distilled model), one vector per sentence, as described below; a
document scores by its best sentences (the engine keeps each document's best
sentence).

A sentence vector is three blocks, one per biLM layer (0: char CNN, 1 and 2:
the LSTM layers): the mean of the sentence's content-word vectors in that
layer, minus the corpus mean of the layer (every ELMo vector shares a large
common component that would make all sentences look alike), normalised and
scaled by 1/sqrt(3). A query is encoded the same way with each block weighted
by its layer weight times sqrt(3), so its inner product with a sentence is
``sum_l w_l * cos_l``: the scalar mix of per-layer similarities. The weights
are normalised to sum to 1 (the softmax output of a scalar mix) and can change
per query without re-indexing, which is how the app shows what each layer
contributes.
"""
from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from indexing.contextual import (content_mask, document_sentences, model_path, sentence_tokens, shared_reader,
                                 weights_digest)
from indexing.documents import Sentence, StoredDocument, Token
from indexing.errors import InvalidQueryError
from indexing.linalg import pair_percentile, unit_rows
from indexing.contract import LearnsNoDocuments
from indexing.progress import Progress, no_progress
from indexing.text import document_frequencies, idf_table, is_content_word, split_sentences, tokenize

logger = logging.getLogger(__name__)

LAYER_NAMES = ("characters (layer 0)", "LSTM layer 1", "LSTM layer 2")
# The char CNN's vectors of the collection's content words, read at indexing
# (float16): the passage of a hit is chosen by comparing the query's words
# with every word of the document, and reading a long article's 3,000 new
# words through the CNN at query time took 0.4-1.1 s (bench/results/decisions.md).
WORDS_FILE, WORD_TABLE_FILE = "words.json", "word_table.npy"
MAX_TABLE_WORDS = 200_000  # the commonest, by document frequency (51 MB); rarer ones are read through the CNN


@dataclass(frozen=True)
class ElmoMethodConfig:
    # "distilled" (indexing/elmo/distilled), "shipped" (the LM-only indexing/elmo/model)
    # or a directory with config.json + weights.pt (+ heads.pt)
    model: str = "distilled"
    layer_weights: tuple[float, ...] | None = None  # default query mix (None: the model's own); sums to 1
    mean_sample: int = 500  # sentences encoded to estimate each layer's corpus mean
    seed: int = 0

    def __post_init__(self) -> None:
        if self.layer_weights is not None:
            object.__setattr__(self, "layer_weights", tuple(float(w) for w in self.layer_weights))


def normalised_weights(weights: Sequence[float], n_layers: int) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float32)
    if w.shape != (n_layers,) or not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
        raise InvalidQueryError(f"Give {n_layers} non-negative layer weights, not all zero; got {list(weights)}.")
    return w / w.sum()


class ElmoMethod(LearnsNoDocuments):
    label = "ELMo"
    layers = LAYER_NAMES
    index_kind: str | None = None  # FAISS's kind follows the number of sentences

    def __init__(self, name: str, config: ElmoMethodConfig, model_dir: Path, layer_means: np.ndarray,
                 related_threshold: float, document_frequency: dict[str, int], n_documents: int,
                 word_table: tuple[list[str], np.ndarray] | None = None) -> None:
        self.name = name
        self.config = config
        self.model_dir = model_dir
        self.reader = shared_reader(model_dir)
        self.encoder = self.reader.encoder
        self.layer_means = layer_means.astype(np.float32)  # (3, d)
        self.n_layers, width = self.layer_means.shape
        self.headed = self.encoder.sentence_head is not None
        self.unit = "document" if self.headed else "sentence"
        self.dim = self.encoder.head_dim if self.headed else self.n_layers * width
        self.related_threshold = related_threshold
        self.document_frequency = document_frequency
        self.n_documents = n_documents
        self._idf, self._unseen_idf = idf_table(document_frequency, n_documents)
        own = (self.encoder.scalar_mix.layer_weights().detach().numpy() if self.headed
               else np.ones(self.n_layers, dtype=np.float32))
        self.default_weights = normalised_weights(own if config.layer_weights is None else config.layer_weights,
                                                  self.n_layers)
        # (words, their char-CNN vectors (n, proj) float16); None in an index built before it (WORDS_FILE)
        self.word_table = word_table
        self._word_rows = {word: row for row, word in enumerate(word_table[0])} if word_table else {}

    @property
    def layers_help(self) -> str:
        if self.headed:
            return ("This biLM learned from a sentence encoder: its layers are mixed and mapped into that "
                    "encoder's space. The defaults are the mix it was trained with; other weights show what "
                    "each layer carries, and usually rank worse.")
        return ("How much each biLM layer counts in ELMo's score: the character layer knows spelling, the "
                "LSTM layers know context. Set one to 1 and the others to 0 to see that layer alone.")

    def headed_vector(self, layers: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """The unit head vector ``(dim,)`` of one text's layers ``(3, n, d)``:
        the head of the ``weights``-mixed mean over all its tokens."""
        return self.encoder.head_vectors([layers], weights)[0]

    def pooled(self, layers: np.ndarray, tokens: Sequence[Token]) -> np.ndarray:
        """Per-layer unit vectors ``(3, d)`` of one sentence's layers ``(3, n, d)``:
        the idf-weighted mean of its content words (all words if it has none),
        so that "erosion" weighs more than "said"."""
        mask = content_mask(tokens)
        if not mask.any():
            mask = np.ones(len(tokens), dtype=bool)
        if not mask.any():
            return np.zeros_like(self.layer_means)
        weights = np.array([self._idf.get(t.norm, self._unseen_idf) for t, keep in zip(tokens, mask) if keep], dtype=np.float32)
        pooled = np.tensordot(layers[:, mask], weights / weights.sum(), axes=([1], [0]))
        return unit_rows(pooled - self.layer_means)

    def encode_documents(self, documents: list[StoredDocument],
                         sentences: Mapping[int, list[Sentence]]) -> tuple[np.ndarray, np.ndarray]:
        if self.headed:
            return self._encode_whole_documents(documents, sentences)
        ids, texts, token_lists = [], [], []
        for document in documents:
            for sentence in sentences.get(document.id, []):
                ids.append(sentence.id)
                texts.append(document.text)
                token_lists.append(sentence_tokens(document.text, sentence))
        vectors = np.zeros((len(ids), self.dim), dtype=np.float32)
        for row, (tokens, layers) in enumerate(zip(token_lists, self.reader.encode_layers(texts, token_lists))):
            vectors[row] = self.pooled(layers, tokens).reshape(-1) / np.sqrt(self.n_layers)
        return np.array(ids, dtype=np.int64), vectors

    def _encode_whole_documents(self, documents: list[StoredDocument],
                                sentences: Mapping[int, list[Sentence]]) -> tuple[np.ndarray, np.ndarray]:
        texts, token_lists, owner = document_sentences(documents, sentences)
        per_document: list[list[np.ndarray]] = [[] for _ in documents]
        for row, layers in zip(owner, self.reader.encode_layers(texts, token_lists)):
            per_document[row].append(layers)
        vectors = np.zeros((len(documents), self.dim), dtype=np.float32)
        for row, parts in enumerate(per_document):
            if parts:
                vectors[row] = self.headed_vector(np.concatenate(parts, axis=1), self.default_weights)
        return np.array([d.id for d in documents], dtype=np.int64), vectors

    def encode_query(self, text: str, layer_weights: Sequence[float] | None = None) -> np.ndarray:
        token_lists, per_sentence = self.reader.read_query(text)  # sentence by sentence, as documents
        tokens = [token for sentence in token_lists for token in sentence]
        if not tokens:
            raise InvalidQueryError(f"The query {text.strip()!r} has no words to search for.")
        layers = np.concatenate(per_sentence, axis=1)  # (3, tokens of every sentence, d)
        weights = self.default_weights if layer_weights is None else normalised_weights(layer_weights, self.n_layers)
        if self.headed:
            return self.headed_vector(layers, weights)
        blocks = self.pooled(layers, tokens) * weights[:, None] * np.sqrt(self.n_layers)
        return blocks.reshape(-1).astype(np.float32)

    def word_vectors(self, tokens: list[str]) -> np.ndarray:
        """Context-free vectors: the char CNN's (layer 0), centred, unit. A
        word of the collection is looked up in the table read at indexing,
        any other read through the CNN."""
        rows = [self._word_rows.get(token) for token in tokens]
        unknown = [i for i, row in enumerate(rows) if row is None]
        if len(unknown) == len(tokens):
            single = self.encoder.char_vectors(tokens)
        else:
            single = self.word_table[1][[row if row is not None else 0 for row in rows]].astype(np.float32)
            if unknown:
                single[unknown] = self.encoder.char_vectors([tokens[i] for i in unknown])
        return unit_rows(np.concatenate([single, single], axis=1) - self.layer_means[0])

    def describe(self) -> dict:
        described = {"kind": "elmo", "label": self.label, "unit": self.unit, "dim": self.dim,
                     "config": asdict(self.config), "weights": weights_digest(self.model_dir),
                     "layers": list(self.layers), "sentence_head": self.headed}
        from indexing.elmo.persistence import read_model_meta

        tuned = read_model_meta(self.model_dir)["extra"].get("tuned")
        if tuned:  # tuned to this collection (`python -m indexing tune`)
            described["tuned"] = {"steps": tuned["steps"], "seconds": tuned["seconds"],
                                  "objectives": tuned["config"]["objectives"]}
        return described

    def save(self, directory: Path) -> None:
        shutil.copytree(self.model_dir, directory / "model")
        np.save(directory / "layer_means.npy", self.layer_means)
        if self.word_table is not None:
            (directory / WORDS_FILE).write_text(json.dumps(self.word_table[0]))
            np.save(directory / WORD_TABLE_FILE, self.word_table[1])
        (directory / "method.json").write_text(json.dumps({
            "kind": "elmo", "name": self.name, "config": asdict(self.config),
            "related_threshold": self.related_threshold, "n_documents": self.n_documents,
            "document_frequency": self.document_frequency}))


def corpus_sentences(documents: list[StoredDocument], limit: int, seed: int) -> list[tuple[str, list]]:
    """Up to ``limit`` (text, tokens) sentences drawn evenly at random from ``documents``."""
    spans = [(d.text, span) for d in documents for span in split_sentences(d.text)]
    rng = np.random.default_rng(seed)
    picked = sorted(rng.choice(len(spans), size=min(limit, len(spans)), replace=False).tolist()) if spans else []
    return [(spans[i][0], sentence_tokens(*spans[i])) for i in picked]


def train_elmo(documents: list[StoredDocument], on_progress: Progress = no_progress,
               config: ElmoMethodConfig | None = None, name: str = "elmo") -> ElmoMethod:
    """No training of the biLM here: estimate each layer's corpus mean from a
    sample of sentences, and the word-similarity threshold for highlights."""
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
    method.related_threshold = _random_pair_percentile(method, documents, config.seed)
    return method


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


def load_elmo(name: str, directory: Path) -> ElmoMethod:
    meta = json.loads((directory / "method.json").read_text())
    config = ElmoMethodConfig(**meta["config"])
    word_table = None
    if (directory / WORDS_FILE).exists():  # an index built before the table reads every word through the CNN
        word_table = (json.loads((directory / WORDS_FILE).read_text()), np.load(directory / WORD_TABLE_FILE))
    return ElmoMethod(name, config, directory / "model", np.load(directory / "layer_means.npy"),
                      meta["related_threshold"], meta["document_frequency"], meta["n_documents"], word_table)
