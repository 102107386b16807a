"""Loading bilm-tf / AllenNLP weights: a tiny weights.hdf5 in the published layout,
checked end to end against numpy run straight on the hdf5 arrays."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest
import torch

from indexing.elmo.characters import batch_to_ids
from indexing.elmo.weights import load_allennlp_bilm

OPTIONS = {
    "lstm": {"cell_clip": 3, "dim": 10, "n_layers": 2, "proj_clip": 3, "projection_dim": 6,
             "use_skip_connections": True},
    "char_cnn": {"activation": "relu", "embedding": {"dim": 4}, "filters": [[1, 4], [2, 5], [3, 6]],
                 "max_characters_per_token": 50, "n_characters": 261, "n_highway": 2},
}


def _tiny_hdf5_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    cnn, lstm = OPTIONS["char_cnn"], OPTIONS["lstm"]
    dim, n_filters = cnn["embedding"]["dim"], sum(n for _, n in cnn["filters"])
    proj, cell = lstm["projection_dim"], lstm["dim"]

    def normal(*shape, std=1.0):
        return (rng.standard_normal(shape) * std).astype(np.float32)

    arrays = {"char_embed": normal(261, dim)}
    for i, (width, n) in enumerate(cnn["filters"]):
        arrays[f"CNN/W_cnn_{i}"] = normal(1, width, dim, n, std=0.5)
        arrays[f"CNN/b_cnn_{i}"] = normal(n, std=0.1)
    for k in range(cnn["n_highway"]):
        for name, shape in (("W_carry", (n_filters, n_filters)), ("W_transform", (n_filters, n_filters)),
                            ("b_carry", (n_filters,)), ("b_transform", (n_filters,))):
            arrays[f"CNN_high_{k}/{name}"] = normal(*shape, std=0.4)
    arrays["CNN_proj/W_proj"] = normal(n_filters, proj, std=0.4)
    arrays["CNN_proj/b_proj"] = normal(proj, std=0.1)
    for direction in (0, 1):
        for layer in range(lstm["n_layers"]):
            prefix = f"RNN_{direction}/RNN/MultiRNNCell/Cell{layer}/LSTMCell/"
            arrays[prefix + "W_0"] = normal(proj + proj, 4 * cell, std=0.8)  # big enough to hit the clips
            arrays[prefix + "B"] = normal(4 * cell, std=0.5)
            arrays[prefix + "W_P_0"] = normal(cell, proj, std=1.2)
    return arrays


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    directory = tmp_path_factory.mktemp("allennlp")
    arrays = _tiny_hdf5_arrays()
    with h5py.File(directory / "weights.hdf5", "w") as f:
        for name, value in arrays.items():
            f.create_dataset(name, data=value)
    (directory / "options.json").write_text(json.dumps(OPTIONS))
    return directory, {k: v.astype(np.float64) for k, v in arrays.items()}


def test_loaded_model_reproduces_bilm_tf_equations(published, reference):
    directory, arrays = published
    bilm = load_allennlp_bilm(directory / "options.json", directory / "weights.hdf5")
    sentences = [["Hello", "world", "!"], ["Élan", "x" * 70], ["solo"]]
    ids, mask = batch_to_ids(sentences)
    with torch.inference_mode():
        ours = bilm(ids, mask).numpy()
    any_clipped = False
    for row, sentence in enumerate(sentences):
        n = len(sentence) + 2
        expected, clipped = reference.tf_bilm(arrays, OPTIONS, ids[row, :n].numpy())
        any_clipped |= clipped
        np.testing.assert_allclose(ours[:, row, :n], expected, rtol=1e-4, atol=1e-5)
    assert any_clipped, "the test weights should exercise the cell and projection clips"


def test_char_embedding_gets_a_zero_row_for_padding(published):
    directory, arrays = published
    bilm = load_allennlp_bilm(directory / "options.json", directory / "weights.hdf5")
    table = bilm.char_cnn.char_embedding.weight.detach().numpy()
    assert table.shape == (262, 4)
    assert np.all(table[0] == 0)
    np.testing.assert_allclose(table[1:], arrays["char_embed"], rtol=1e-6)


def test_shape_mismatch_is_reported_by_name(published, tmp_path):
    directory, _ = published
    options = json.loads((directory / "options.json").read_text())
    options["lstm"]["dim"] = 12
    (tmp_path / "options.json").write_text(json.dumps(options))
    with pytest.raises(ValueError, match="RNN_0/RNN/MultiRNNCell/Cell0/LSTMCell/W_0"):
        load_allennlp_bilm(tmp_path / "options.json", directory / "weights.hdf5")
