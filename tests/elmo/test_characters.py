from __future__ import annotations

import pytest
import torch

from indexing.elmo.characters import batch_to_ids, word_to_char_ids

PAD = 261  # the padding character 260, shifted


def test_word_ids_follow_allennlp_mapper():
    # "a" is byte 97: BOW 258, 97, EOW 259, then padding 260; every id +1.
    assert word_to_char_ids("a") == [259, 98, 260] + [PAD] * 47


def test_multibyte_word_is_encoded_as_utf8_bytes():
    # "é" is 0xC3 0xA9.
    assert word_to_char_ids("é")[:5] == [259, 0xC3 + 1, 0xA9 + 1, 260, PAD]


def test_sentence_boundary_tokens():
    assert word_to_char_ids("<S>") == [259, 257, 260] + [PAD] * 47
    assert word_to_char_ids("</S>") == [259, 258, 260] + [PAD] * 47


@pytest.mark.parametrize("max_chars", [50, 20])
def test_long_words_keep_markers_and_first_bytes(max_chars):
    ids = word_to_char_ids("x" * 60, max_chars)
    assert ids == [259] + [ord("x") + 1] * (max_chars - 2) + [260]


def test_batch_pads_with_all_zero_tokens_and_adds_boundaries():
    ids, mask = batch_to_ids([["a", "bc"], ["d"]])
    assert ids.shape == (2, 4, 50) and ids.dtype == torch.long
    assert ids[0, 0].tolist() == word_to_char_ids("<S>")
    assert ids[0, 3].tolist() == word_to_char_ids("</S>")
    assert ids[1, 2].tolist() == word_to_char_ids("</S>")
    assert ids[1, 3].eq(0).all()
    assert mask.tolist() == [[True] * 4, [True, True, True, False]]


def test_batch_without_boundaries_and_small_max_chars():
    ids, mask = batch_to_ids([["hello"], []], max_chars=6, add_boundaries=False)
    assert ids.shape == (2, 1, 6)
    assert ids[0, 0].tolist() == [259, 105, 102, 109, 109, 260]  # "hell" kept, EOW kept
    assert not mask[1].any() and ids[1].eq(0).all()


def test_rejects_untokenised_input():
    with pytest.raises(TypeError, match="list of token lists"):
        batch_to_ids(["not", "tokenised"])
