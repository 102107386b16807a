"""Teach our biLM from a pretrained sentence encoder while it keeps learning
language (``python -m indexing.elmo distill``).

The student is the shipped architecture unchanged (char CNN, highway,
projection, two independent LSTM stacks per direction; ``BiLm``) plus what
training adds: the language model's softmax, a learned scalar mix of the
three layers, and two linear heads from the mixed vectors into the
teacher's space. Objectives, summed with weights (``DistillConfig``;
their losses in ``objectives.py``):

- ``lm``: the forward and backward language models, as ``train.py``;
- ``sentence``: the head of a sentence's mean mixed vector matches the
  teacher's sentence vector (cosine), and the batch's sentence-to-sentence
  similarities match the teacher's (KL between row softmaxes at
  ``temperature``: the teacher's ranking, not only its direction);
- ``token``: each word's mixed vector, through the token head, matches the
  teacher's contextual vector of that word (cosine): what should make one
  word differ by sense;
- ``contrastive``: no teacher; each sentence must find its paragraph
  neighbour among the batch (InfoNCE, Contriever's recipe on our pairs).

``objectives`` picks which run. The shipped encoder gets the biLM, the mix
and the sentence head (``heads.pt``, read by ``ElmoEncoder``); the softmax
and the token head stay in the checkpoint. Runs stop after ``minutes`` or
``max_steps`` with a checkpoint, and ``resume`` continues one. On a GPU the
LSTMs run fused (``lstm.fused_lstm``: trained unclipped for that reason)
under bf16 autocast.
"""
from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import torch

from indexing.atomic import atomic_path
from indexing.elmo.bilm import BiLm
from indexing.elmo.checkpoint import load_checkpoint, save_checkpoint
from indexing.elmo.config import ElmoConfig
from indexing.elmo.distill_data import SentencePairs, corpus_paragraphs
from indexing.elmo.objectives import DistillConfig, Student, losses, total_loss
from indexing.elmo.persistence import read_model_meta, save_bilm
from indexing.elmo.teacher import Teacher
from indexing.elmo.vocab import Vocabulary

logger = logging.getLogger(__name__)

METRICS_FILE = "metrics.json"
MODEL_DIR = "model"
ProgressCallback = Callable[[int, int], None]


class _Run:
    def __init__(self, config: ElmoConfig, distill: DistillConfig, vocab: Vocabulary, teacher_dim: int,
                 device: str) -> None:
        torch.manual_seed(distill.seed)
        self.config, self.distill, self.vocab, self.device = config, distill, vocab, device
        self.student = Student(config, teacher_dim).to(device)
        self.optimizer = torch.optim.Adam(self.student.parameters(), lr=distill.learning_rate)
        self.epoch = self.step = self.global_step = 0
        self.seconds = 0.0
        self.log: list[dict[str, Any]] = []

    def state(self) -> dict[str, Any]:
        return {"student": self.student.state_dict(), "optimizer": self.optimizer.state_dict(),
                "epoch": self.epoch, "step": self.step, "global_step": self.global_step, "seconds": self.seconds,
                "config": asdict(self.config), "distill": asdict(self.distill), "vocab": list(self.vocab.words),
                "log": self.log}


def distill_elmo(corpus: Sequence[str | Path], out_dir: str | Path, teacher: Teacher | None,
                 config: ElmoConfig | None = None, distill: DistillConfig | None = None,
                 init: str | Path | None = None, resume: bool = False, device: str = "cpu",
                 on_progress: ProgressCallback | None = None) -> list[dict[str, Any]]:
    """Train (or resume) and return the log; the model is written to ``out_dir/model``.

    ``init`` starts the biLM from a saved model (its config wins over ``config``,
    minus clipping, which the fused LSTM does not do), and from its scalar mix
    and sentence head too when it is a distilled model with a head into the
    teacher's space: a run that goes on from the shipped distilled biLM.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    distill = distill or DistillConfig()
    teacher_dim = teacher.dim if teacher is not None else 256
    state = load_checkpoint(out_dir)
    if state is not None and not resume:
        raise FileExistsError(f"{out_dir} already holds a checkpoint; resume it or choose another output directory")
    if state is not None:
        distill = replace(DistillConfig(**state["distill"]), minutes=distill.minutes, max_steps=distill.max_steps)
        config, vocab = ElmoConfig(**state["config"]), Vocabulary(tuple(state["vocab"]))
        data = SentencePairs(corpus_paragraphs(corpus, distill.max_words), vocab, len(vocab), config.max_chars)
        run = _Run(config, distill, vocab, teacher_dim, device)
        run.student.load_state_dict(state["student"])
        run.optimizer.load_state_dict(state["optimizer"])
        run.epoch, run.step, run.global_step = state["epoch"], state["step"], state["global_step"]
        run.seconds, run.log = state["seconds"], list(state["log"])
        logger.info("resuming at epoch %d step %d", run.epoch + 1, run.step)
    else:
        config = config or ElmoConfig()
        if init is not None:
            config = replace(ElmoConfig(**read_model_meta(init)["config"]), vocab_size=config.vocab_size)
        config = replace(config, cell_clip=None, proj_clip=None)
        data = SentencePairs(corpus_paragraphs(corpus, distill.max_words), None, config.vocab_size, config.max_chars)
        config = replace(config, vocab_size=len(data.vocab))
        run = _Run(config, distill, data.vocab, teacher_dim, device)
        if init is not None:
            headed = run.student.start_from(init)
            logger.info("starting from %s (%s)", init, "its biLM, mix and sentence head" if headed else "its biLM")
    logger.info("corpus: %d sentences, %d pairs, %d tokens, %d types", len(data.sentences), len(data.pairs),
                data.n_tokens, len(data.types))
    _train(run, data, teacher, out_dir, on_progress)
    export(run, out_dir / MODEL_DIR)
    return run.log


def _learning_rate(run: _Run, elapsed: float) -> float:
    d = run.distill
    warm = min(1.0, (run.global_step + 1) / d.warmup_steps)
    if d.minutes:
        progress = min(1.0, elapsed / (60 * d.minutes))
    elif d.max_steps:
        progress = min(1.0, run.global_step / d.max_steps)
    else:
        progress = 0.0
    return d.learning_rate * warm * (1 - (1 - d.final_lr_fraction) * progress)


def _train(run: _Run, data: SentencePairs, teacher: Teacher | None, out_dir: Path,
           on_progress: ProgressCallback | None) -> None:
    d = run.distill
    steps = data.steps_per_epoch(d.pairs_per_batch)
    if steps == 0:
        raise ValueError(f"corpus too small for one batch of {d.pairs_per_batch} pairs")
    # bf16 autocast on a GPU; SENSESEARCH_DISTILL_AMP=0 trains in float32 there.
    cuda = run.device.startswith("cuda") and os.environ.get("SENSESEARCH_DISTILL_AMP", "1") != "0"
    run.student.train()
    started = time.monotonic() - run.seconds
    last_save = last_log = time.monotonic()
    sums: dict[str, float] = {}
    logged = 0
    while run.epoch < d.epochs:
        for step, batch in data.epoch(d.pairs_per_batch, d.seed, run.epoch, run.step):
            elapsed = time.monotonic() - started
            if (d.minutes is not None and elapsed > 60 * d.minutes) or (
                    d.max_steps is not None and run.global_step >= d.max_steps):
                run.seconds = elapsed
                save_checkpoint(run.state(), out_dir)
                return
            for group in run.optimizer.param_groups:
                group["lr"] = _learning_rate(run, elapsed)
            batch = batch.to(run.device)
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=cuda):
                parts = losses(run.student, batch, teacher, d)
                loss = total_loss(parts, d)
            run.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(run.student.parameters(), d.grad_clip)
            run.optimizer.step()
            run.step, run.global_step = step + 1, run.global_step + 1
            for name, value in parts.items():
                sums[name] = sums.get(name, 0.0) + float(value.detach())
            logged += 1
            if on_progress is not None:
                on_progress(run.global_step, d.max_steps or steps * d.epochs)
            if run.global_step % d.log_every == 0:
                now = time.monotonic()
                entry = {"step": run.global_step, "epoch": run.epoch + 1, "seconds": round(now - started, 1),
                         "sentences_per_s": round(logged * 2 * d.pairs_per_batch / (now - last_log), 1),
                         **{k: round(v / logged, 4) for k, v in sums.items()}}
                run.log.append(entry)
                logger.info("%s", json.dumps(entry))
                sums, logged, last_log = {}, 0, now
            if time.monotonic() - last_save > 60 * d.checkpoint_minutes:
                run.seconds = time.monotonic() - started
                save_checkpoint(run.state(), out_dir)
                last_save = time.monotonic()
        run.epoch, run.step = run.epoch + 1, 0
    run.seconds = time.monotonic() - started
    save_checkpoint(run.state(), out_dir)


def export(run: _Run, directory: Path) -> Path:
    """The shipped part: biLM, its trained mix (as ``ElmoEncoder`` reads it) and the sentence head."""
    extra = {"sentence_head": True, "distill": asdict(run.distill),
             "trained_steps": run.global_step, "trained_seconds": round(run.seconds, 1),
             "last_log": run.log[-1] if run.log else None}
    save_student(run.student, run.config, directory, extra)
    with atomic_path(directory.parent / METRICS_FILE) as tmp:
        tmp.write_text(json.dumps({"config": asdict(run.config), "log": run.log}, indent=2), encoding="utf-8")
    return directory


def save_student(student: Student, config: ElmoConfig, directory: Path, extra: dict[str, Any]) -> Path:
    """Save ``student``'s biLM (as ``config`` shapes it), its mix and its
    sentence head as a model directory; ``extra`` goes into config.json."""
    bilm = BiLm(config)
    bilm.load_state_dict({k: v.detach().float().cpu() for k, v in student.bilm.state_dict().items()})
    mix = {"scalar_parameters": student.mix_weights.detach().float().cpu().tolist(), "gamma": 1.0,
           "do_layer_norm": False}
    head = {k: v.detach().float().cpu() for k, v in student.sentence_head.state_dict().items()}
    return save_bilm(bilm, directory, extra={**extra, "scalar_mix": mix}, heads={"sentence_head": head})
