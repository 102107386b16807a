"""Independent numpy implementations of the ELMo equations (Peters et al., 2018)
that the tests check our torch modules against, plus tiny configs.

Two references: ``reference.lstm`` / ``reference.highway`` follow our own weight
layout (to test the blocks), ``reference.tf_bilm`` reads bilm-tf's hdf5 arrays
as they are stored (to test the weight loader end to end).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from indexing.elmo.config import ElmoConfig


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def highway(x: np.ndarray, layers: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """``layers``: (W (2D, D), b (2D,)) with rows [transform; gate]."""
    for weight, bias in layers:
        d = x.shape[-1]
        projected = x @ weight.T + bias
        gate = sigmoid(projected[..., d:])
        x = gate * x + (1 - gate) * np.maximum(projected[..., :d], 0)
    return x


def lstm(
    x: np.ndarray,
    w_in: np.ndarray,
    w_state: np.ndarray,
    bias: np.ndarray,
    w_proj: np.ndarray,
    cell_clip: float,
    proj_clip: float,
    reverse: bool = False,
) -> tuple[np.ndarray, bool]:
    """One unpadded sentence ``(time, in)`` through our gate layout (i, f, o, g).

    Returns the outputs ``(time, proj)`` and whether any clip was active.
    """
    cell = w_proj.shape[1]
    h, c = np.zeros(w_proj.shape[0]), np.zeros(cell)
    out = np.zeros((len(x), w_proj.shape[0]))
    clipped = False
    for t in (range(len(x) - 1, -1, -1) if reverse else range(len(x))):
        z = w_in @ x[t] + w_state @ h + bias
        i, f, o, g = (z[k * cell : (k + 1) * cell] for k in range(4))
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        clipped |= bool(np.abs(c).max() > cell_clip)
        c = np.clip(c, -cell_clip, cell_clip)
        h = w_proj @ (sigmoid(o) * np.tanh(c))
        clipped |= bool(np.abs(h).max() > proj_clip)
        h = np.clip(h, -proj_clip, proj_clip)
        out[t] = h
    return out, clipped


def tf_char_cnn(h5: dict[str, np.ndarray], options: dict, char_ids: np.ndarray) -> np.ndarray:
    """bilm-tf's token embedder on shifted ids ``(tokens, chars)`` -> ``(tokens, proj)``."""
    cnn = options["char_cnn"]
    table = h5["char_embed"]  # (261, dim) for the unshifted ids
    embedded = np.where((char_ids > 0)[..., None], table[np.maximum(char_ids - 1, 0)], 0.0)  # (tokens, chars, dim)
    pooled = []
    for i, (width, _) in enumerate(cnn["filters"]):
        kernel = h5[f"CNN/W_cnn_{i}"][0]  # (width, dim, n)
        positions = embedded.shape[1] - width + 1
        conv = np.stack(
            [np.einsum("tkd,kdn->tn", embedded[:, p : p + width], kernel) for p in range(positions)], axis=1
        ) + h5[f"CNN/b_cnn_{i}"]
        pooled.append(conv.max(axis=1))
    x = np.concatenate(pooled, axis=-1)
    x = np.maximum(x, 0) if cnn["activation"] == "relu" else np.tanh(x)
    for k in range(cnn["n_highway"]):
        p = f"CNN_high_{k}/"
        carry = sigmoid(x @ h5[p + "W_carry"] + h5[p + "b_carry"])
        transform = np.maximum(x @ h5[p + "W_transform"] + h5[p + "b_transform"], 0)
        x = carry * transform + (1 - carry) * x
    return x @ h5["CNN_proj/W_proj"] + h5["CNN_proj/b_proj"]


def tf_lstm(h5: dict[str, np.ndarray], prefix: str, x: np.ndarray, options: dict) -> tuple[np.ndarray, bool]:
    """TF ``LSTMCell(num_proj, cell_clip, proj_clip, forget_bias=1.0)`` over ``(time, in)``."""
    lstm_options = options["lstm"]
    w, b, w_proj = h5[prefix + "W_0"], h5[prefix + "B"], h5[prefix + "W_P_0"]
    cell, clip_c, clip_p = lstm_options["dim"], lstm_options["cell_clip"], lstm_options["proj_clip"]
    h, c = np.zeros(w_proj.shape[1]), np.zeros(cell)
    out, clipped = np.zeros((len(x), w_proj.shape[1])), False
    for t in range(len(x)):
        z = np.concatenate([x[t], h]) @ w + b
        i, j, f, o = (z[k * cell : (k + 1) * cell] for k in range(4))
        c = sigmoid(f + 1.0) * c + sigmoid(i) * np.tanh(j)
        clipped |= bool(np.abs(c).max() > clip_c)
        c = np.clip(c, -clip_c, clip_c)
        h = (sigmoid(o) * np.tanh(c)) @ w_proj
        clipped |= bool(np.abs(h).max() > clip_p)
        h = np.clip(h, -clip_p, clip_p)
        out[t] = h
    return out, clipped


def tf_bilm(h5: dict[str, np.ndarray], options: dict, char_ids: np.ndarray) -> tuple[np.ndarray, bool]:
    """All layers ``(n_layers + 1, tokens, 2 * proj)`` of one unpadded sentence."""
    x = tf_char_cnn(h5, options, char_ids)
    layers, clipped = [np.concatenate([x, x], axis=-1)], False
    directions = []
    for direction in (0, 1):
        inputs = x if direction == 0 else x[::-1]
        states = []
        for layer in range(options["lstm"]["n_layers"]):
            prefix = f"RNN_{direction}/RNN/MultiRNNCell/Cell{layer}/LSTMCell/"
            out, hit = tf_lstm(h5, prefix, inputs, options)
            clipped |= hit
            inputs = out + inputs if layer > 0 else out
            states.append(inputs if direction == 0 else inputs[::-1])
        directions.append(states)
    for forward, backward in zip(*directions):
        layers.append(np.concatenate([forward, backward], axis=-1))
    return np.stack(layers), clipped


@pytest.fixture(scope="session")
def reference() -> SimpleNamespace:
    return SimpleNamespace(
        sigmoid=sigmoid, highway=highway, lstm=lstm, tf_char_cnn=tf_char_cnn, tf_lstm=tf_lstm, tf_bilm=tf_bilm
    )


@pytest.fixture(scope="session")
def tiny_config() -> ElmoConfig:
    return ElmoConfig(
        char_embed_dim=4,
        filters=((1, 4), (2, 6), (3, 6)),
        n_highway=2,
        max_chars=12,
        projection_dim=6,
        cell_dim=10,
        n_layers=2,
        cell_clip=3.0,
        proj_clip=3.0,
        dropout=0.0,
        vocab_size=100,
    )


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Tiny models gain nothing from threads, and on a busy 2-core box OpenMP's
    waiting threads made single steps 10x slower; restore the setting after."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
    # The encoder and trainer flush denormals for the whole process (a CPU
    # flag); leave it off for the other tests, e.g. hypothesis refuses to
    # generate floats while it is on.
    torch.set_flush_denormal(False)
