"""Train our own biLM (Peters et al., 2018) on plain-text files: forward and
backward word-level language models over fixed-length windows, Adam with
gradient clipping and dropout, held-out perplexity per direction after every
epoch.

Consumes corpus files (and optionally a held-out file); produces in ``out_dir``:
``checkpoint.pt`` (latest, for ``resume``), ``metrics.json`` (per-epoch losses and
perplexities) and ``model/`` (the shipped biLM: ``persistence.save_bilm``, no
softmax), refreshed at the end of every epoch.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import torch

from indexing.atomic import atomic_path
from indexing.elmo.batches import WindowBatches
from indexing.elmo.checkpoint import load_checkpoint, save_checkpoint
from indexing.elmo.config import ElmoConfig
from indexing.elmo.corpus import TextCorpus, TokenStream
from indexing.elmo.language_model import BiLmLanguageModel
from indexing.elmo.persistence import save_bilm
from indexing.elmo.vocab import Vocabulary

logger = logging.getLogger(__name__)

METRICS_FILE = "metrics.json"
MODEL_DIR = "model"
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class TrainConfig:
    window: int = 20  # tokens per training sequence (bilm-tf's unroll length)
    batch_size: int = 128  # windows per step
    epochs: int = 1
    learning_rate: float = 1e-3
    grad_clip: float = 1.0  # max global gradient norm
    checkpoint_minutes: float = 10.0
    seed: int = 0
    log_every: int = 200  # steps between loss log lines
    max_steps: int | None = None  # stop early (with a checkpoint) after this many steps in all


class _Run:
    """The mutable state of one training run: model, optimizer, position, metrics."""

    def __init__(self, config: ElmoConfig, train_config: TrainConfig, vocab: Vocabulary) -> None:
        self.config, self.train_config, self.vocab = config, train_config, vocab
        torch.manual_seed(train_config.seed)
        self.model = BiLmLanguageModel(config)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=train_config.learning_rate)
        self.epoch = self.step = self.global_step = 0
        self.metrics: list[dict[str, Any]] = []
        self.epoch_seconds = 0.0  # training time spent in the current epoch
        self.epoch_loss = [0.0, 0.0]  # summed forward and backward loss in the current epoch
        self.corpus_tokens = 0

    def state(self) -> dict[str, Any]:
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "epoch": self.epoch,
            "step": self.step,
            "global_step": self.global_step,
            "torch_rng": torch.get_rng_state(),
            "config": asdict(self.config),
            "train_config": asdict(self.train_config),
            "vocab": list(self.vocab.words),
            "metrics": self.metrics,
            "epoch_seconds": self.epoch_seconds,
            "epoch_loss": self.epoch_loss,
            "corpus_tokens": self.corpus_tokens,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], **train_overrides: Any) -> _Run:
        train_config = replace(TrainConfig(**state["train_config"]), **train_overrides)
        run = cls(ElmoConfig(**state["config"]), train_config, Vocabulary(tuple(state["vocab"])))
        run.model.load_state_dict(state["model"])
        run.optimizer.load_state_dict(state["optimizer"])
        run.epoch, run.step, run.global_step = state["epoch"], state["step"], state["global_step"]
        run.metrics = list(state["metrics"])
        run.epoch_seconds, run.epoch_loss = state["epoch_seconds"], list(state["epoch_loss"])
        run.corpus_tokens = state["corpus_tokens"]
        torch.set_rng_state(state["torch_rng"])
        return run


def train_elmo(
    corpus_paths: Sequence[str | Path],
    out_dir: str | Path,
    config: ElmoConfig | None = None,
    train_config: TrainConfig | None = None,
    heldout_path: str | Path | None = None,
    resume: bool = False,
    on_progress: ProgressCallback | None = None,
) -> list[dict[str, Any]]:
    """Train (or resume training) and return the per-epoch metrics.

    ``on_progress(done, total)`` gets training tokens processed and planned.
    With ``resume``, configs and vocabulary come from the checkpoint; only
    ``train_config.epochs`` and ``max_steps`` of the call apply.
    """
    out_dir = Path(out_dir)
    train_config = train_config or TrainConfig()
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.set_flush_denormal(True)  # denormals from saturated gates slow this CPU 5-10x
    stream = TokenStream.from_sentences(TextCorpus(corpus_paths))
    logger.info("corpus: %d tokens, %d word types", len(stream), len(stream.types))
    run = _start(out_dir, stream, config or ElmoConfig(), train_config, resume)
    if run.corpus_tokens != len(stream):
        logger.warning("corpus has %d tokens, the checkpoint was trained on %d", len(stream), run.corpus_tokens)
    tc = run.train_config
    data = WindowBatches(stream, run.vocab, run.config.max_chars, tc.window, tc.batch_size)
    if data.steps_per_epoch == 0:
        raise ValueError(f"corpus too small for one batch of {tc.batch_size} x {tc.window} tokens")
    heldout = None
    if heldout_path is not None:
        heldout_stream = TokenStream.from_sentences(TextCorpus([heldout_path]))
        heldout = WindowBatches(heldout_stream, run.vocab, run.config.max_chars, tc.window, tc.batch_size)
    while run.epoch < tc.epochs:
        if not _train_epoch(run, data, out_dir, on_progress):
            break  # max_steps reached; the checkpoint is written
        _finish_epoch(run, data, heldout, out_dir)
    return run.metrics


def _start(out_dir: Path, stream: TokenStream, config: ElmoConfig, train_config: TrainConfig, resume: bool) -> _Run:
    state = load_checkpoint(out_dir)
    if state is not None and not resume:
        raise FileExistsError(f"{out_dir} already holds a checkpoint; resume it or choose another output directory")
    if state is not None:
        run = _Run.from_state(state, epochs=train_config.epochs, max_steps=train_config.max_steps)
        logger.info("resuming at epoch %d step %d", run.epoch + 1, run.step)
        return run
    if resume:
        logger.warning("no checkpoint in %s; starting from scratch", out_dir)
    vocab = Vocabulary.build(stream.counts(), config.vocab_size)
    if len(vocab) < config.vocab_size:
        logger.info("only %d word types: softmax vocabulary shrunk from %d", len(vocab), config.vocab_size)
        config = replace(config, vocab_size=len(vocab))
    run = _Run(config, train_config, vocab)
    run.corpus_tokens = len(stream)
    return run


def _train_epoch(run: _Run, data: WindowBatches, out_dir: Path, on_progress: ProgressCallback | None) -> bool:
    """Train to the end of the epoch (True) or until ``max_steps`` (False)."""
    tc = run.train_config
    run.model.train()
    total_tokens = tc.epochs * data.steps_per_epoch * data.tokens_per_step
    last_save = last_log = last_tick = time.monotonic()
    sums, logged_steps = torch.zeros(2), 0
    for step, (type_chars, rows, targets) in data.epoch(tc.seed, run.epoch, run.step):
        if tc.max_steps is not None and run.global_step >= tc.max_steps:
            save_checkpoint(run.state(), out_dir)
            return False
        losses = _step(run, type_chars, rows, targets)
        run.step, run.global_step = step + 1, run.global_step + 1
        sums += losses
        logged_steps += 1
        run.epoch_loss = [a + b for a, b in zip(run.epoch_loss, losses.tolist())]
        now = time.monotonic()
        run.epoch_seconds += now - last_tick
        last_tick = now
        if on_progress is not None:
            on_progress((run.epoch * data.steps_per_epoch + run.step) * data.tokens_per_step, total_tokens)
        if run.step % tc.log_every == 0:
            rate = logged_steps * data.tokens_per_step / (now - last_log)
            logger.info(
                "epoch %d step %d/%d: loss fwd %.3f bwd %.3f, %.0f tokens/s",
                run.epoch + 1, run.step, data.steps_per_epoch, *(sums / logged_steps).tolist(), rate,
            )
            sums, logged_steps, last_log = torch.zeros(2), 0, now
        if time.monotonic() - last_save > 60 * tc.checkpoint_minutes:
            save_checkpoint(run.state(), out_dir)
            last_save = time.monotonic()
    return True


def _step(run: _Run, type_chars: torch.Tensor, rows: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """One optimizer step on the mean of both directions' losses; returns them ``(2,)``."""
    forward_loss, backward_loss = run.model(type_chars, rows, targets)
    run.optimizer.zero_grad(set_to_none=True)
    ((forward_loss + backward_loss) / 2).backward()
    torch.nn.utils.clip_grad_norm_(run.model.parameters(), run.train_config.grad_clip)
    run.optimizer.step()
    return torch.stack([forward_loss.detach(), backward_loss.detach()])


def _finish_epoch(run: _Run, data: WindowBatches, heldout: WindowBatches | None, out_dir: Path) -> None:
    tokens = data.steps_per_epoch * data.tokens_per_step
    entry: dict[str, Any] = {
        "epoch": run.epoch + 1,
        "global_step": run.global_step,
        "train_tokens": tokens,
        "train_seconds": round(run.epoch_seconds, 1),
        "train_tokens_per_s": round(tokens / max(run.epoch_seconds, 1e-9), 1),
        "train_perplexity": {
            d: math.exp(loss / data.steps_per_epoch) for d, loss in zip(("forward", "backward"), run.epoch_loss)
        },
    }
    if heldout is not None:
        entry["heldout_perplexity"] = evaluate_perplexity(run.model, heldout)
        logger.info("epoch %d held-out perplexity: %s", run.epoch + 1, entry["heldout_perplexity"])
    run.metrics.append(entry)
    run.epoch, run.step, run.epoch_seconds, run.epoch_loss = run.epoch + 1, 0, 0.0, [0.0, 0.0]
    _write_json(out_dir / METRICS_FILE, {"config": asdict(run.config), "epochs": run.metrics})
    save_bilm(run.model.bilm, out_dir / MODEL_DIR, extra={"metrics": entry, "vocab_size": len(run.vocab)})
    save_checkpoint(run.state(), out_dir)


@torch.no_grad()
def evaluate_perplexity(model: BiLmLanguageModel, data: WindowBatches) -> dict[str, float]:
    """Perplexity of the forward and the backward LM over every window of ``data``."""
    was_training = model.training
    model.eval()
    nll, count = torch.zeros(2, dtype=torch.float64), 0
    for type_chars, rows, targets in data.in_order():
        forward_loss, backward_loss = model(type_chars, rows, targets)
        nll += torch.stack([forward_loss, backward_loss]).double() * rows.numel()
        count += rows.numel()
    model.train(was_training)
    forward, backward = (math.exp(x) for x in (nll / count).tolist())
    return {"forward": forward, "backward": backward}


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(payload, indent=2), encoding="utf-8")
