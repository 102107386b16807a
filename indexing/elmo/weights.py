"""Load the published ELMo weights (bilm-tf / AllenNLP ``weights.hdf5`` plus
``options.json``; Peters et al., 2018) into our ``BiLm``.

Consumes the two files and produces a ``BiLm`` in eval mode. The hdf5 holds
TensorFlow variables; the conversions, checked against AllenNLP's
``_ElmoCharacterEncoder._load_*`` and ``ElmoLstm.load_weights``, are:

- ``char_embed`` has 261 rows for the unshifted ids 0..260; a zero row is prepended
  for our id 0 ("padded token").
- ``CNN/W_cnn_{i}`` is ``(1, width, char_dim, n_filters)``; Conv1d wants
  ``(n_filters, char_dim, width)``.
- TF multiplies ``x @ W``; every dense ``W`` is transposed for ``nn.Linear``.
- ``CNN_high_{k}``: bilm-tf's layer is ``c * relu(W_transform x) + (1 - c) * x`` with
  ``c = sigmoid(W_carry x + b_carry)``; ours gates the input with ``g = 1 - c``,
  i.e. ``sigmoid(-W_carry x - b_carry)``, so the carry weights and bias are negated.
- ``RNN_{0 forward, 1 backward}/RNN/MultiRNNCell/Cell{layer}/LSTMCell``: ``W_0`` is
  ``(input + proj, 4 * cell)`` over ``[x, h]`` with TF's gate order (i, j, f, o),
  j being the new input; ``B`` the bias; ``W_P_0`` ``(cell, proj)`` the projection.
  We reorder to (i, f, o, j) and add 1.0 to the forget bias, which TF's
  ``LSTMCell(forget_bias=1.0)`` adds at run time instead of storing.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import h5py
import numpy as np
import torch

from indexing.elmo.bilm import BiLm
from indexing.elmo.config import config_from_allennlp_options
from indexing.elmo.lstm import ProjectedLstm

logger = logging.getLogger(__name__)

TF_FORGET_BIAS = 1.0


def load_allennlp_bilm(options_file: str | Path, weight_file: str | Path) -> BiLm:
    """A ``BiLm`` built from ``options.json`` and filled from ``weights.hdf5``."""
    with open(options_file, encoding="utf-8") as f:
        config = config_from_allennlp_options(json.load(f))
    if not config.use_skip_connections:
        raise ValueError(f"{options_file}: only biLMs with use_skip_connections=true are supported")
    bilm = BiLm(config)
    load_allennlp_weights(bilm, weight_file)
    return bilm.eval()


def load_allennlp_weights(bilm: BiLm, weight_file: str | Path) -> None:
    """Copy every tensor of a bilm-tf ``weights.hdf5`` into ``bilm`` (in place)."""
    with h5py.File(weight_file, "r") as fin, torch.no_grad():
        _load_char_cnn(bilm, fin)
        for layer in range(bilm.config.n_layers):
            for direction, stack in enumerate((bilm.forward_layers, bilm.backward_layers)):
                group = f"RNN_{direction}/RNN/MultiRNNCell/Cell{layer}/LSTMCell"
                _load_lstm(stack[layer], fin[group], group)
    logger.info("loaded ELMo weights from %s", weight_file)


def _copy(target: torch.Tensor, value: np.ndarray, name: str) -> None:
    if tuple(value.shape) != tuple(target.shape):
        raise ValueError(f"weights file: {name} has shape {value.shape}, the model expects {tuple(target.shape)}")
    target.copy_(torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32)))


def _load_char_cnn(bilm: BiLm, fin: h5py.File) -> None:
    cnn = bilm.char_cnn
    char_embed = fin["char_embed"][...]  # (261, char_dim)
    _copy(cnn.char_embedding.weight, np.concatenate([np.zeros_like(char_embed[:1]), char_embed]), "char_embed")
    for i, conv in enumerate(cnn.convolutions):
        weight = fin[f"CNN/W_cnn_{i}"][...]  # (1, width, char_dim, n_filters)
        _copy(conv.weight, weight[0].transpose(2, 1, 0), f"CNN/W_cnn_{i}")
        _copy(conv.bias, fin[f"CNN/b_cnn_{i}"][...], f"CNN/b_cnn_{i}")
    for k, layer in enumerate(cnn.highway.layers):
        group = fin[f"CNN_high_{k}"]
        weight = np.concatenate([group["W_transform"][...].T, -group["W_carry"][...].T])
        bias = np.concatenate([group["b_transform"][...], -group["b_carry"][...]])
        _copy(layer.weight, weight, f"CNN_high_{k}/W_*")
        _copy(layer.bias, bias, f"CNN_high_{k}/b_*")
    _copy(cnn.projection.weight, fin["CNN_proj/W_proj"][...].T, "CNN_proj/W_proj")
    _copy(cnn.projection.bias, fin["CNN_proj/b_proj"][...], "CNN_proj/b_proj")


def _tf_to_our_gates(rows: np.ndarray, cell: int) -> np.ndarray:
    """Reorder the leading 4*cell axis from TF's (i, j, f, o) to our (i, f, o, j)."""
    i, j, f, o = (rows[k * cell : (k + 1) * cell] for k in range(4))
    return np.concatenate([i, f, o, j])


def _load_lstm(lstm: ProjectedLstm, group: h5py.Group, name: str) -> None:
    cell, n_in = lstm.cell_dim, lstm.input_dim
    weight = _tf_to_our_gates(group["W_0"][...].T, cell)  # (4 * cell, input + proj)
    if weight.shape[1] != n_in + lstm.projection_dim:
        expected = n_in + lstm.projection_dim
        raise ValueError(f"weights file: {name}/W_0 has {weight.shape[1]} input rows, expected {expected}")
    bias = group["B"][...].copy()
    bias[2 * cell : 3 * cell] += TF_FORGET_BIAS  # TF's f gate, before reordering
    _copy(lstm.input_linearity.weight, weight[:, :n_in], f"{name}/W_0")
    _copy(lstm.state_linearity.weight, weight[:, n_in:], f"{name}/W_0")
    _copy(lstm.state_linearity.bias, _tf_to_our_gates(bias, cell), f"{name}/B")
    _copy(lstm.state_projection.weight, group["W_P_0"][...].T, f"{name}/W_P_0")
