"""Training checkpoints of the biLM language model: written atomically (temporary
file + ``os.replace``), so a crash mid-save leaves the previous checkpoint intact.

A checkpoint holds the model (biLM and softmax), the optimizer, the position in
training (epoch, step within the epoch, global step), torch's RNG state, the
configs and the vocabulary. Only tensors and plain Python data go in, so it loads
with ``torch.load(..., weights_only=True)``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import torch

from indexing.atomic import atomic_path

logger = logging.getLogger(__name__)

CHECKPOINT_FILE = "checkpoint.pt"


def save_checkpoint(state: dict[str, Any], out_dir: str | Path) -> Path:
    out_dir = Path(out_dir)
    with atomic_path(out_dir / CHECKPOINT_FILE) as tmp:
        torch.save(state, tmp)
    logger.info("checkpoint: epoch %d step %d -> %s", state["epoch"], state["step"], out_dir / CHECKPOINT_FILE)
    return out_dir / CHECKPOINT_FILE


def load_checkpoint(out_dir: str | Path) -> dict[str, Any] | None:
    """The latest checkpoint in ``out_dir``, or None when there is none."""
    path = Path(out_dir) / CHECKPOINT_FILE
    if not path.is_file():
        return None
    return torch.load(path, map_location="cpu", weights_only=True)
