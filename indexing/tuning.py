"""Tuning the ELMo column to the collection (``Index.tune_elmo``): what the
biLM reads of the store, where a run and its result live in the data
directory, and the stages its progress bar shows.

The biLM is trained by ``indexing/elmo/tune.py`` in ``<data>/tuning/`` (its
checkpoint: a stopped run resumes there). The tuned model is then kept in
``<data>/models/elmo-<time>/``, where a later retrain finds it (the
ELMo method's config names it), and a new generation is committed whose
ELMo reads it; every other method is carried over unchanged.
"""
from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

from indexing.contextual import document_sentences, surface, weights_digest
from indexing.crash import crash_point
from indexing.documents import StoredDocument
from indexing.elmo.checkpoint import CHECKPOINT_FILE
from indexing.elmo.tune import STAGE, TuneConfig, in_bfloat16, tune_bilm
from indexing.errors import SenseSearchError
from indexing.generation import Generation, new_name
from indexing.pipeline import commit_generation
from indexing.progress import Progress
from indexing.store import DocumentStore

logger = logging.getLogger(__name__)

ELMO = "elmo"
TUNING_DIR = "tuning"
MODELS_DIR = "models"
MODEL_PREFIX = "elmo-"
# A run of minutes on a CPU reads a few thousand sentences: a sample of this
# many documents holds far more, and keeps the pairs of a huge store out of memory.
MAX_DOCUMENTS = 20_000
MIN_HALF = 4  # words; a one-sentence document at least twice as long is split in two
PARAGRAPH_BATCH = 256  # documents whose sentences are read from the store at once
# What a tuning spends besides training, for the progress bar's shares:
# ELMo's corpus means and re-encoding every document took 95 s for CISI's
# 1,460 documents and 150 s for NFCorpus's 3,129 (one CPU thread, 2026-12-06).
ENCODE_SECONDS_PER_DOCUMENT = 0.06
# A training step of 64 pairs on one CPU thread, for runs set in epochs: in
# float (with another run beside it), and under bfloat16 autocast where the
# CPU has it (`TuneConfig.bfloat16`): 2.2 times faster, 8.3 against 3.7 s a
# step alternated on an idle machine (bench/results/decisions.md).
STEP_SECONDS = 14.0
BFLOAT16_STEP_SECONDS = 6.0


def step_seconds(config: TuneConfig) -> float:
    """About how long one of ``config``'s training steps takes here."""
    return BFLOAT16_STEP_SECONDS if in_bfloat16(config) else STEP_SECONDS


def tune_stages(config: TuneConfig, n_documents: int, n_pairs: int | None = None) -> tuple[tuple[str, float], ...]:
    """The stages of a tuning and their shares of its time: training for the
    minutes asked or its steps, whichever ends first, then measuring and
    encoding."""
    steps = [config.max_steps] if config.max_steps is not None else []
    if config.epochs is not None:
        pairs = n_pairs if n_pairs is not None else 4 * n_documents
        steps.append(config.epochs * max(1, pairs // config.pairs_per_batch))
    limits = [step_seconds(config) * min(steps)] if steps else []
    limits += [60 * config.minutes] if config.minutes is not None else []
    training = min(limits)
    encoding = ENCODE_SECONDS_PER_DOCUMENT * n_documents
    return ((STAGE, training), ("ELMo: measuring the corpus", 0.05 * encoding), ("Encoding with", encoding))


def collection_paragraphs(store: DocumentStore, documents: list[StoredDocument],
                          seed: int) -> Iterator[list[list[str]]]:
    """Each document's sentences as the ELMo method reads them (words and
    punctuation in their original spelling), at most ``MAX_DOCUMENTS``
    documents drawn at random; a document of one sentence as its two halves."""
    if len(documents) > MAX_DOCUMENTS:
        rows = np.random.default_rng(seed).choice(len(documents), MAX_DOCUMENTS, replace=False)
        documents = [documents[i] for i in sorted(rows.tolist())]
    for start in range(0, len(documents), PARAGRAPH_BATCH):
        batch = documents[start : start + PARAGRAPH_BATCH]
        texts, token_lists, owner = document_sentences(batch, store.sentences_of([d.id for d in batch]))
        paragraphs: list[list[list[str]]] = [[] for _ in batch]
        for text, tokens, row in zip(texts, token_lists, owner):
            if tokens:
                paragraphs[row].append(surface(text, tokens))
        for paragraph in paragraphs:
            if len(paragraph) == 1 and len(paragraph[0]) >= 2 * MIN_HALF:
                # One sentence would pair with itself, which teaches nothing:
                # its halves are the pair (Contriever crops spans of one text).
                middle = len(paragraph[0]) // 2
                paragraph = [paragraph[0][:middle], paragraph[0][middle:]]
            if paragraph:
                yield paragraph


def keep_tuned(model: Path, directory: Path, name: str) -> Path:
    """Copy the tuned model in ``model`` to ``<directory>/models/elmo-<name>``
    (whole or not at all) and return that path."""
    home = directory / MODELS_DIR / f"{MODEL_PREFIX}{name}"
    staging = home.with_name(home.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(model, staging)
    staging.replace(home)
    return home


def tuned_home(directory: Path, live: Generation | None, config):
    """The ELMo config a retrain of ``directory`` trains with: a tuned biLM is
    read from this data directory's ``models/`` (a copied or moved data
    directory took it along, while the config names where it was tuned);
    where that copy is gone, the live generation's own copy of the biLM is
    kept there again. Any other biLM is left as configured."""
    model = Path(getattr(config, "model", ""))
    if model.parent.name != MODELS_DIR or not model.name.startswith(MODEL_PREFIX):
        return config
    home = directory / MODELS_DIR / model.name
    if not (home / "config.json").is_file() and live is not None and ELMO in live.methods:
        home = keep_tuned(live.method(ELMO).model_dir, directory, model.name[len(MODEL_PREFIX):])
    return replace(config, model=str(home))


def forget_models(directory: Path, keep: Path) -> None:
    """Remove every kept tuned model but ``keep`` (the one the live ELMo's
    config names; a writer killed before its commit leaves another)."""
    models = directory / MODELS_DIR
    for path in models.glob(MODEL_PREFIX + "*") if models.is_dir() else ():
        if path.name != keep.name:  # by name: the config may name it where the data directory was
            logger.info("removing %s, a tuned biLM no generation reads", path)
            shutil.rmtree(path, ignore_errors=True)


def stopped_run(directory: Path) -> bool:
    """Whether a tuning run was stopped here and can be resumed."""
    return (directory / TUNING_DIR / CHECKPOINT_FILE).is_file()


def tune_generation(directory: Path, store: DocumentStore, live: Generation, config: TuneConfig,
                    on_progress: Progress, resume: bool) -> Generation:
    """Tune the live ELMo's biLM on the store's documents and commit a new
    generation that reads it (the caller holds the write lock). Until that
    commit the live generation is untouched; a run stopped on the way keeps
    its checkpoint in ``<directory>/tuning``."""
    elmo = live.method(ELMO)
    if not getattr(elmo, "headed", False):
        raise SenseSearchError("This index's ELMo reads a biLM without a sentence head, which cannot be tuned; "
                               "retrain the index first (it then reads the distilled biLM).")
    documents = list(store)
    if not documents:
        raise SenseSearchError("The store has no documents to tune on; add some first.")
    forget_models(directory, Path(elmo.config.model))
    model = tune_bilm(elmo.model_dir, collection_paragraphs(store, documents, config.seed), directory / TUNING_DIR,
                      config, weights_digest(elmo.model_dir), on_progress, resume)
    crash_point("tune:trained")
    home = keep_tuned(model, directory, new_name())
    configs = {ELMO: replace(elmo.config, model=str(home))}
    generation = commit_generation(directory, (ELMO,), store, documents, on_progress, configs, carried=live)
    crash_point("tune:switched")
    discard_stopped_run(directory)
    forget_models(directory, home)
    return generation


def discard_stopped_run(directory: Path) -> None:
    """Forget a stopped (or just committed) tuning run: the next one starts from the live biLM."""
    shutil.rmtree(directory / TUNING_DIR, ignore_errors=True)
