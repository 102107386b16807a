"""The collection's own word senses, and document vectors built on them.

The Senses column no longer ranks by these vectors: BM25 weighed by the
general inventory's senses ranked better everywhere (search/sense_rank.py,
bench/results/decisions.md "Sense-aware ranking"). The senses themselves
serve the explanations of words WordNet lacks and the word-senses view.

A document (and a query) is encoded as two unit blocks, weighted:
- lexical: tf-idf over sense-tagged terms, hashed into ``hash_dim`` signed
  buckets. A word of the sense inventory becomes ``word#sense`` by the sense
  of that occurrence in its context, so "bank#0" (river) and "bank#1" (money)
  are different terms; other words stay plain words.
- contextual: the mean of the document's content-word vectors in the sense
  space (the mix of biLM layers the inventory was clustered in), centred.
The inner product is ``lexical_weight * cos_lex + (1 - lexical_weight) * cos_ctx``.

An occurrence's sense is read from two views of its context, concatenated
with equal weight: our biLM's vector of the word (the mean of its two LSTM
layers) and a topical context bag (``context.py``: what the neighbouring
words are about). Each alone, and the mix, are measured on CoarseWSD-20 by
``python -m bench senses``.

Training (``train.py``) learns word2vec context vectors over the corpus,
encodes a sample of it, builds the ``SenseInventory`` from the sample and
counts document frequencies; uploads are tagged with the existing senses; a
retrain rebuilds the inventory.
"""
from __future__ import annotations

import functools
import json
import math
import shutil
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from indexing.contextual import content_mask, document_sentences, shared_reader, weights_digest
from indexing.contract import LearnsNoDocuments
from indexing.documents import Sentence, StoredDocument, Token
from indexing.errors import InvalidQueryError
from indexing.linalg import pair_percentile, unit_rows
from indexing.senses.cluster import MIN_SILHOUETTE
from indexing.senses.context import ContextBags, ContextConfig, sense_features
from indexing.senses.inventory import SenseInventory
from indexing.text import idf_table


@dataclass(frozen=True)
class SensesConfig:
    model: str = "shipped"  # the biLM, as in ElmoMethodConfig
    sense_layers: tuple[float, ...] = (0.0, 1.0, 1.0)  # biLM layers averaged into the contextual space
    context_weight: float = 0.5  # share of the topical context bag in the features senses are read from
    context: ContextConfig = ContextConfig()
    sample_sentences: int = 5_000  # sentences encoded to build the inventory (~125k tokens)
    max_words: int = 1_000  # the most frequent words (with min_count) get senses; each costs a clustering
    min_count: int = 12  # occurrences a word needs (in the sample) to get senses
    min_documents: int = 3  # ... in at least this many documents
    per_word: int = 200  # occurrences per word clustered
    max_senses: int = 4
    min_silhouette: float = MIN_SILHOUETTE
    context_window: int = 6  # neighbouring words each side that label a sense
    hash_dim: int = 2048
    lexical_weight: float = 0.8  # tf-idf cosines run lower than contextual ones
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "sense_layers", tuple(float(w) for w in self.sense_layers))
        if isinstance(self.context, dict):
            object.__setattr__(self, "context", ContextConfig(**self.context))


@dataclass(frozen=True)
class TaggedToken:
    token: Token
    sense: int | None  # None: the word has no entry in the inventory
    vector: np.ndarray  # (d,) the biLM's contextual vector (mean of the chosen layers)
    feature: np.ndarray  # (d + context dim,) what the sense was read from


class SensesMethod(LearnsNoDocuments):
    unit = "document"
    label = "Senses"
    # Always exhaustive: these vectors are mostly signed hashed tf-idf, which
    # k-means lists do not partition, so IVF missed much of the exact top 10
    # (`python -m bench speed`). Half precision reads half the bytes and found
    # the same top 10 as float32 on the 100k growth build's real vectors
    # (bench/results/decisions.md).
    index_kind = "flat16"
    layers: tuple[str, ...] = ()  # its mix of biLM layers is fixed: the inventory was clustered in it

    def __init__(self, name: str, config: SensesConfig, model_dir: Path, context: ContextBags,
                 inventory: SenseInventory,
                 space_mean: np.ndarray, document_frequency: dict[str, int], n_documents: int) -> None:
        self.name, self.config, self.model_dir = name, config, model_dir
        self.reader = shared_reader(model_dir)
        self.context = context
        self.inventory = inventory
        self.space_mean = space_mean.astype(np.float32)  # (d,) corpus mean of the sense space
        self.document_frequency = document_frequency
        self.n_documents = n_documents
        self._idf, self._unseen_idf = idf_table(document_frequency, n_documents)
        self._layer_weights = np.asarray(config.sense_layers, dtype=np.float32) / sum(config.sense_layers)
        self.dim = config.hash_dim + len(space_mean)

    # -- tagging ------------------------------------------------------------
    def sense_vectors(self, layers: np.ndarray) -> np.ndarray:
        """The sense space ``(n, d)`` of a sentence's biLM layers ``(3, n, d)``."""
        return np.tensordot(self._layer_weights, layers, axes=1)

    def tag(self, texts: Sequence[str], token_lists: Sequence[list[Token]],
            layers: Sequence[np.ndarray] | None = None) -> list[list[TaggedToken]]:
        """Each content token of each sentence with its sense in context;
        ``layers`` are the sentences' biLM layers when already read."""
        if layers is None:
            layers = self.reader.encode_layers(texts, token_lists)
        tagged = []
        for tokens, sentence_layers in zip(token_lists, layers):
            keep = np.flatnonzero(content_mask(tokens)).tolist()
            tagged.append(self.read(tokens, keep, self.sense_vectors(sentence_layers)[keep]))
        return tagged

    def read(self, tokens: Sequence[Token], positions: Sequence[int], vectors: np.ndarray) -> list[TaggedToken]:
        """The tokens at ``positions`` of a sentence with their senses, read
        from their vectors in the sense space ``(len(positions), d)`` and
        from the context bag of the whole sentence."""
        bags = self.context.bags([t.norm for t in tokens], positions, self._idf, self._unseen_idf)
        features = sense_features(vectors, bags, self.space_mean, self.config.context_weight)
        return [TaggedToken(tokens[i], self._sense(tokens[i].norm, feature), vector, feature)
                for i, vector, feature in zip(positions, vectors, features)]

    def split_gain(self, word: str) -> float:
        """How clearly the collection splits `word` into senses (0.0: one or none)."""
        return self.inventory.split_gain(word)

    def topical_similarity(self, words_a: Sequence[str], words_b: Sequence[str]) -> np.ndarray:
        """Cosine ``(len(a), len(b))`` of the collection's word2vec vectors; 0
        where either word is unknown."""
        return self.context.word_vectors(words_a) @ self.context.word_vectors(words_b).T

    @functools.cached_property
    def topical_threshold(self) -> float:
        """The word2vec cosine that only 1% of random pairs of known words reach."""
        vocabulary = list(self.context.vectors.index_to_key)
        if len(vocabulary) < 2:
            return 1.0
        rng = np.random.default_rng(self.config.seed)
        vectors = self.context.word_vectors([vocabulary[i] for i in rng.integers(0, len(vocabulary), 2000)])
        a, b = np.random.default_rng(self.config.seed).integers(0, len(vectors), (2, 2000))
        return pair_percentile(vectors[a], vectors[b])

    def _sense(self, word: str, feature: np.ndarray) -> int | None:
        found = self.inventory.assign(word, feature)
        return None if found is None else int(found[0][0])

    def topical_sense(self, tagged: TaggedToken) -> int | None:
        """The sense of an occurrence read from its context bag alone (what
        the words around it are about). A query is a few words: our biLM's
        reading of them mostly tells case and position ("Test" in a cricket
        report, "test" in a query), while the query's other words say which
        sense it means."""
        bag = slice(len(self.space_mean), None)  # features are [biLM part, bag part] (sense_features)
        found = self.inventory.assign_part(tagged.token.norm, tagged.feature, bag)
        return None if found is None else int(found[0])

    def sense_name(self, word: str, sense: int | None) -> str:
        senses = self.inventory.senses(word)
        return senses[sense].name if sense is not None and sense < len(senses) else ""

    def centred(self, vectors: np.ndarray) -> np.ndarray:
        return unit_rows(np.atleast_2d(vectors) - self.space_mean)

    # -- encoding -----------------------------------------------------------
    def _vector(self, tagged: list[TaggedToken]) -> np.ndarray:
        terms = Counter(t.token.norm if t.sense is None or len(self.inventory.senses(t.token.norm)) < 2
                        else f"{t.token.norm}#{t.sense}" for t in tagged)
        lexical = np.zeros(self.config.hash_dim, dtype=np.float32)
        for term, tf in terms.items():
            bucket = zlib.crc32(term.encode("utf-8"))
            lexical[bucket % self.config.hash_dim] += (1 if bucket & 0x80000000 else -1) * \
                (1 + math.log(tf)) * self._idf.get(term.split("#")[0], self._unseen_idf)
        contextual = np.zeros(len(self.space_mean), dtype=np.float32)
        if tagged:
            contextual = self.centred(np.mean([t.vector for t in tagged], axis=0))[0]
        lexical = unit_rows(lexical[None])[0]
        w = self.config.lexical_weight
        return np.concatenate([math.sqrt(w) * lexical, math.sqrt(1 - w) * contextual]).astype(np.float32)

    def encode_documents(self, documents: list[StoredDocument],
                         sentences: Mapping[int, list[Sentence]]) -> tuple[np.ndarray, np.ndarray]:
        texts, token_lists, owner = document_sentences(documents, sentences)
        per_document: list[list[TaggedToken]] = [[] for _ in documents]
        for row, tagged in zip(owner, self.tag(texts, token_lists)):
            per_document[row].extend(tagged)
        vectors = np.stack([self._vector(t) for t in per_document]) if documents else \
            np.zeros((0, self.dim), dtype=np.float32)
        return np.array([d.id for d in documents], dtype=np.int64), vectors

    def tag_query(self, text: str) -> list[TaggedToken]:
        """The query's content tokens with their senses; a query is read like
        a document, sentence by sentence (``BiLMReader.read_query``)."""
        token_lists, layers = self.reader.read_query(text)
        return [t for sentence in self.tag([text] * len(token_lists), token_lists, layers=layers) for t in sentence]

    def encode_query(self, text: str, layer_weights: Sequence[float] | None = None) -> np.ndarray:
        tagged = self.tag_query(text)
        if not tagged:
            raise InvalidQueryError(f"The query {text.strip()!r} has only function words; add words that "
                                    "say what you are looking for.")
        return self._vector(tagged)

    def word_vectors(self, tokens: list[str]) -> np.ndarray:
        """Context-free vectors (the passage choice's): the collection's
        word2vec vectors, the topical relatedness the explanation shows too.
        The biLM's layer 0 would cost a char-CNN pass per new word of every
        passage and mostly measures spelling."""
        return self.context.word_vectors(tokens)

    @property
    def related_threshold(self) -> float:
        return self.topical_threshold

    # -- persistence --------------------------------------------------------
    def describe(self) -> dict:
        return {"kind": "senses", "label": self.label, "unit": self.unit, "dim": self.dim,
                "config": asdict(self.config), "weights": weights_digest(self.model_dir),
                "words": len(self.inventory), "ambiguous_words": len(self.inventory.ambiguous_words())}

    def save(self, directory: Path) -> None:
        shutil.copytree(self.model_dir, directory / "model")
        self.context.save(directory)
        self.inventory.save(directory)
        np.save(directory / "space_mean.npy", self.space_mean)
        (directory / "method.json").write_text(json.dumps({
            "kind": "senses", "name": self.name, "config": asdict(self.config), "n_documents": self.n_documents,
            "document_frequency": self.document_frequency}))


def load_senses(name: str, directory: Path) -> SensesMethod:
    meta = json.loads((directory / "method.json").read_text())
    config = SensesConfig(**meta["config"])
    return SensesMethod(name, config, directory / "model", ContextBags.load(directory, config.context),
                        SenseInventory.load(directory),
                        np.load(directory / "space_mean.npy"), meta["document_frequency"], meta["n_documents"])
