"""The LSTM's int8 inference path (indexing/elmo/lstm_int8.py, `BiLm.use_int8`):
close to float, independent of what a sentence is batched with, never used
for training, and rebuilt when the weights change."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from indexing.elmo import lstm_int8
from indexing.contextual import DISTILLED_MODEL
from indexing.elmo.encoder import ElmoEncoder
from indexing.elmo.lstm import ProjectedLstm

SENTENCES = ["the bass guitar player tuned his instrument before the show".split(),
             "we caught a bass on the river bank at dawn".split(),
             "the bank raised its interest rates again".split()]


@pytest.fixture(scope="module")
def encoders() -> tuple[ElmoEncoder, ElmoEncoder]:
    """The shipped distilled biLM in float and in int8."""
    return ElmoEncoder.load(DISTILLED_MODEL), ElmoEncoder.load(DISTILLED_MODEL, int8=True)


def head_vectors(encoder: ElmoEncoder, sentences: list[list[str]]) -> np.ndarray:
    return encoder.head_vectors(encoder.encode_layers(sentences))


def test_int8_reads_as_float_does(encoders) -> None:
    float_encoder, int8_encoder = encoders
    cosines = (head_vectors(float_encoder, SENTENCES) * head_vectors(int8_encoder, SENTENCES)).sum(axis=1)
    assert cosines.min() > 0.999, cosines
    # ... but it is another computation, not the float one under another name.
    assert not np.array_equal(float_encoder.encode_layers(SENTENCES[:1])[0], int8_encoder.encode_layers(SENTENCES[:1])[0])


def test_int8_does_not_depend_on_the_batch(encoders) -> None:
    _, int8_encoder = encoders
    alone = int8_encoder.encode_layers(SENTENCES[:1])[0]
    batched = int8_encoder.encode_layers([SENTENCES[1] * 3, SENTENCES[0], SENTENCES[2][:2]])[1]
    np.testing.assert_allclose(alone, batched, atol=1e-4)


def random_layer() -> tuple[ProjectedLstm, torch.Tensor]:
    torch.manual_seed(0)
    layer = ProjectedLstm(8, 16, 8, cell_clip=None, proj_clip=None).eval()
    layer.int8 = True
    return layer, torch.randn(3, 5, 8)


@pytest.mark.parametrize("reverse", [False, True])
def test_int8_steps_each_row_within_its_own_length(reverse: bool) -> None:
    # Rows of a padded batch, in any order of length: each as it reads alone,
    # and zero where it is padded (the loop steps only the rows inside their sentence).
    torch.manual_seed(1)
    layer = ProjectedLstm(8, 16, 8, cell_clip=3.0, proj_clip=3.0, reverse=reverse).eval()
    layer.int8 = True
    x = torch.randn(4, 7, 8)
    lengths = [3, 7, 1, 5]
    mask = torch.arange(7)[None, :] < torch.tensor(lengths)[:, None]  # (4, 7)
    with torch.no_grad():
        batched = layer(x * mask[..., None], mask)
        layer.int8 = False
        reference = layer(x * mask[..., None], mask)  # the float loop, masked step by step
        layer.int8 = True
        torch.testing.assert_close(batched, reference, atol=0.02, rtol=0)
        for row, n in enumerate(lengths):
            alone = layer(x[row : row + 1, :n])
            torch.testing.assert_close(batched[row, :n], alone[0], atol=1e-4, rtol=0)
            assert not batched[row, n:].any()


@pytest.mark.parametrize("reverse", [False, True])
def test_the_compiled_int8_loop_gives_the_python_loops_outputs(monkeypatch, reverse: bool) -> None:
    # The loop runs compiled by TorchScript (no Python overhead per op, no GIL
    # between the two directions' threads); where torch cannot compile it, the
    # same function runs in Python. The two must agree to the bit.
    assert isinstance(lstm_int8.steps(), torch.jit.ScriptFunction)  # the pinned torch compiles it
    torch.manual_seed(2)
    layer = ProjectedLstm(8, 16, 8, cell_clip=3.0, proj_clip=3.0, reverse=reverse).eval()
    layer.int8 = True
    x, lengths = torch.randn(3, 6, 8), [6, 2, 4]
    mask = torch.arange(6)[None, :] < torch.tensor(lengths)[:, None]
    with torch.inference_mode():
        compiled = layer(x * mask[..., None], mask)
        monkeypatch.setattr(lstm_int8, "steps", lambda: lstm_int8.packed_steps)
        plain = layer(x * mask[..., None], mask)
    assert torch.equal(compiled, plain)


def test_gradients_and_training_run_in_float() -> None:
    layer, x = random_layer()
    with torch.no_grad():
        layer.int8 = False
        reference = layer(x)
        layer.int8 = True
        quantised = layer(x)
    assert not torch.equal(reference, quantised)
    torch.testing.assert_close(layer(x), reference)  # gradients on: float
    layer.train()
    with torch.no_grad():
        torch.testing.assert_close(layer(x), reference)  # training mode: float


@pytest.mark.parametrize("weights", ["state_linearity", "input_linearity"])
def test_new_weights_are_packed_anew(weights: str) -> None:
    layer, x = random_layer()
    with torch.no_grad():
        before = layer(x)
        getattr(layer, weights).weight.mul_(0.5)  # what an optimiser step does: in place
        after = layer(x)
        fresh = ProjectedLstm(8, 16, 8, cell_clip=None, proj_clip=None).eval()
        fresh.load_state_dict(layer.state_dict())
        fresh.int8 = True
        assert not torch.equal(before, after)
        torch.testing.assert_close(after, fresh(x))


def test_a_torch_without_int8_runs_in_float(monkeypatch) -> None:
    def unavailable(weight):
        raise RuntimeError("no quantized engine")

    monkeypatch.setattr(lstm_int8, "pack_int8", unavailable)
    layer, x = random_layer()
    with torch.no_grad():
        quantised = layer(x)
        layer.int8 = False
        torch.testing.assert_close(quantised, layer(x))


def test_input_gates_in_float_where_the_cpu_has_no_bfloat16(monkeypatch) -> None:
    # The input half of the gates is multiplied in bfloat16 where oneDNN runs it
    # (AVX-512), else in float; either way the layer reads as the float loop does.
    torch.manual_seed(3)
    x = torch.randn(3, 6, 8)
    outputs = {}
    for bfloat16 in (True, False):
        monkeypatch.setattr(lstm_int8, "bfloat16_matmuls", lambda: bfloat16)
        layer = ProjectedLstm(8, 16, 8, cell_clip=3.0, proj_clip=3.0).eval()
        layer.load_state_dict(random_layer()[0].state_dict())
        assert lstm_int8.input_weight_for_gates(layer.input_linearity.weight).dtype == (
            torch.bfloat16 if bfloat16 else torch.float32)
        with torch.no_grad():
            layer.int8 = True
            outputs[bfloat16] = layer(x)
            layer.int8 = False
            reference = layer(x)
        torch.testing.assert_close(outputs[bfloat16], reference, atol=0.02, rtol=0)
    assert not torch.equal(outputs[True], outputs[False])
