"""The part-of-speech probe (indexing/senses/pos.py, pos_build.py): what it
learns from, that the shipped one tells a noun from a verb where the word
stands, and that a sense reading weighs it."""
from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
import pytest

from indexing.contextual import DISTILLED_MODEL, shared_reader, weights_digest
from indexing.senses.dictionary import english_senses
from indexing.senses.occurrence import Window
from indexing.senses.pos import CLASSES, load_probe
from indexing.senses.pos_build import examples, label, parts_of_speech, train
from indexing.senses.wordnet import DEFAULT_DIR

needs_wordnet = pytest.mark.skipif(not DEFAULT_DIR.is_dir(), reason="WordNet (Debian's wordnet-base) is not installed")


@pytest.fixture(scope="module")
def general():
    dictionary = english_senses()
    assert dictionary is not None and dictionary.pos_probe is not None, "the shipped probe does not match the biLM"
    return dictionary


def pos_at(general, sentence: str, word: str) -> dict[str, float]:
    tokens = sentence.split()
    [layers] = shared_reader(DISTILLED_MODEL).encoder.encode_layers([tokens])
    [row] = general.pos_probe.log_probabilities(layers, [tokens.index(word)])
    return dict(zip(CLASSES, np.exp(row).tolist()))


@pytest.mark.parametrize("sentence, word, pos", [
    ("He drove a rusty nail into the old board .", "nail", "noun"),
    ("We nail the boards to the fence every spring .", "nail", "verb"),
    ("The chemical plant closed after the strike .", "plant", "noun"),
    ("They bank their money in Zurich .", "bank", "verb"),
    ("She held the coin in the palm of her hand .", "palm", "noun"),
])
def test_the_shipped_probe_reads_the_part_of_speech_where_the_word_stands(general, sentence, word, pos) -> None:
    found = pos_at(general, sentence, word)
    other = "verb" if pos == "noun" else "noun"
    assert found[pos] > 3 * found[other], found


def test_a_reading_weighs_the_part_of_speech_of_each_sense(general) -> None:
    tokens = "He drove a rusty nail into the old board .".split()
    [layers] = shared_reader(DISTILLED_MODEL).encoder.encode_layers([tokens])
    vector = np.ones(general.vectors.shape[1], dtype=np.float32) / np.sqrt(general.vectors.shape[1])
    [window] = general.windows(vector[None], layers, [4])
    senses = general.senses("nail")
    with_pos, without = general.cosines(senses, window), general.cosines(senses, Window(vector))
    gain = {s.pos: float(a - b) for s, a, b in zip(senses, with_pos, without)}
    assert gain["noun"] - gain["verb"] > 0.05  # a noun sense gains on every verb sense
    np.testing.assert_allclose(with_pos - without, general.pos_weight * window.pos[[CLASSES.index(s.pos)
                                                                                     for s in senses]], atol=1e-6)


def test_kept_readings_change_when_the_part_of_speech_weight_does(general) -> None:
    assert replace_weight(general, 0.0).digest != general.digest


def replace_weight(general, weight: float):
    from indexing.senses.dictionary import Dictionary

    return Dictionary(general.entries, general.vectors, general.model, glosses=general.glosses,
                      term_vectors=general.term_vectors, pos_probe=general.pos_probe, pos_weight=weight)


def test_a_probe_trained_on_other_biLM_weights_is_not_used(general, tmp_path, caplog) -> None:
    replace(general.pos_probe, model="0" * 16).save(tmp_path)
    with caplog.at_level(logging.WARNING):
        assert load_probe(weights_digest(DISTILLED_MODEL), tmp_path) is None
    assert "other biLM weights" in caplog.text
    assert load_probe("anything", tmp_path / "missing") is None


@needs_wordnet
def test_only_words_of_one_part_of_speech_and_stop_words_are_examples() -> None:
    pos_of = parts_of_speech(DEFAULT_DIR)
    assert label("government", pos_of) == CLASSES.index("noun")
    assert label("governments", pos_of) == CLASSES.index("noun")
    assert label("quickly", pos_of) == CLASSES.index("adv")
    assert label("the", pos_of) == CLASSES.index("other")
    assert label("nail", pos_of) is None  # a noun and a verb: never an example
    assert label("1984", pos_of) is None and label(",", pos_of) is None


@needs_wordnet
def test_training_on_a_little_text_learns_its_examples() -> None:
    text = ["The government announced a new policy on schools yesterday.",
            "Her brother quickly painted the kitchen walls a pale yellow.",
            "Several hospitals reported a sharp increase in patients this winter.",
            "The children happily explored the forest behind the village."] * 3
    sentences, labelled = examples(text, parts_of_speech(DEFAULT_DIR), tokens=10_000)
    assert len(sentences) == 12 and all(labelled)
    probe, figures = train(shared_reader(DISTILLED_MODEL).encoder, sentences, labelled, c=1.0, model="test")
    assert probe.weights.shape == (len(CLASSES), 2 * shared_reader(DISTILLED_MODEL).encoder.dim)
    assert figures["training accuracy"] > 0.9 and figures["examples"]["noun"] > 0


def test_a_word_used_as_none_of_its_senses_parts_of_speech_has_no_reading(general) -> None:
    # "near" has adjective and verb senses; in "homes near Sydney" it is neither.
    tokens = "bushfires threaten homes near Sydney".split()
    [layers] = shared_reader(DISTILLED_MODEL).encoder.encode_layers([tokens])
    vector = np.ones(general.vectors.shape[1], dtype=np.float32) / np.sqrt(general.vectors.shape[1])
    near, homes = general.windows(np.stack([vector, vector]), layers, [3, 2])
    assert not general.fits(general.senses("near"), near)
    assert general.read("near", near, query=True) is None
    assert general.fits(general.senses("home"), homes)
    assert general.fits(general.senses("near"), vector)  # without the part of speech, every word fits


def test_a_noun_before_a_noun_fits_its_noun_senses(general) -> None:
    tokens = "organ donor waiting list".split()
    [layers] = shared_reader(DISTILLED_MODEL).encoder.encode_layers([tokens])
    [window] = general.windows(np.ones((1, general.vectors.shape[1]), dtype=np.float32), layers, [0])
    assert general.fits(general.senses("organ"), window)
