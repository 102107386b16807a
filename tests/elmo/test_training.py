"""Training our biLM: the loss falls, checkpoints resume exactly, the CLI runs."""

from __future__ import annotations

import json
import random
from dataclasses import replace

import numpy as np
import pytest
import torch

from indexing.elmo.__main__ import main
from indexing.elmo.checkpoint import load_checkpoint
from indexing.elmo.encoder import ElmoEncoder
from indexing.elmo.train import TrainConfig, train_elmo

SUBJECTS = ["The cat", "A dog", "My sister", "The old farmer", "Our teacher", "The river"]
VERBS = ["sees", "likes", "follows", "paints", "finds"]
OBJECTS = ["the bank", "a small boat", "the green field", "an apple", "the mouse"]


def write_text(path, n_sentences, seed):
    rng = random.Random(seed)
    lines = [f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}." for _ in range(n_sentences)]
    path.write_text("\n\n".join(" ".join(lines[i : i + 5]) for i in range(0, len(lines), 5)))
    return path


@pytest.fixture(scope="module")
def texts(tmp_path_factory):
    directory = tmp_path_factory.mktemp("texts")
    return write_text(directory / "train.txt", 300, 0), write_text(directory / "heldout.txt", 40, 1)


TRAIN = TrainConfig(window=8, batch_size=8, epochs=3, learning_rate=1e-2, checkpoint_minutes=1e6, log_every=10**6)


def test_loss_goes_down_and_model_is_shipped(texts, tiny_config, tmp_path):
    train_file, heldout_file = texts
    metrics = train_elmo([train_file], tmp_path, tiny_config, TRAIN, heldout_path=heldout_file)
    assert [m["epoch"] for m in metrics] == [1, 2, 3]
    for direction in ("forward", "backward"):
        first, last = metrics[0]["heldout_perplexity"][direction], metrics[-1]["heldout_perplexity"][direction]
        assert last < 0.8 * first
        assert last < 10  # ~30 word types; a uniform guess would score ~30
        assert metrics[-1]["train_perplexity"][direction] < metrics[0]["train_perplexity"][direction]
    assert json.loads((tmp_path / "metrics.json").read_text())["epochs"] == metrics
    encoder = ElmoEncoder.load(tmp_path / "model")
    assert encoder.encode_tokens([["The", "cat", "sees", "the", "bank", "."]])[0].shape == (6, 12)
    assert "softmax" not in " ".join(encoder.bilm.state_dict())


def test_resume_continues_exactly_where_training_stopped(texts, tiny_config, tmp_path):
    train_file, _ = texts
    config = replace(tiny_config, dropout=0.2)  # so the restored RNG state matters
    short = replace(TRAIN, epochs=2)
    train_elmo([train_file], tmp_path / "straight", config, short)
    train_elmo([train_file], tmp_path / "resumed", config, replace(short, max_steps=30))
    stopped = load_checkpoint(tmp_path / "resumed")
    assert (stopped["epoch"], stopped["step"], stopped["global_step"]) == (0, 30, 30)
    with pytest.raises(FileExistsError, match="already holds a checkpoint"):
        train_elmo([train_file], tmp_path / "resumed", config, short)
    train_elmo([train_file], tmp_path / "resumed", config, short, resume=True)
    straight, resumed = load_checkpoint(tmp_path / "straight"), load_checkpoint(tmp_path / "resumed")
    assert resumed["global_step"] == straight["global_step"] > 30
    for name, tensor in straight["model"].items():
        assert torch.equal(tensor, resumed["model"][name]), name


def test_cli_train_and_resume(texts, tmp_path):
    train_file, heldout_file = texts
    args = ["train", "--corpus", str(train_file), "--out", str(tmp_path), "--heldout", str(heldout_file),
            "--batch-size", "2", "--window", "4", "--vocab-size", "50"]
    assert main([*args, "--max-steps", "2"]) == 0
    assert load_checkpoint(tmp_path)["global_step"] == 2
    assert main([*args, "--max-steps", "3", "--resume"]) == 0
    assert load_checkpoint(tmp_path)["global_step"] == 3
    assert np.isfinite(load_checkpoint(tmp_path)["model"]["bilm.char_cnn.projection.weight"].numpy()).all()
