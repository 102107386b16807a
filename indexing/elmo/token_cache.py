"""Per-word cache of ELMo's layer 0 (Peters et al., 2018): the char-CNN output
depends on the word alone, so each word type goes through the CNN once.

Consumes token lists and a ``CharCNN`` in eval mode; produces the token vectors
``(batch, tokens + 2, projection_dim)`` of a batch wrapped in ``<S>``/``</S>``,
zero at padding, plus the bool mask ``(batch, tokens + 2)``.
The cache is only valid for the weights it was filled with; ``clear()`` it after
changing them.
"""

from __future__ import annotations

import logging

import torch

from indexing.elmo.char_cnn import CharCNN
from indexing.elmo.characters import BOS_TOKEN, EOS_TOKEN, word_to_char_ids

logger = logging.getLogger(__name__)


class TokenVectorCache:
    def __init__(self, char_cnn: CharCNN, max_words: int = 200_000, cnn_batch_size: int = 2048) -> None:
        self.char_cnn = char_cnn
        self.max_words = max_words  # the cache is emptied when it would grow past this
        self.cnn_batch_size = cnn_batch_size
        self._vectors: dict[str, torch.Tensor] = {}

    def __len__(self) -> int:
        return len(self._vectors)

    def clear(self) -> None:
        self._vectors.clear()

    def _fill(self, words: list[str]) -> None:
        max_chars = self.char_cnn.config.max_chars
        for start in range(0, len(words), self.cnn_batch_size):
            chunk = words[start : start + self.cnn_batch_size]
            ids = torch.tensor([word_to_char_ids(w, max_chars) for w in chunk])  # (words, chars)
            vectors = self.char_cnn(ids)  # (words, proj)
            self._vectors.update(zip(chunk, vectors))

    def token_vectors(self, sentences: list[list[str]]) -> tuple[torch.Tensor, torch.Tensor]:
        """Layer-0 vectors ``(batch, tokens + 2, proj)`` and mask ``(batch, tokens + 2)``."""
        padded = [[BOS_TOKEN, *s, EOS_TOKEN] for s in sentences]
        types = list(dict.fromkeys(w for s in padded for w in s))
        missing = [w for w in types if w not in self._vectors]
        if len(self._vectors) + len(missing) > self.max_words:
            logger.debug("token vector cache full (%d words); emptying it", len(self._vectors))
            self._vectors.clear()
            missing = types
        self._fill(missing)
        row_of = {w: i + 1 for i, w in enumerate(types)}  # row 0 is the zero vector of padding
        vectors = [self._vectors[w] for w in types]
        table = torch.stack([torch.zeros_like(vectors[0]), *vectors])  # (1 + types, proj)
        longest = max(len(s) for s in padded)
        rows = torch.zeros((len(padded), longest), dtype=torch.long)  # (batch, tokens + 2)
        for i, s in enumerate(padded):
            rows[i, : len(s)] = torch.tensor([row_of[w] for w in s])
        return table[rows], rows > 0
