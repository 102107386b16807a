"""The registry of retrieval methods: each turns documents and queries into
vectors for one FAISS index (BM25: into terms for a BM25 index,
indexing/searchable.py). A method is trained over the store, saved into its
own folder of the index directory, and loaded back by name.

Adding a method means writing one class that meets the contract
(indexing/contract.py) and one entry in `METHODS`; nothing else changes.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from indexing.contract import Method
from indexing.doc2vec import DBOW_CONFIG, DM_CONFIG
from indexing.doc2vec_method import doc2vec_trainer, load_doc2vec
from indexing.documents import StoredDocument
from indexing.errors import UnknownMethodError
from indexing.progress import Progress, no_progress


# name -> (trainer, loader). The default build trains every method listed here.
# A trainer is `train(documents, on_progress, config=None)`; None means its default config.
def _train_elmo(documents, on_progress=no_progress, config=None):
    from indexing.elmo_build import train_elmo

    return train_elmo(documents, on_progress, config, "elmo")


def _load_elmo(name: str, directory: Path):
    from indexing.elmo_method import load_elmo

    return load_elmo(name, directory)


def _train_senses(documents, on_progress=no_progress, config=None):
    from indexing.senses.train import train_senses

    return train_senses(documents, on_progress, config, "senses")


def _load_senses(name: str, directory: Path):
    from indexing.senses.method import load_senses

    return load_senses(name, directory)


def _train_bm25(documents, on_progress=no_progress, config=None):
    from indexing.bm25_method import train_bm25

    return train_bm25(documents, on_progress, config, "bm25")


def _load_bm25(name: str, directory: Path):
    from indexing.bm25_method import load_bm25

    return load_bm25(name, directory)


# ELMo and senses import torch lazily: `python -m indexing status` and the
# Doc2Vec-only paths never pay for it.
METHODS = {
    "dm": (doc2vec_trainer("dm", DM_CONFIG), load_doc2vec),
    "dbow": (doc2vec_trainer("dbow", DBOW_CONFIG), load_doc2vec),
    "elmo": (_train_elmo, _load_elmo),
    "senses": (_train_senses, _load_senses),
    "bm25": (_train_bm25, _load_bm25),
}
DEFAULT_METHODS = ("dm", "dbow", "elmo", "senses", "bm25")
LEXICAL = "bm25"  # the keyword index
EXPLAINING_METHOD = "senses"  # the method whose sense inventory explains every method's hits
# Every generation has a BM25 index (the Hybrid ranking needs it): a retrain
# of an index made before it existed adds it.
REQUIRED_METHODS = (LEXICAL,)


def _entry(name: str):
    if name not in METHODS:
        raise UnknownMethodError(f"unknown method {name!r}; valid methods are {', '.join(METHODS)}")
    return METHODS[name]


def train_method(name: str, documents: list[StoredDocument], on_progress: Progress = no_progress,
                 config: object | None = None) -> Method:
    """Train method `name` over `documents`. `config` replaces the method's
    default config (e.g. a `Doc2VecConfig` with `vector_size=8` in tests)."""
    return _entry(name)[0](documents, on_progress, config)


def check_configs(configs: Mapping[str, object] | None) -> dict[str, object]:
    """`configs` (method name -> config) as a dict; raises UnknownMethodError
    for a name that is not a method."""
    configs = dict(configs or {})
    for name in configs:
        _entry(name)
    return configs


def load_method(name: str, directory: Path) -> Method:
    return _entry(name)[1](name, directory)
