"""What distillation (`distill.py`) and tuning (`tune.py`) train the biLM
towards: the student (the shipped biLM plus the training-time softmax, mix
and heads), its losses, and the settings that pick and weigh them
(`DistillConfig`; the objectives are described in `distill.py`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from indexing.elmo.bilm import BiLm
from indexing.elmo.config import ElmoConfig
from indexing.elmo.distill_data import PairBatch
from indexing.elmo.language_model import default_cutoffs
from indexing.elmo.persistence import load_bilm, load_heads, read_model_meta
from indexing.elmo.teacher import Teacher

OBJECTIVES = ("lm", "sentence", "token", "contrastive")


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

    def start_from(self, source: str | Path) -> bool:
        """Take the biLM saved in ``source`` and, when it is a distilled one
        whose sentence head maps into this student's space, its scalar mix
        and sentence head too (the softmax and the token head are never
        saved: they start afresh). Whether the head was taken."""
        self.bilm.load_state_dict(load_bilm(source).state_dict())
        head = load_heads(source).get("sentence_head")
        if head is None or tuple(head["weight"].shape) != tuple(self.sentence_head.weight.shape):
            return False
        with torch.no_grad():
            self.mix_weights.copy_(torch.tensor(read_model_meta(source)["extra"]["scalar_mix"]["scalar_parameters"]))
        self.sentence_head.load_state_dict(head)
        return True

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


def losses(student: Student, batch: PairBatch, teacher: Teacher | None,
           config: DistillConfig) -> dict[str, torch.Tensor]:
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
