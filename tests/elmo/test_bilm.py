"""The biLM as a user of its vectors sees it: directions, padding, determinism,
context, and the encoder around it."""

from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np
import pytest
import torch

from indexing.elmo.bilm import BiLm, _second_thread, flushing_denormals, remove_sentence_boundaries
from indexing.elmo.characters import batch_to_ids
from indexing.elmo.config import ElmoConfig, config_from_allennlp_options, create_config
from indexing.elmo.encoder import ElmoEncoder
from indexing.elmo.scalar_mix import ScalarMix


@pytest.fixture(scope="module")
def bilm(tiny_config):
    torch.manual_seed(0)
    model = BiLm(tiny_config).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(2.0)  # livelier random weights, so context effects are visible
    return model


def run(bilm, sentences):
    ids, mask = batch_to_ids(sentences, max_chars=bilm.config.max_chars)
    with torch.inference_mode():
        return bilm(ids, mask), mask


def test_output_shape_and_layer_zero_is_the_token_vector_twice(bilm, tiny_config):
    layers, _ = run(bilm, [["the", "cat", "sat"]])
    assert layers.shape == (3, 1, 5, 2 * tiny_config.projection_dim)
    half = tiny_config.projection_dim
    assert torch.equal(layers[0, ..., :half], layers[0, ..., half:])


def test_forward_states_ignore_later_tokens_and_backward_states_earlier_ones(bilm):
    half = bilm.config.projection_dim
    base, _ = run(bilm, [["a", "b", "c", "d", "e"]])
    later, _ = run(bilm, [["a", "b", "c", "X", "e"]])  # position 4 with <S>
    for layer in (1, 2):
        assert torch.equal(base[layer, 0, :4, :half], later[layer, 0, :4, :half])
        assert not torch.allclose(base[layer, 0, 4:, :half], later[layer, 0, 4:, :half])
        assert torch.equal(base[layer, 0, 5:, half:], later[layer, 0, 5:, half:])
        assert not torch.allclose(base[layer, 0, :4, half:], later[layer, 0, :4, half:])


def test_a_sentence_gets_the_same_vectors_alone_or_in_a_padded_batch(bilm):
    alone, _ = run(bilm, [["short", "one"]])
    batched, mask = run(bilm, [["a", "much", "longer", "sentence", "here", "."], ["short", "one"]])
    np.testing.assert_allclose(batched[:, 1, :4].numpy(), alone[:, 0].numpy(), rtol=1e-5, atol=1e-6)
    assert torch.all(batched[1:, 1, 4:] == 0)  # LSTM layers are zero at padding
    assert mask[1].tolist() == [True] * 4 + [False] * 4


def test_running_the_two_directions_on_two_threads_changes_nothing(bilm):
    sentences = [["a", "much", "longer", "sentence", "here", "."], ["short", "one"]]
    ids, mask = batch_to_ids(sentences, max_chars=bilm.config.max_chars)
    with torch.inference_mode():
        tokens = bilm.char_cnn(ids)
        one = bilm.layers_from_token_vectors(tokens, mask)
        two = bilm.layers_from_token_vectors(tokens, mask, parallel=True)
    assert torch.equal(one, two)
    # Training never splits: autograd and dropout stay on the caller's thread.
    bilm.train()
    try:
        torch.manual_seed(1)
        trained = bilm.layers_from_token_vectors(tokens.clone(), mask, parallel=True)
        assert trained.requires_grad
    finally:
        bilm.eval()


def _denormals_survive() -> bool:
    return (torch.tensor([1e-40]) * 1.0).item() != 0.0  # 1e-40 is below float32's smallest normal


def test_denormal_flushing_is_switched_off_again_on_both_threads(bilm):
    if not torch.set_flush_denormal(False):
        pytest.skip("this CPU cannot flush denormals")
    with flushing_denormals():
        assert not _denormals_survive()
    assert _denormals_survive()
    ids, mask = batch_to_ids([["river", "bank"]], max_chars=bilm.config.max_chars)
    with torch.inference_mode():
        bilm.layers_from_token_vectors(bilm.char_cnn(ids), mask, parallel=True)
    assert _denormals_survive()
    assert _second_thread().submit(_denormals_survive).result()  # the backward stack's thread


def test_inference_is_deterministic_and_stateless(bilm):
    first, _ = run(bilm, [["same", "input"], ["again"]])
    run(bilm, [["something", "else", "in", "between"]])
    second, _ = run(bilm, [["same", "input"], ["again"]])
    assert torch.equal(first, second)


def test_same_word_in_two_contexts(bilm):
    river, _ = run(bilm, [["the", "river", "bank", "flooded"]])
    money, _ = run(bilm, [["the", "bank", "loan", "was", "approved"]])
    bank_river, bank_money = river[:, 0, 3], money[:, 0, 2]
    assert torch.equal(bank_river[0], bank_money[0])
    for layer in (1, 2):
        assert not torch.allclose(bank_river[layer], bank_money[layer], atol=1e-4)


def test_remove_sentence_boundaries():
    layers = torch.arange(2 * 5, dtype=torch.float32).reshape(1, 2, 5, 1).repeat(3, 1, 1, 2)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.bool)
    trimmed, new_mask = remove_sentence_boundaries(layers, mask)
    assert trimmed.shape == (3, 2, 3, 2)
    assert trimmed[0, 0, :, 0].tolist() == [1.0, 2.0, 3.0]
    assert trimmed[0, 1, :, 0].tolist() == [6.0, 0.0, 0.0]
    assert new_mask.tolist() == [[True] * 3, [True, False, False]]


def test_encoder_matches_the_biLM_and_mix_directly(bilm):
    mix = ScalarMix(3, initial_scalar_parameters=[0.5, -1.0, 0.2], initial_gamma=1.5, trainable=False)
    encoder = ElmoEncoder(bilm, mix, batch_size=2)
    sentences = [["one"], ["two", "words"], [], ["a", "third", "longer", "one"]]
    vectors = encoder.encode_tokens(sentences)
    all_layers = encoder.encode_layers(sentences)
    assert [v.shape for v in vectors] == [(1, 12), (2, 12), (0, 12), (4, 12)]
    assert all(v.dtype == np.float32 for v in vectors)
    layers, mask = run(bilm, sentences)
    layers, mask = remove_sentence_boundaries(layers, mask)
    with torch.inference_mode():
        expected = mix(layers)
    for i, s in enumerate(sentences):
        np.testing.assert_allclose(vectors[i], expected[i, : len(s)].numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(all_layers[i], layers[:, i, : len(s)].numpy(), rtol=1e-5, atol=1e-6)
    # Second pass: every word comes from the cache, the vectors do not change.
    assert all(np.array_equal(a, b) for a, b in zip(vectors, encoder.encode_tokens(sentences)))


def test_encoder_layer_norm_is_per_sentence(bilm):
    mix = ScalarMix(3, do_layer_norm=True, trainable=False)
    encoder = ElmoEncoder(bilm, mix)
    alone = encoder.encode_tokens([["a", "b"]])[0]
    together = encoder.encode_tokens([["a", "b"], ["c", "d", "e", "f"]])[0]
    np.testing.assert_allclose(alone, together, rtol=1e-5, atol=1e-5)


def test_encoder_rejects_a_plain_string(bilm):
    with pytest.raises(TypeError, match="list of token lists"):
        ElmoEncoder(bilm).encode_tokens("a sentence")


def test_save_load_round_trip_gives_identical_vectors(bilm, tmp_path):
    mix = ScalarMix(3, initial_scalar_parameters=[1.0, 0.0, -1.0], initial_gamma=0.7, trainable=False)
    encoder = ElmoEncoder(bilm, mix)
    sentences = [["saved", "and", "loaded"], ["again"]]
    encoder.save(tmp_path / "elmo")
    encoder.save(tmp_path / "elmo")  # overwriting an existing model works too
    loaded = ElmoEncoder.load(tmp_path / "elmo")
    assert loaded.bilm.config == bilm.config
    for a, b in zip(encoder.encode_tokens(sentences), loaded.encode_tokens(sentences)):
        assert np.array_equal(a, b)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elmo"]


def test_load_refuses_an_unknown_format(tmp_path, bilm):
    ElmoEncoder(bilm).save(tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "config.json").read_text())
    meta["format_version"] = 99
    (tmp_path / "m" / "config.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="unsupported ELMo model format 99"):
        ElmoEncoder.load(tmp_path / "m")


def test_config_round_trips_through_json():
    for config in (ElmoConfig(), create_config("elmo-small")):
        assert ElmoConfig(**json.loads(json.dumps(asdict(config)))) == config
    with pytest.raises(ValueError, match="valid presets"):
        create_config("huge")


def test_config_from_allennlp_options():
    options = {
        "lstm": {"cell_clip": 3, "dim": 1024, "n_layers": 2, "proj_clip": 3, "projection_dim": 128,
                 "use_skip_connections": True},
        "char_cnn": {"activation": "relu", "embedding": {"dim": 16},
                     "filters": [[1, 32], [2, 32], [3, 64], [4, 128], [5, 256], [6, 512], [7, 1024]],
                     "max_characters_per_token": 50, "n_characters": 262, "n_highway": 1},
    }
    config = config_from_allennlp_options(options)
    assert config == ElmoConfig(**{**asdict(create_config("elmo-small")), "dropout": 0.0, "vocab_size": 0})
    assert sum(p.numel() for p in BiLm(config).parameters()) == 13_593_312  # published: 13.6M
