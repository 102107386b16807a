"""Distilling a teacher into the biLM: the fused LSTM is the loop, the losses
fall and the student moves toward a stand-in teacher, runs resume, and the
encoder reads the sentence head it ships with."""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from indexing.elmo.__main__ import main
from indexing.elmo.checkpoint import load_checkpoint
from indexing.elmo.distill import distill_elmo
from indexing.elmo.objectives import DistillConfig
from indexing.elmo.distill_data import SentencePairs, corpus_paragraphs
from indexing.elmo.encoder import ElmoEncoder
from indexing.elmo.persistence import load_bilm, load_heads, read_model_meta
from indexing.elmo.lstm import ProjectedLstm, _recurrence, fused_lstm, reversal_index
from indexing.elmo.teacher import ProjectionTeacher
from tests.elmo.test_training import write_text

TEACHER_DIM = 16
QUICK = DistillConfig(pairs_per_batch=8, max_words=12, learning_rate=1e-2, warmup_steps=1, checkpoint_minutes=1e6,
                      log_every=5, max_steps=60)


@pytest.mark.parametrize("reverse", [False, True])
def test_fused_lstm_is_the_loop_without_clipping(reverse):
    torch.manual_seed(0)
    layer = ProjectedLstm(5, 7, 4, cell_clip=None, proj_clip=None, reverse=reverse)
    with torch.no_grad():
        layer.state_linearity.bias.normal_()  # every gate block differs, so a wrong reorder shows
    x = torch.randn(3, 6, 5)
    mask = torch.tensor([[1] * 6, [1] * 4 + [0] * 2, [1] * 1 + [0] * 5]).bool()
    assert layer.fusable
    for m in (None, mask):
        fused = fused_lstm(layer, x, m)  # what a GPU runs
        gates = F.linear(x, layer.input_linearity.weight, layer.state_linearity.bias)
        step_mask = None if m is None else m.unsqueeze(-1).float()
        loop = _recurrence(gates, step_mask, layer.state_linearity.weight, layer.state_projection.weight, 0.0, 0.0,
                           reverse)
        torch.testing.assert_close(fused, loop, atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(layer(x, m), loop)  # a CPU runs the loop
    assert not ProjectedLstm(5, 7, 4, reverse=reverse).fusable  # clipped: the loop


def test_reversal_index_reverses_within_each_length():
    mask = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]]).bool()
    assert reversal_index(mask).tolist() == [[2, 1, 0, 3], [1, 0, 2, 3]]


def test_pairs_are_paragraph_neighbours(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("One two. Three four. Five six.\n\nAlone here.\n")
    data = SentencePairs(corpus_paragraphs([path], 10), None, 50, 12)
    words = [[data.types[t] for t in data.sentences[i]] for i in range(len(data.sentences))]
    assert [(words[a], words[b]) for a, b in data.pairs] == [
        (["One", "two", "."], ["Three", "four", "."]),
        (["Three", "four", "."], ["Five", "six", "."]),
        (["Alone", "here", "."], ["Alone", "here", "."]),  # one sentence: its own positive
    ]
    batch = data.batch(np.array([0, 2]))
    assert batch.words == [["One", "two", "."], ["Alone", "here", "."], ["Three", "four", "."], ["Alone", "here", "."]]
    assert batch.mask.sum(1).tolist() == [5, 5, 5, 5]  # <S> w w . </S>
    # The forward target of <S> is the first word; the backward target of the first word is <S>.
    assert batch.targets[0, 0, 0] == data.vocab.id_of("One")
    assert batch.targets[1, 0, 0] == data.vocab.id_of("<S>")


def _agreement(model_dir, teacher, sentences):
    encoder = ElmoEncoder.load(model_dir)
    pooled = np.stack([m.mean(axis=0) for m in encoder.encode_tokens(sentences)])
    student = F.normalize(torch.from_numpy(encoder.head(pooled)), dim=-1)
    wanted, _ = teacher.encode(sentences, 12)
    return float((student * wanted).sum(-1).mean())


def test_distillation_moves_the_student_toward_the_teacher(tmp_path, tiny_config):
    corpus = write_text(tmp_path / "train.txt", 400, 0)
    teacher = ProjectionTeacher(TEACHER_DIM)
    held_out = [["The", "river", "finds", "the", "mouse", "."], ["My", "sister", "paints", "an", "apple", "."]]
    before = distill_elmo([corpus], tmp_path / "before", teacher, tiny_config, replace(QUICK, max_steps=0))
    assert before == []
    log = distill_elmo([corpus], tmp_path / "run", teacher, tiny_config, QUICK)
    first, last = log[0], log[-1]
    for part in ("lm_forward", "lm_backward", "sentence", "token"):
        assert last[part] < first[part], part
    assert _agreement(tmp_path / "run" / "model", teacher, held_out) > \
        _agreement(tmp_path / "before" / "model", teacher, held_out) + 0.2
    encoder = ElmoEncoder.load(tmp_path / "run" / "model")
    assert encoder.head_dim == TEACHER_DIM
    config = json.loads((tmp_path / "run" / "model" / "config.json").read_text())
    assert config["config"]["cell_clip"] is None and config["extra"]["sentence_head"] is True


def test_a_run_resumes_where_it_stopped(tmp_path, tiny_config):
    corpus = write_text(tmp_path / "train.txt", 200, 1)
    teacher = ProjectionTeacher(TEACHER_DIM)
    distill_elmo([corpus], tmp_path, teacher, tiny_config, replace(QUICK, max_steps=10))
    assert load_checkpoint(tmp_path)["global_step"] == 10
    with pytest.raises(FileExistsError):
        distill_elmo([corpus], tmp_path, teacher, tiny_config, replace(QUICK, max_steps=20))
    log = distill_elmo([corpus], tmp_path, teacher, tiny_config, replace(QUICK, max_steps=20), resume=True)
    assert load_checkpoint(tmp_path)["global_step"] == 20
    assert [e["step"] for e in log] == [5, 10, 15, 20]


def test_a_run_goes_on_from_a_distilled_model_with_its_mix_and_head(tmp_path, tiny_config):
    corpus = write_text(tmp_path / "train.txt", 200, 3)
    teacher = ProjectionTeacher(TEACHER_DIM)
    held_out = [["The", "river", "finds", "the", "mouse", "."], ["My", "sister", "paints", "an", "apple", "."]]
    distill_elmo([corpus], tmp_path / "first", teacher, tiny_config, replace(QUICK, max_steps=30))
    first = tmp_path / "first" / "model"
    distill_elmo([corpus], tmp_path / "again", teacher, tiny_config, replace(QUICK, max_steps=0), init=first)
    again = tmp_path / "again" / "model"
    assert torch.equal(load_heads(again)["sentence_head"]["weight"], load_heads(first)["sentence_head"]["weight"])
    assert read_model_meta(again)["extra"]["scalar_mix"] == read_model_meta(first)["extra"]["scalar_mix"]
    assert _agreement(again, teacher, held_out) == pytest.approx(_agreement(first, teacher, held_out), abs=1e-5)
    # A head into another space (no teacher: a space of its own) is not taken; the biLM still is.
    distill_elmo([corpus], tmp_path / "own", None, tiny_config, replace(QUICK, max_steps=0, objectives=("lm",)),
                 init=first)
    own = tmp_path / "own" / "model"
    assert load_heads(own)["sentence_head"]["weight"].shape[0] == 256
    assert all(torch.equal(a, b) for a, b in zip(load_bilm(own).state_dict().values(),
                                                 load_bilm(first).state_dict().values()))


def test_the_cli_trains_a_contrastive_student_without_a_teacher(tmp_path):
    corpus = write_text(tmp_path / "train.txt", 200, 2)
    out = tmp_path / "run"
    assert main(["distill", "--corpus", str(corpus), "--out", str(out), "--objectives", "lm", "contrastive",
                 "--vocab-size", "50", "--pairs", "8", "--max-steps", "3", "--log-every", "1"]) == 0
    encoder = ElmoEncoder.load(out / "model")
    assert encoder.head_dim == 256  # no teacher: the head maps into a space of its own
    assert encoder.encode_tokens([["The", "cat", "."]])[0].shape == (3, encoder.dim)
