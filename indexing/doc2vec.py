"""Doc2Vec document vectors (Le & Mikolov, 2014, "Distributed Representations
of Sentences and Documents"), with gensim.

DM (distributed memory) and DBOW (distributed bag of words) are two
configurations of one trainer. Consumes stored documents; produces float32
vectors of shape (n, vector_size): the unit trained vectors for documents seen
in training, inferred ones (fixed seed and epochs, so repeatable;
indexing/doc2vec_inference.py) for the rest, scaled by how many words the
model knows of them. The corpus it trains on is indexing/doc2vec_corpus.py's;
the retrieval method around it, indexing/doc2vec_method.py.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from gensim.models.callbacks import CallbackAny2Vec
from gensim.models.doc2vec import Doc2Vec

from indexing.atomic import atomic_path
from indexing.crash import crash_point
from indexing.doc2vec_corpus import CHUNK_WORDS, TaggedCorpus, keep_rare_korean
from indexing.doc2vec_inference import infer_vector
from indexing.doc2vec_snippets import inferred_snippets, nearest_length
from indexing.documents import StoredDocument
from indexing.linalg import unit_rows
from indexing.progress import Progress, no_progress
from indexing.text import is_content_word, words

logger = logging.getLogger(__name__)



@dataclass(frozen=True)
class Doc2VecConfig:
    dm: int = 1  # 1: DM (distributed memory), 0: DBOW (distributed bag of words)
    vector_size: int = 100
    window: int = 8
    min_count: int = 2  # words seen once are noise for a 300-word-median corpus
    sample: float = 1e-4
    negative: int = 5
    hs: int = 0
    epochs: int = 20
    # DBOW alone leaves word vectors untrained; we need them to find the
    # passage that matched, so train them interleaved (skip-gram).
    dbow_words: int = 1
    dm_mean: int = 1  # DM averages context vectors (sum made DM worse on the Lee corpus)
    seed: int = 42
    # Inference fits one vector against the fixed output layer, unregularised:
    # run long, it overfits a text's rarest words, and few epochs act as the
    # regulariser (DBOW on Lee by inference epochs: bench/results/decisions.md).
    infer_epochs: int = 50
    workers: int = 2
    # Subtract the mean trained document vector from every vector (documents
    # and queries): all of them share a common direction that says nothing
    # about topic; it raised DBOW's Lee correlation (bench/results/decisions.md).
    centre: bool = False
    # Infer queries and uploads from their content words (all words if none):
    # function words pull an inferred vector toward every other text.
    content_words_inference: bool = False
    # Centre inferred vectors (queries, uploads) on the mean inferred vector
    # of training-text snippets of their length, not on the trained mean:
    # see `Doc2VecModel.inferred_means`.
    centre_inferred: bool = False
    # An inferred document's unit vector is scaled by n / (n + c), n the
    # content words of it the model knows, c this (0: not scaled). A short
    # upload is placed by two or three known words: its vector is mostly
    # noise, and noise that falls near a query outranks documents the model
    # was trained on. Scaled, it keeps its direction (its own words still
    # find it first among uploads) and ranks by how much it says; a retrain
    # makes it a trained document, unscaled.
    inferred_shrink: float = 0.0
    # Scale each document's vector by 1 - this times its hub radius, its
    # mean cosine with its `hub_neighbours` nearest pseudo-queries (0: not
    # scaled); indexing/hubness.py. Needs `centre_inferred` (the
    # pseudo-queries are its snippets).
    hub_penalty: float = 0.0
    hub_neighbours: int = 10


# DM (chosen on dev data only by `python -m bench dm`: CISI and NFCorpus dev
# queries, the Lee pairs among the first 25 rated stories;
# bench/results/dm_tuning.md). At 40 epochs DM's document vectors had learnt
# little beyond what every document shares (the frequent words all of them
# predict), so every pair of them, and every query with every document,
# scored near 1: twice the epochs let them learn what tells documents
# apart, and centring removes what is still shared. The document vector is
# one of the 2 * window + 1 inputs averaged to predict a word: a window of 2
# gives it a fifth of each prediction (5 gave it an eleventh), and 15
# negative samples and 200 dimensions let it learn more of its document.
# Queries and uploads are inferred from their content words, in 100 epochs.
# Uploads are scaled by their known words with c = 1 (`inferred_shrink`), for
# DM and DBOW alike, chosen on dev uploads and queries by
# `python -m bench pollution --dev`: the largest c that cost no upload its
# place for its own name.
DM_CONFIG = Doc2VecConfig(dm=1, vector_size=200, window=2, negative=15, epochs=80, infer_epochs=100, centre=True,
                          content_words_inference=True, centre_inferred=True, inferred_shrink=1.0)
# DBOW: chosen on Lee, inferred (`python -m bench quality --collection lee`,
# among ~180 settings on those same pairs, which have no dev split): a wider
# window, fewer inference epochs, centring and content-word inference each
# raised the correlation (bench/results/decisions.md); window 15 trains its
# word vectors more slowly than 8. The hub penalty (a scale of 1 - 0.5 x the mean
# cosine with the 10 nearest pseudo-queries) was chosen on the known-item dev
# stories and CISI and NFCorpus dev queries (indexing/hubness.py;
# bench/results/decisions.md).
DBOW_CONFIG = Doc2VecConfig(dm=0, window=15, infer_epochs=15, centre=True, content_words_inference=True,
                            centre_inferred=True, inferred_shrink=1.0, hub_penalty=0.5, hub_neighbours=10)


class _EpochProgress(CallbackAny2Vec):
    def __init__(self, on_progress: Progress, stage: str, epochs: int) -> None:
        self.on_progress, self.stage, self.epochs, self.done = on_progress, stage, epochs, 0

    def on_epoch_end(self, model: Doc2Vec) -> None:
        self.done += 1
        self.on_progress(self.done, self.epochs, self.stage)


OUR_SETTINGS = ("infer_epochs", "centre", "content_words_inference", "centre_inferred",
                "inferred_shrink", "hub_penalty", "hub_neighbours")  # not gensim's


class Doc2VecModel:
    """A trained Doc2Vec model that encodes documents and queries."""

    def __init__(self, model: Doc2Vec, config: Doc2VecConfig, trained_ids: Iterable[int],
                 mean: np.ndarray | None = None, inferred_means: np.ndarray | None = None,
                 pseudo_queries: np.ndarray | None = None) -> None:
        self.model = model
        self.config = config
        # gensim sizes its plain-int tag array by the largest id: ids below it
        # that were never trained still have (random) rows, so keep the set.
        # A deleted document leaves it (`forget`): its row must never stand
        # for another document.
        self.trained_ids = frozenset(int(i) for i in trained_ids)
        self._infer_lock = threading.Lock()  # inference resets the model's shared RNG
        if mean is None:
            trained = sorted(self.trained_ids)
            mean = (unit_rows(model.dv[trained]).mean(axis=0) if config.centre and trained
                    else np.zeros(config.vector_size, dtype=np.float32))
        # Fixed at training: the indexed vectors were centred on it, so a
        # delete must not move it.
        self.mean = np.asarray(mean, dtype=np.float32)  # (vector_size,)
        # An inferred text (a query, an upload) is not a trained vector: short
        # texts inferred against the fixed output layer share a direction that
        # trained ones lack, and centring them on the trained mean left it in.
        # Short uploads then took most of the top-10 slots of unrelated
        # queries. Centred instead on the mean inferred vector of
        # training-text snippets of the same length (`doc2vec_snippets.py`), they
        # take far fewer (`python -m bench pollution`), and dev queries rank
        # better or the same (bench/results/decisions.md). Queries and uploads are centred alike, so an upload's own
        # text still finds it at cosine 1. (len(doc2vec_snippets.SNIPPET_LENGTHS), vector_size),
        # or None: trained before these were, or `centre_inferred` off.
        self.inferred_means = None if inferred_means is None else np.asarray(inferred_means, dtype=np.float32)
        # Those snippets, centred as a query is: where queries fall, for the
        # hub penalty (indexing/hubness.py). (m, vector_size), or None.
        self.pseudo_queries = None if pseudo_queries is None else np.asarray(pseudo_queries, dtype=np.float32)

    def forget(self, doc_ids: Iterable[int]) -> Doc2VecModel:
        """This model without `doc_ids` among its trained documents (they
        were deleted): a new document never inherits their vectors. Shares
        the gensim model and the centring mean."""
        return Doc2VecModel(self.model, self.config, self.trained_ids - {int(i) for i in doc_ids}, self.mean,
                            self.inferred_means, self.pseudo_queries)

    @property
    def dim(self) -> int:
        return self.config.vector_size

    @classmethod
    def train(cls, corpus: TaggedCorpus, config: Doc2VecConfig, on_progress: Progress = no_progress) -> Doc2VecModel:
        name = "DM" if config.dm else "DBOW"
        settings = {k: v for k, v in asdict(config).items() if k not in OUR_SETTINGS}
        # gensim's corpus_file mode (tags = line numbers, no chunking of long
        # documents) trained hardly faster than this iterable on 2 cores
        # (bench/results/decisions.md): not worth it here.
        model = Doc2Vec(**settings)
        model.build_vocab(corpus, trim_rule=keep_rare_korean)
        on_progress(0, config.epochs, f"Training Doc2Vec {name}")
        model.train(
            corpus,
            total_examples=model.corpus_count,
            epochs=config.epochs,
            callbacks=[_EpochProgress(on_progress, f"Training Doc2Vec {name}", config.epochs)],
        )
        trained_ids = {tagged.tags[0] for tagged in corpus}
        logger.info("trained %s on %d documents, %d words in vocabulary", name, len(trained_ids), len(model.wv))
        trained = cls(model, config, trained_ids)
        if config.centre and config.centre_inferred:
            trained.inferred_means, trained.pseudo_queries = inferred_snippets(
                corpus, trained._inference_words, trained._inferred, trained.mean, config.seed, on_progress,
                f"Calibrating Doc2Vec {name}")
        return trained

    def known_words(self, tokens: list[str]) -> list[str]:
        """The tokens that are in the model's vocabulary."""
        return [t for t in tokens if t in self.model.wv.key_to_index]

    def infer(self, tokens: list[str]) -> np.ndarray:
        """A unit vector (vector_size,) for unseen text; the same tokens always
        give the same vector."""
        tokens = self._inference_words(tokens)
        vector = self._inferred(tokens)
        if self.inferred_means is None:
            return self._centred(vector[None, :])[0]
        return unit_rows(unit_rows(vector[None, :]) - self.inferred_means[nearest_length(len(tokens))])[0]

    def _inference_words(self, tokens: list[str]) -> list[str]:
        if self.config.content_words_inference:
            return [t for t in tokens if is_content_word(t)] or tokens
        return tokens

    def _inferred(self, tokens: list[str]) -> np.ndarray:
        """The raw inferred vector (vector_size,) of `tokens`, not unit."""
        with self._infer_lock:
            self.model.random = np.random.RandomState(self.config.seed)
            return infer_vector(self.model, tokens[:CHUNK_WORDS], self.config.infer_epochs)

    def _centred(self, vectors: np.ndarray) -> np.ndarray:
        """Unit rows, minus the mean trained document vector (when centring), unit."""
        return unit_rows(unit_rows(vectors) - self.mean) if self.config.centre else unit_rows(vectors)

    def encode_documents(self, documents: list[StoredDocument]) -> np.ndarray:
        """Vectors (n, vector_size): the unit trained vector where the model
        saw the document in training; else the unit inferred one, scaled by
        `confidence`."""
        out = np.empty((len(documents), self.dim), dtype=np.float32)
        for row, doc in enumerate(documents):
            if doc.id in self.trained_ids:
                out[row] = self._centred(self.model.dv[doc.id][None, :])[0]
            else:  # already unit: normalising twice moves the last bit (numpy 2.4)
                tokens = words(doc.text)
                out[row] = self.infer(tokens) * self.confidence(tokens)
        return out

    def confidence(self, tokens: list[str]) -> float:
        """How far an inferred text's vector can be trusted, in [0, 1]: n / (n
        + c) for its n known content words (`Doc2VecConfig.inferred_shrink`);
        0 when it has none (1 when c is 0)."""
        shrink = self.config.inferred_shrink
        known = len(self.known_words([t for t in tokens if is_content_word(t)]))
        return known / (known + shrink) if shrink else 1.0  # no known word: nothing to place it by

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.model.save(str(directory / "doc2vec.model"))
        (directory / "config.json").write_text(json.dumps(asdict(self.config), indent=2))
        np.save(directory / "mean.npy", self.mean)
        if self.inferred_means is not None:
            np.save(directory / "inferred_means.npy", self.inferred_means)
        if self.pseudo_queries is not None:
            np.save(directory / "pseudo_queries.npy", self.pseudo_queries)
        self.save_trained_ids(directory)

    def save_trained_ids(self, directory: Path) -> None:
        """Replace the saved set of trained ids, atomically (after a delete)."""
        with atomic_path(directory / "trained_ids.npy") as tmp, open(tmp, "wb") as handle:
            np.save(handle, np.array(sorted(self.trained_ids), dtype=np.int64))  # a handle: no ".npy" appended
            crash_point("trained:tmp")

    @classmethod
    def load(cls, directory: Path) -> Doc2VecModel:
        config = Doc2VecConfig(**json.loads((directory / "config.json").read_text()))
        trained_ids = np.load(directory / "trained_ids.npy", allow_pickle=False)
        # Indexes saved before the mean was: it was then the mean over the trained ids.
        mean = np.load(directory / "mean.npy", allow_pickle=False) if (directory / "mean.npy").exists() else None
        # ... and before the inferred means were: inferred texts are centred on the trained mean, as then.
        inferred = directory / "inferred_means.npy"
        inferred_means = np.load(inferred, allow_pickle=False) if inferred.exists() else None
        # ... and before the pseudo-queries were: no hub penalty (`Doc2VecMethod.encode_documents`).
        pseudo = directory / "pseudo_queries.npy"
        pseudo_queries = np.load(pseudo, allow_pickle=False) if pseudo.exists() else None
        return cls(Doc2Vec.load(str(directory / "doc2vec.model")), config, trained_ids.tolist(), mean, inferred_means,
                   pseudo_queries)

