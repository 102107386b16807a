"""Highway, scalar mix and the clipped projected LSTM against numpy."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from indexing.elmo.highway import Highway
from indexing.elmo.lstm import ProjectedLstm
from indexing.elmo.scalar_mix import ScalarMix


def test_highway_matches_numpy(reference):
    torch.manual_seed(0)
    layer = Highway(5, n_layers=2)
    for p in layer.parameters():
        torch.nn.init.normal_(p)
    x = torch.randn(3, 7, 5)
    weights = [(lin.weight.detach().numpy(), lin.bias.detach().numpy()) for lin in layer.layers]
    expected = reference.highway(x.numpy(), weights)
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_highway_starts_close_to_carrying_its_input():
    torch.manual_seed(0)
    layer = Highway(64, n_layers=1)
    gate_bias = layer.layers[0].bias[64:]
    assert torch.all(gate_bias == 1.0)


def test_scalar_mix_weights_layers_by_softmax_times_gamma():
    mix = ScalarMix(3, initial_scalar_parameters=[0.0, 1.0, 2.0], initial_gamma=0.5)
    layers = torch.randn(3, 2, 4, 6)
    w = np.exp([0.0, 1.0, 2.0]) / np.exp([0.0, 1.0, 2.0]).sum()
    expected = 0.5 * np.tensordot(w, layers.numpy(), axes=1)
    np.testing.assert_allclose(mix(layers).detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_scalar_mix_layer_norm_uses_only_unpadded_positions():
    torch.manual_seed(0)
    mix = ScalarMix(2, do_layer_norm=True, initial_scalar_parameters=[0.3, -0.2], initial_gamma=2.0)
    layers = torch.randn(2, 2, 5, 3) * 4 + 1
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)
    x, m = layers.numpy(), mask.numpy()
    normed = []
    for layer in x:
        values = layer[m]  # (n_real_tokens, dim)
        normed.append((layer - values.mean()) / np.sqrt(values.var() + 1e-12))
    w = np.exp([0.3, -0.2]) / np.exp([0.3, -0.2]).sum()
    expected = 2.0 * (w[0] * normed[0] + w[1] * normed[1])
    out = mix(layers, mask)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-4, atol=1e-5)
    # Values at padded positions must not move the statistics.
    changed = layers.clone()
    changed[:, 0, 3:] = 1000.0
    assert torch.allclose(mix(changed, mask)[mask], out[mask], atol=1e-5)


def test_scalar_mix_validates_its_inputs():
    with pytest.raises(ValueError, match="need 3 initial"):
        ScalarMix(3, initial_scalar_parameters=[1.0])
    with pytest.raises(ValueError, match="needs the token mask"):
        ScalarMix(2, do_layer_norm=True)(torch.zeros(2, 1, 1, 1))


def _numpy_weights(lstm: ProjectedLstm) -> tuple[np.ndarray, ...]:
    tensors = (
        lstm.input_linearity.weight,
        lstm.state_linearity.weight,
        lstm.state_linearity.bias,
        lstm.state_projection.weight,
    )
    return tuple(t.detach().numpy().astype(np.float64) for t in tensors)


@pytest.mark.parametrize("reverse", [False, True])
def test_lstm_with_clipping_and_projection_matches_numpy_per_sentence(reference, reverse):
    torch.manual_seed(1)
    lstm = ProjectedLstm(5, 8, 4, cell_clip=1.5, proj_clip=0.8, reverse=reverse)
    for p in lstm.parameters():
        torch.nn.init.normal_(p, std=0.9)  # large enough that both clips bite
    lengths = [6, 3, 1]
    x = torch.randn(3, 6, 5)
    mask = torch.arange(6)[None, :] < torch.tensor(lengths)[:, None]
    out = lstm(x, mask).detach().numpy()
    any_clipped = False
    for row, n in enumerate(lengths):
        expected, clipped = reference.lstm(x[row, :n].double().numpy(), *_numpy_weights(lstm), 1.5, 0.8, reverse)
        any_clipped |= clipped
        np.testing.assert_allclose(out[row, :n], expected, rtol=1e-4, atol=1e-5)
        assert np.all(out[row, n:] == 0)
    assert any_clipped, "the test weights should exercise the clipping"


def test_lstm_without_clipping(reference):
    torch.manual_seed(2)
    lstm = ProjectedLstm(3, 6, 2, cell_clip=None, proj_clip=None)
    x = torch.randn(1, 4, 3)
    expected, _ = reference.lstm(x[0].double().numpy(), *_numpy_weights(lstm), np.inf, np.inf)
    np.testing.assert_allclose(lstm(x)[0].detach().numpy(), expected, rtol=1e-4, atol=1e-5)
