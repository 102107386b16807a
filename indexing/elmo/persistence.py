"""Save and load our own trained biLM (Peters et al., 2018) as plain files.

A model directory holds ``config.json`` (``ElmoConfig`` as JSON plus a format
version) and ``weights.pt`` (the biLM ``state_dict``; no softmax, which only
training needs), and, for a model distilled from a teacher (``distill.py``),
``heads.pt``: the linear sentence head into the teacher's space. Loading uses ``torch.load(..., weights_only=True)``. A save is
written into a temporary sibling directory and renamed into place, so a
half-written model never appears.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

import torch

from indexing.elmo.bilm import BiLm
from indexing.elmo.config import ElmoConfig

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.pt"
HEADS_FILE = "heads.pt"


def save_bilm(bilm: BiLm, directory: str | Path, extra: dict | None = None,
              heads: dict[str, dict[str, torch.Tensor]] | None = None) -> Path:
    """Write ``bilm`` (and ``heads``, if any) to ``directory``, replacing it;
    ``extra`` is kept in config.json."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        meta = {"format_version": FORMAT_VERSION, "config": asdict(bilm.config), "extra": extra or {}}
        (tmp / CONFIG_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        torch.save(bilm.state_dict(), tmp / WEIGHTS_FILE)
        if heads is not None:
            torch.save(heads, tmp / HEADS_FILE)
        os.chmod(tmp, 0o755)  # mkdtemp makes it owner-only
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(directory, old)
            os.replace(tmp, directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    logger.info("saved biLM to %s", directory)
    return directory


def read_model_meta(directory: str | Path) -> dict:
    """The parsed ``config.json`` of a saved model, its format version checked."""
    path = Path(directory) / CONFIG_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no ELMo model at {directory}: {CONFIG_FILE} is missing")
    meta = json.loads(path.read_text(encoding="utf-8"))
    if meta.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{path}: unsupported ELMo model format {meta.get('format_version')!r}, expected {FORMAT_VERSION}"
        )
    return meta


def load_bilm(directory: str | Path) -> BiLm:
    """A ``BiLm`` in eval mode from a directory written by ``save_bilm``."""
    meta = read_model_meta(directory)
    bilm = BiLm(ElmoConfig(**meta["config"]))
    state = torch.load(Path(directory) / WEIGHTS_FILE, map_location="cpu", weights_only=True)
    bilm.load_state_dict(state)
    return bilm.eval()


def load_heads(directory: str | Path) -> dict[str, dict[str, torch.Tensor]]:
    """The heads a distilled model was saved with (empty for a plain biLM)."""
    path = Path(directory) / HEADS_FILE
    if not path.is_file():
        return {}
    return torch.load(path, map_location="cpu", weights_only=True)
