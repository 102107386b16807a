"""Character ids for ELMo's character CNN (Peters et al., 2018, "Deep contextualized
word representations", NAACL).

Consumes tokenised sentences (``list[list[str]]``) and produces the character-id
tensor the char CNN reads, in the exact layout of AllenNLP's ``ELMoCharacterMapper``
so that the published ELMo weights can be used:

- a word is its UTF-8 bytes (0..255), truncated to ``max_chars - 2`` bytes, wrapped in
  a begin-of-word (258) and an end-of-word (259) marker and right-padded with 260;
- the sentence boundary tokens ``<S>`` and ``</S>`` are the special "words"
  ``[258, 256, 259, 260, ...]`` and ``[258, 257, 259, 260, ...]``;
- every id is then shifted by +1, so that 0 means "no token here" (a padded token
  is all zeros) and the embedding table has 262 rows.
"""

from __future__ import annotations

import logging

import torch

logger = logging.getLogger(__name__)

BEGIN_OF_SENTENCE = 256
END_OF_SENTENCE = 257
BEGIN_OF_WORD = 258
END_OF_WORD = 259
PADDING_CHAR = 260
N_CHARACTERS = 262  # 261 ids above plus the 0 that means "padded token"

BOS_TOKEN = "<S>"
EOS_TOKEN = "</S>"
ELMO_MAX_CHARS = 50  # the published models use 50


def _special_word(marker: int, max_chars: int) -> list[int]:
    ids = [PADDING_CHAR] * max_chars
    ids[0], ids[1], ids[2] = BEGIN_OF_WORD, marker, END_OF_WORD
    return [i + 1 for i in ids]


def word_to_char_ids(word: str, max_chars: int = ELMO_MAX_CHARS) -> list[int]:
    """Shifted character ids of one token, always ``max_chars`` long.

    ``"<S>"`` and ``"</S>"`` map to the sentence-boundary arrays, as in AllenNLP.
    Longer words keep their first ``max_chars - 2`` bytes and both word markers.
    """
    if max_chars < 3:
        raise ValueError(f"max_chars must be at least 3 (BOW, one byte, EOW), got {max_chars}")
    if word == BOS_TOKEN:
        return _special_word(BEGIN_OF_SENTENCE, max_chars)
    if word == EOS_TOKEN:
        return _special_word(END_OF_SENTENCE, max_chars)
    encoded = word.encode("utf-8", "ignore")[: max_chars - 2]
    ids = [PADDING_CHAR] * max_chars
    ids[0] = BEGIN_OF_WORD
    ids[1 : len(encoded) + 1] = encoded
    ids[len(encoded) + 1] = END_OF_WORD
    return [i + 1 for i in ids]


def batch_to_ids(
    sentences: list[list[str]],
    max_chars: int = ELMO_MAX_CHARS,
    add_boundaries: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Character ids and token mask for a batch of tokenised sentences.

    Args:
        sentences: one list of token strings per sentence (may be empty).
        max_chars: characters per token (50 for the published models).
        add_boundaries: wrap every sentence in ``<S>`` ... ``</S>``.

    Returns:
        ``ids``: LongTensor ``(batch, tokens, max_chars)``, right-padded with all-zero
        tokens; ``tokens`` is the longest sentence (+2 with boundaries).
        ``mask``: BoolTensor ``(batch, tokens)``, True at real tokens (boundaries included).
    """
    if isinstance(sentences, str) or any(isinstance(s, str) for s in sentences):
        raise TypeError("sentences must be a list of token lists (not a string or a list of strings)")
    extra = 2 if add_boundaries else 0
    longest = max((len(s) for s in sentences), default=0) + extra
    ids = torch.zeros((len(sentences), longest, max_chars), dtype=torch.long)  # (batch, tokens, chars)
    mask = torch.zeros((len(sentences), longest), dtype=torch.bool)  # (batch, tokens)
    for row, sentence in enumerate(sentences):
        tokens = [BOS_TOKEN, *sentence, EOS_TOKEN] if add_boundaries else list(sentence)
        if tokens:
            ids[row, : len(tokens)] = torch.tensor([word_to_char_ids(t, max_chars) for t in tokens])
            mask[row, : len(tokens)] = True
    return ids, mask
