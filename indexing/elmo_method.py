"""ELMo as a retrieval method, pooled from our biLM's contextual token vectors.

With a distilled biLM (``indexing/elmo/distilled``, the default; it has a
sentence head, see ``distill.py``), one vector per document, in the space of
the teacher it learned from: the head of the mean mixed vector of the
document's content words, each weighed by its idf squared, normalised, less
its part along the collection's common direction (the first singular vector
of the head vectors of a sample of its sentences), normalised again
(``pooling`` "idf"). Over the plain mean of every token (``pooling``
"mean", every index built before it) this raised dev nDCG@10 from 0.159 to
0.191 on CISI and from 0.056 to 0.096 on NFCorpus, and the Lee stories'
Pearson with human ratings from 0.49 to 0.53 (bench/results/decisions.md).
The layer weights are the mix fed to the head: the model's trained mix by
default; others move the query off what the head was trained on, which the
page says.

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

from indexing.contextual import content_mask, document_sentences, sentence_tokens, shared_reader, weights_digest
from indexing.documents import Sentence, StoredDocument, Token
from indexing.errors import InvalidQueryError
from indexing.linalg import unit_rows
from indexing.contract import LearnsNoDocuments
from indexing.text import idf_table

logger = logging.getLogger(__name__)

LAYER_NAMES = ("characters (layer 0)", "LSTM layer 1", "LSTM layer 2")
WORDS_FILE, WORD_TABLE_FILE = "words.json", "word_table.npy"  # the collection's words (`elmo_build.py`)
POOLINGS = ("idf", "mean")  # `ElmoMethodConfig.pooling`
IDF_POWER = 2.0  # a headed "idf" pooling weighs a content word by its idf squared (bench/results/decisions.md)
COMMON_FILE = "common_direction.npy"  # the unit vector a headed "idf" pooling removes (head_dim,)


@dataclass(frozen=True)
class ElmoMethodConfig:
    # "distilled" (indexing/elmo/distilled), "shipped" (the LM-only indexing/elmo/model)
    # or a directory with config.json + weights.pt (+ heads.pt)
    model: str = "distilled"
    layer_weights: tuple[float, ...] | None = None  # default query mix (None: the model's own); sums to 1
    mean_sample: int = 500  # sentences encoded to estimate each layer's corpus mean (and the common direction)
    seed: int = 0
    # How a headed biLM pools a text's tokens before its head: "idf" (content words by idf squared, the
    # collection's common direction removed) or "mean" (every token alike: indexes built before "idf", loaded
    # as they were).
    pooling: str = "idf"

    def __post_init__(self) -> None:
        if self.layer_weights is not None:
            object.__setattr__(self, "layer_weights", tuple(float(w) for w in self.layer_weights))
        if self.pooling not in POOLINGS:
            raise ValueError(f"ELMo's pooling is one of {', '.join(POOLINGS)}, not {self.pooling!r}")


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
                 word_table: tuple[list[str], np.ndarray] | None = None,
                 common_direction: np.ndarray | None = None) -> None:
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
        # (head_dim,) unit: what every head vector of this collection shares ("idf" pooling); None: nothing removed
        self.common_direction = common_direction

    @property
    def layers_help(self) -> str:
        if self.headed:
            return ("This biLM learned from a sentence encoder: its layers are mixed and mapped into that "
                    "encoder's space. The defaults are the mix it was trained with; other weights show what "
                    "each layer carries, and usually rank worse.")
        return ("How much each biLM layer counts in ELMo's score: the character layer knows spelling, the "
                "LSTM layers know context. Set one to 1 and the others to 0 to see that layer alone.")

    def headed_vector(self, layers: np.ndarray, weights: np.ndarray, tokens: Sequence[Token]) -> np.ndarray:
        """The unit head vector ``(dim,)`` of one text's layers ``(3, n, d)``
        and tokens: the head of the ``weights``-mixed mean of its tokens, as
        the config's ``pooling`` weighs them; zero for a text of no tokens."""
        if self.config.pooling == "mean":
            return self.encoder.head_vectors([layers], weights)[0]
        if not len(tokens):
            return np.zeros(self.dim, dtype=np.float32)
        mixed = np.tensordot(weights, layers, axes=1)  # (n, d)
        vector = unit_rows(self.encoder.head(self.token_weights(tokens, IDF_POWER) @ mixed))
        return self.without_common(vector)[0]

    def without_common(self, vectors: np.ndarray) -> np.ndarray:
        """Unit head vectors ``(n, dim)`` less their part along the
        collection's common direction, normalised again (as they are without one)."""
        vectors = np.atleast_2d(vectors).astype(np.float32)
        if self.common_direction is None:
            return vectors
        return unit_rows(vectors - np.outer(vectors @ self.common_direction, self.common_direction))

    def token_weights(self, tokens: Sequence[Token], power: float = 1.0) -> np.ndarray:
        """Weights ``(n,)`` summing to 1 over a text's tokens: its content
        words' idf to ``power``, so that "erosion" weighs more than "said"
        (every word's when it has no content word)."""
        mask = content_mask(tokens)
        if not mask.any():
            mask = np.ones(len(tokens), dtype=bool)
        weights = np.array([self._idf.get(t.norm, self._unseen_idf) ** power if keep else 0.0
                            for t, keep in zip(tokens, mask)], dtype=np.float32)
        return weights / weights.sum()

    def pooled(self, layers: np.ndarray, tokens: Sequence[Token]) -> np.ndarray:
        """Per-layer unit vectors ``(3, d)`` of one sentence's layers ``(3, n, d)``:
        the `token_weights`-weighted mean of its tokens, less each layer's corpus mean."""
        if not len(tokens):
            return np.zeros_like(self.layer_means)
        pooled = np.tensordot(layers, self.token_weights(tokens), axes=([1], [0]))
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
        tokens_of: list[list[Token]] = [[] for _ in documents]
        for row, tokens, layers in zip(owner, token_lists, self.reader.encode_layers(texts, token_lists)):
            per_document[row].append(layers)
            tokens_of[row] += tokens
        vectors = np.zeros((len(documents), self.dim), dtype=np.float32)
        for row, parts in enumerate(per_document):
            if parts:
                vectors[row] = self.headed_vector(np.concatenate(parts, axis=1), self.default_weights, tokens_of[row])
        return np.array([d.id for d in documents], dtype=np.int64), vectors

    def encode_query(self, text: str, layer_weights: Sequence[float] | None = None) -> np.ndarray:
        token_lists, per_sentence = self.reader.read_query(text)  # sentence by sentence, as documents
        tokens = [token for sentence in token_lists for token in sentence]
        if not tokens:
            raise InvalidQueryError(f"The query {text.strip()!r} has no words to search for.")
        layers = np.concatenate(per_sentence, axis=1)  # (3, tokens of every sentence, d)
        weights = self.default_weights if layer_weights is None else normalised_weights(layer_weights, self.n_layers)
        if self.headed:
            return self.headed_vector(layers, weights, tokens)
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
        if self.common_direction is not None:
            np.save(directory / COMMON_FILE, self.common_direction)
        if self.word_table is not None:
            (directory / WORDS_FILE).write_text(json.dumps(self.word_table[0]))
            np.save(directory / WORD_TABLE_FILE, self.word_table[1])
        (directory / "method.json").write_text(json.dumps({
            "kind": "elmo", "name": self.name, "config": asdict(self.config),
            "related_threshold": self.related_threshold, "n_documents": self.n_documents,
            "document_frequency": self.document_frequency}))


def load_elmo(name: str, directory: Path) -> ElmoMethod:
    meta = json.loads((directory / "method.json").read_text())
    config = ElmoMethodConfig(**{"pooling": "mean", **meta["config"]})  # an index built before "idf" pooled the mean
    word_table = None
    if (directory / WORDS_FILE).exists():  # an index built before the table reads every word through the CNN
        word_table = (json.loads((directory / WORDS_FILE).read_text()), np.load(directory / WORD_TABLE_FILE))
    common = np.load(directory / COMMON_FILE) if (directory / COMMON_FILE).exists() else None
    return ElmoMethod(name, config, directory / "model", np.load(directory / "layer_means.npy"),
                      meta["related_threshold"], meta["document_frequency"], meta["n_documents"], word_table, common)
