"""Teach our biLM from a pretrained sentence encoder while it keeps learning
language (``python -m indexing.elmo distill``).

The student is the shipped architecture unchanged (char CNN, highway,
projection, two independent LSTM stacks per direction; ``BiLm``) plus what
training adds: the language model's softmax, a learned scalar mix of the
three layers, and two linear heads from the mixed vectors into the
teacher's space. Objectives, summed with weights (``DistillConfig``):

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
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from indexing.atomic import atomic_path
from indexing.elmo.bilm import BiLm
from indexing.elmo.checkpoint import load_checkpoint, save_checkpoint
from indexing.elmo.config import ElmoConfig
from indexing.elmo.distill_data import PairBatch, SentencePairs, corpus_paragraphs
from indexing.elmo.language_model import default_cutoffs
from indexing.elmo.persistence import save_bilm
from indexing.elmo.teacher import Teacher
from indexing.elmo.vocab import Vocabulary

logger = logging.getLogger(__name__)

OBJECTIVES = ("lm", "sentence", "token", "contrastive")
METRICS_FILE = "metrics.json"
MODEL_DIR = "model"
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class DistillConfig:
    objectives: tuple[str, ...] = ("lm", "sentence", "token")
    weights: dict[str, float] = field(default_factory=lambda: {"lm": 0.2, "sentence": 1.0, "relation": 1.0,
                                                                "token": 1.0, "contrastive": 1.0})
    pairs_per_batch: int = 128  # two sentences each
    max_words: int = 48  # longer sentences are cut
    learning_rate: float = 2e-3
    warmup_steps: int = 200
    final_lr_fraction: float = 0.05  # linear decay over minutes (or max_steps) to this share
    grad_clip: float = 1.0
    temperature: float = 0.05  # of the relation and contrastive softmaxes
    epochs: int = 100  # an upper bound: minutes or max_steps usually stop first
    minutes: float | None = None
    max_steps: int | None = None
    checkpoint_minutes: float = 5.0
    log_every: int = 100
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "objectives", tuple(self.objectives))
        unknown = set(self.objectives) - set(OBJECTIVES)
        if unknown or not self.objectives:
            raise ValueError(f"objectives must be some of {OBJECTIVES}, got {self.objectives}")


class Student(nn.Module):
    """``BiLm`` plus the training-time softmax (without ``softmax``: none,
    as tuning without the language model needs), mix and heads."""

    def __init__(self, config: ElmoConfig, teacher_dim: int, softmax: bool = True) -> None:
        super().__init__()
        self.bilm = BiLm(config)
        width = config.output_dim
        self.mix_weights = nn.Parameter(torch.zeros(config.n_layers + 1))
        self.sentence_head = nn.Linear(width, teacher_dim)
        self.token_head = nn.Linear(width, teacher_dim)
        self.softmax = (nn.AdaptiveLogSoftmaxWithLoss(config.projection_dim, config.vocab_size,
                                                      cutoffs=default_cutoffs(config.vocab_size), div_value=4.0)
                        if softmax else None)

    def forward(self, batch: PairBatch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Top layer ``(n, t, 2p)``, mixed words ``(n, t - 2, 2p)``, word mask, sentence vectors ``(n, dim)``."""
        bilm = self.bilm
        token_vectors = bilm.char_cnn(batch.type_chars)[batch.rows]  # (n, t, proj)
        layers = bilm.layers_from_token_vectors(token_vectors, batch.mask)  # (layers, n, t, 2p)
        mixed = (torch.softmax(self.mix_weights, 0).view(-1, 1, 1, 1) * layers).sum(0)[:, 1:-1]
        word_mask = batch.mask[:, 2:]  # word p (position p + 1) is real iff position p + 2 is
        keep = word_mask.unsqueeze(-1).to(mixed.dtype)
        pooled = (mixed * keep).sum(1) / keep.sum(1).clamp_min(1)
        return layers[-1], mixed, word_mask, self.sentence_head(pooled)


def losses(student: Student, batch: PairBatch, teacher: Teacher | None, config: DistillConfig) -> dict[str, torch.Tensor]:
    top, mixed, word_mask, sentences = student(batch)
    out: dict[str, torch.Tensor] = {}
    objectives = set(config.objectives)
    if "lm" in objectives:
        out.update(lm_losses(student, top, batch))
    if objectives & {"sentence", "token"}:
        if teacher is None:
            raise ValueError("the sentence and token objectives need a teacher")
        teacher_sentences, teacher_words = teacher.encode(batch.words, mixed.shape[1])
        teacher_sentences = teacher_sentences.to(sentences.device)
        if "sentence" in objectives:
            student_unit = F.normalize(sentences.float(), dim=-1)
            out["sentence"] = (1 - (student_unit * teacher_sentences).sum(-1)).mean()
            target = torch.softmax(teacher_sentences @ teacher_sentences.T / config.temperature, -1)
            logits = student_unit @ student_unit.T / config.temperature
            out["relation"] = F.kl_div(torch.log_softmax(logits, -1), target, reduction="batchmean")
        if "token" in objectives:
            predicted = student.token_head(mixed[word_mask]).float()
            wanted = teacher_words.to(sentences.device)[word_mask]
            out["token"] = (1 - F.cosine_similarity(predicted, wanted, dim=-1)).mean()
    if "contrastive" in objectives:
        out["contrastive"] = contrastive_loss(sentences, config.temperature)
    return out


def lm_losses(student: Student, top: torch.Tensor, batch: PairBatch) -> dict[str, torch.Tensor]:
    """The forward and backward language models' losses on the top layer ``top``."""
    proj = student.bilm.config.projection_dim
    dropped = F.dropout(top, student.bilm.config.dropout, student.training)
    out = {}
    for name, states, target in (("lm_forward", dropped[:, :-1, :proj], batch.targets[0]),
                                 ("lm_backward", dropped[:, 1:, proj:], batch.targets[1])):
        keep = target.reshape(-1) >= 0
        out[name] = student.softmax(states.reshape(-1, proj)[keep].float(), target.reshape(-1)[keep]).loss
    return out


def contrastive_loss(sentences: torch.Tensor, temperature: float) -> torch.Tensor:
    """InfoNCE both ways: row ``i`` of the first half of ``sentences`` and row
    ``i`` of the second half are a pair, every other row a negative."""
    unit = F.normalize(sentences.float(), dim=-1)
    half = unit.shape[0] // 2
    logits = unit[:half] @ unit[half:].T / temperature
    labels = torch.arange(half, device=logits.device)
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2


def total_loss(parts: dict[str, torch.Tensor], config: DistillConfig) -> torch.Tensor:
    weight = {**config.weights, "lm_forward": config.weights["lm"] / 2, "lm_backward": config.weights["lm"] / 2}
    return sum(weight[name] * value for name, value in parts.items())


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
    minus clipping, which the fused LSTM does not do).
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
        start = None
        if init is not None:
            from indexing.elmo.persistence import load_bilm

            start = load_bilm(init)
            config = replace(start.config, vocab_size=config.vocab_size)
        config = replace(config, cell_clip=None, proj_clip=None)
        data = SentencePairs(corpus_paragraphs(corpus, distill.max_words), None, config.vocab_size, config.max_chars)
        config = replace(config, vocab_size=len(data.vocab))
        run = _Run(config, distill, data.vocab, teacher_dim, device)
        if start is not None:
            run.student.bilm.load_state_dict(start.state_dict())
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
