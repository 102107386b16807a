"""Tune the ELMo column's distilled biLM to one collection: the training half
of ``python -m indexing tune`` and of the app's "Tune ELMo to my documents"
(the index's half, re-encoding and committing, is ``Index.tune_elmo``).

The distilled biLM (``distill.py``) learned its teacher's sentence space on
general text; a user's collection has words and topics it has seen little
of. Tuning goes on training it on the collection's own sentences, with no
teacher and never a query:

- ``contrastive``: each sentence must find the next sentence of its
  document among the batch (InfoNCE, Contriever's recipe, as in
  ``distill.py``): documents' sentences move apart from other documents';
- ``anchor``: each sentence's head vector stays near the one the biLM gave
  it before tuning (cosine). Queries meet documents in the teacher's space,
  which nothing here can teach again; without the anchor the contrastive
  objective alone pulls the vectors out of it;
- ``lm``: the forward and backward language models, with a softmax learned
  from scratch over the collection's words (the distilled biLM ships
  without its softmax).

Which of them run is ``TuneConfig.objectives``; the default was compared on
dev queries (bench/results/decisions.md, "Tuning ELMo to a collection").
A run stops after ``minutes``, ``epochs`` passes over the sentence pairs or
``max_steps``, whichever comes first, and writes a checkpoint every
``checkpoint_minutes`` and whenever it is stopped (Ctrl-C, the app's Stop, anything the progress
callback raises): ``resume`` continues it, from the same biLM only. The
result is a model directory that the ELMo method reads like the distilled
one.
"""
from __future__ import annotations

import copy
import logging
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import torch
from torch.nn import functional as F

from indexing.elmo.checkpoint import load_checkpoint, save_checkpoint
from indexing.elmo.config import ElmoConfig
from indexing.elmo.distill import save_student
from indexing.elmo.objectives import Student, contrastive_loss, lm_losses
from indexing.elmo.distill_data import SentencePairs
from indexing.elmo.lstm_int8 import bfloat16_matmuls
from indexing.elmo.persistence import load_heads, read_model_meta
from indexing.elmo.vocab import Vocabulary
from indexing.errors import SenseSearchError
from indexing.progress import Progress, no_progress

logger = logging.getLogger(__name__)

STAGE = "Tuning ELMo to your documents"
TUNE_OBJECTIVES = ("contrastive", "anchor", "lm")
MODEL_DIR = "model"


@dataclass(frozen=True)
class TuneConfig:
    minutes: float | None = 10.0  # stop after this long (None: after `epochs`)
    epochs: float | None = None  # passes over the collection's sentence pairs (None: until `minutes`)
    # Steps at most, whatever the minutes: about 35 steps raised the ELMo
    # column on both collections' dev queries, 113 (30 minutes) lost CISI's
    # gain (bench/results/decisions.md, "Tuning ELMo to a collection"). A step
    # count, not minutes, so that a faster machine does not train further.
    max_steps: int | None = 40
    objectives: tuple[str, ...] = ("contrastive", "anchor")
    weights: tuple[tuple[str, float], ...] = (("contrastive", 1.0), ("anchor", 1.0), ("lm", 0.2))
    pairs_per_batch: int = 64  # two sentences each; about 14 s a step on one CPU thread in float
    # The biLM's forward and backward passes under bfloat16 autocast where the
    # CPU multiplies bfloat16 natively (`lstm_int8.bfloat16_matmuls`: AVX-512);
    # the losses stay in float. Float elsewhere, and with False.
    bfloat16: bool = True
    max_words: int = 48  # longer sentences are cut
    learning_rate: float = 3e-4
    warmup_steps: int = 20
    final_lr_fraction: float = 0.1  # linear decay over the run to this share
    grad_clip: float = 1.0
    temperature: float = 0.05  # of the contrastive softmax
    vocab_size: int = 20_000  # the language model's softmax, when `lm` runs
    checkpoint_minutes: float = 2.0
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "objectives", tuple(self.objectives))
        object.__setattr__(self, "weights", tuple((str(k), float(v)) for k, v in self.weights))
        unknown = set(self.objectives) - set(TUNE_OBJECTIVES)
        if unknown or not self.objectives:
            raise ValueError(f"objectives must be some of {TUNE_OBJECTIVES}, got {self.objectives}")
        if self.minutes is None and self.epochs is None:
            raise ValueError("give minutes or epochs (or both): a tuning run needs an end")
        if any(v is not None and v <= 0 for v in (self.minutes, self.epochs, self.max_steps)):
            raise ValueError(f"minutes, epochs and max_steps must be positive, not {self.minutes}, {self.epochs}, "
                             f"{self.max_steps}")


class _Run:
    """The student, a frozen copy of where it started (the anchor), the
    optimizer and the position in training."""

    def __init__(self, source: Path, config: TuneConfig, vocab: Vocabulary) -> None:
        torch.manual_seed(config.seed)
        meta = read_model_meta(source)
        heads = load_heads(source)
        if "sentence_head" not in heads:
            raise SenseSearchError(f"The biLM in {source} has no sentence head: only a distilled biLM can be tuned.")
        self.source_config = ElmoConfig(**meta["config"])  # what is saved: the softmax is not
        self.extra = meta["extra"]
        student = Student(replace(self.source_config, vocab_size=len(vocab)), heads["sentence_head"]["weight"].shape[0],
                          softmax="lm" in config.objectives)
        student.start_from(source)
        student.token_head.requires_grad_(False)  # no teacher's words to match
        self.anchor = copy.deepcopy(student).eval().requires_grad_(False)
        self.student, self.config, self.vocab = student, config, vocab
        self.optimizer = torch.optim.Adam([p for p in student.parameters() if p.requires_grad],
                                          lr=config.learning_rate)
        self.epoch = self.step = self.global_step = 0
        self.seconds = 0.0
        self.log: list[dict[str, Any]] = []

    def state(self, source_digest: str) -> dict[str, Any]:
        return {"student": self.student.state_dict(), "optimizer": self.optimizer.state_dict(),
                "epoch": self.epoch, "step": self.step, "global_step": self.global_step, "seconds": self.seconds,
                "tune": asdict(self.config), "source": source_digest, "vocab": list(self.vocab.words),
                "log": self.log}

    def restore(self, state: dict[str, Any]) -> None:
        self.student.load_state_dict(state["student"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.epoch, self.step, self.global_step = state["epoch"], state["step"], state["global_step"]
        self.seconds, self.log = state["seconds"], list(state["log"])


def tune_bilm(source: Path, paragraphs: Iterable[list[list[str]]], work: Path, config: TuneConfig,
              source_digest: str, on_progress: Progress = no_progress, resume: bool = False) -> Path:
    """Tune the distilled biLM in ``source`` on ``paragraphs`` (each
    document's sentences as the biLM reads them: words and punctuation,
    original case) and return the tuned model's directory, ``work/model``.
    ``work`` holds the checkpoint; ``resume`` continues the one there, which
    must come from the biLM ``source_digest`` names."""
    work.mkdir(parents=True, exist_ok=True)
    try:
        state = load_checkpoint(work)
    except Exception as error:  # noqa: BLE001 - a torn or foreign file means the same to the user
        raise SenseSearchError(f"The stopped tuning run in {work} cannot be read ({error}); start over.") from error
    if state is not None and not resume:
        raise SenseSearchError(f"{work} holds a tuning run that was stopped; resume it or start a new one.")
    if state is not None and state.get("source") != source_digest:
        raise SenseSearchError("The stopped tuning run started from another biLM; start a new one.")
    if state is not None:
        config = replace(TuneConfig(**state["tune"]), minutes=config.minutes, epochs=config.epochs,
                         max_steps=config.max_steps)
    clipped = ([sentence[: config.max_words] for sentence in paragraph] for paragraph in paragraphs)
    vocab = Vocabulary(tuple(state["vocab"])) if state is not None else None  # the softmax's words, if it has one
    data = SentencePairs(clipped, vocab, config.vocab_size, read_model_meta(source)["config"]["max_chars"])
    run = _Run(source, config, data.vocab)
    if state is not None:
        run.restore(state)
        logger.info("resuming the tuning run at step %d", run.global_step)
    logger.info("tuning on %d sentences, %d pairs, %d tokens", len(data.sentences), len(data.pairs), data.n_tokens)
    try:
        _train(run, data, work, source_digest, on_progress)
    finally:  # stopped or done: keep where it got to
        save_checkpoint(run.state(source_digest), work)
    return _export(run, work / MODEL_DIR)


def _budget(run: _Run, data: SentencePairs, pairs: int) -> tuple[int | None, float | None]:
    """The steps the run's epochs allow (None: no such limit) and its seconds."""
    c = run.config
    steps = max(1, data.steps_per_epoch(pairs))
    limits = [max(1, round(c.epochs * steps))] if c.epochs is not None else []
    limits += [c.max_steps] if c.max_steps is not None else []
    return min(limits, default=None), (60 * c.minutes if c.minutes is not None else None)


def _progress(run: _Run, elapsed: float, max_steps: int | None, seconds: float | None) -> tuple[float, int, int]:
    """The share of the run done, and what the progress bar counts: seconds
    of a run with minutes, else steps."""
    shares = [s for s in ((run.global_step / max_steps) if max_steps else None,
                          (elapsed / seconds) if seconds else None) if s is not None]
    share = min(1.0, max(shares))
    if seconds:
        return share, min(round(elapsed), round(seconds)), round(seconds)
    return share, run.global_step, max_steps or 0


def _train(run: _Run, data: SentencePairs, work: Path, source_digest: str, on_progress: Progress) -> None:
    c = run.config
    pairs = min(c.pairs_per_batch, len(data.pairs))
    if pairs < 2:
        raise SenseSearchError("The collection has too few sentences to tune on: add documents first.")
    max_steps, seconds = _budget(run, data, pairs)
    weights = dict(c.weights)
    run.student.train()
    started = time.monotonic() - run.seconds
    last_save = time.monotonic()
    on_progress(*_progress(run, run.seconds, max_steps, seconds)[1:], STAGE)
    while True:
        for step, batch in data.epoch(pairs, c.seed, run.epoch, run.step):
            elapsed = time.monotonic() - started
            share, done, total = _progress(run, elapsed, max_steps, seconds)
            on_progress(done, total, STAGE)
            if share >= 1.0:
                run.seconds = elapsed
                return
            warm = min(1.0, (run.global_step + 1) / c.warmup_steps)
            for group in run.optimizer.param_groups:
                group["lr"] = c.learning_rate * warm * (1 - (1 - c.final_lr_fraction) * share)
            parts = _losses(run, batch)
            loss = sum(weights[name.split("_")[0]] * value for name, value in parts.items())
            run.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(run.student.parameters(), c.grad_clip)
            run.optimizer.step()
            run.step, run.global_step = step + 1, run.global_step + 1
            run.seconds = time.monotonic() - started
            run.log.append({"step": run.global_step, "seconds": round(run.seconds, 1),
                            **{k: round(float(v.detach()), 4) for k, v in parts.items()}})
            if time.monotonic() - last_save > 60 * c.checkpoint_minutes:
                save_checkpoint(run.state(source_digest), work)
                last_save = time.monotonic()
        run.epoch, run.step = run.epoch + 1, 0


def in_bfloat16(config: TuneConfig) -> bool:
    """Whether a run of ``config`` trains under bfloat16 autocast here (`TuneConfig.bfloat16`)."""
    return config.bfloat16 and bfloat16_matmuls()


def _losses(run: _Run, batch) -> dict[str, torch.Tensor]:
    objectives = run.config.objectives
    out: dict[str, torch.Tensor] = {}
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=in_bfloat16(run.config)):
        top, _mixed, _words, sentences = run.student(batch)
        if "lm" in objectives:
            out.update(lm_losses(run.student, top, batch))
        if "anchor" in objectives:
            with torch.no_grad():
                before = run.anchor(batch)[3]
    if "contrastive" in objectives:
        out["contrastive"] = contrastive_loss(sentences, run.config.temperature)
    if "anchor" in objectives:
        out["anchor"] = (1 - F.cosine_similarity(sentences.float(), before.float(), dim=-1)).mean()
    return out


def _export(run: _Run, directory: Path) -> Path:
    """The tuned biLM, its mix and its sentence head, as ``distill.export`` writes a distilled one."""
    tuned = {"config": asdict(run.config), "steps": run.global_step, "seconds": round(run.seconds, 1),
             "last_log": run.log[-1] if run.log else None}
    return save_student(run.student, run.source_config, directory, {**run.extra, "tuned": tuned})
