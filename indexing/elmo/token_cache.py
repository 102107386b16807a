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
    """Each word's char-CNN vector, kept as a row of one matrix: a batch or
    a document's vocabulary is then looked up by one index operation, not
    stacked from a tensor per word (a long article's 3,000 words took 30 ms
    to stack at each of a query's ten hits)."""

    def __init__(self, char_cnn: CharCNN, max_words: int = 200_000, cnn_batch_size: int = 2048) -> None:
        self.char_cnn = char_cnn
        self.max_words = max_words  # the cache is emptied when it would grow past this
        self.cnn_batch_size = cnn_batch_size
        self._row: dict[str, int] = {}  # word -> its row of `_matrix`
        self._matrix = torch.zeros((0, char_cnn.config.projection_dim))

    def __len__(self) -> int:
        return len(self._row)

    def clear(self) -> None:
        self._row.clear()
        self._matrix = self._matrix.new_zeros((0, self._matrix.shape[1]))

    def _fill(self, words: list[str]) -> None:
        """Read the words the cache lacks through the CNN (emptying it first if they would overfill it)."""
        missing = [w for w in dict.fromkeys(words) if w not in self._row]
        if not missing:
            return
        if len(self._row) + len(missing) > self.max_words:
            logger.debug("token vector cache full (%d words); emptying it", len(self._row))
            self.clear()
            missing = list(dict.fromkeys(words))
        with torch.inference_mode():  # the matrix is only ever changed in it
            self._add(missing)

    def _add(self, missing: list[str]) -> None:
        held = len(self._row)
        if held + len(missing) > len(self._matrix):  # grow by doubling
            grown = self._matrix.new_zeros((max(2 * len(self._matrix), held + len(missing)), self._matrix.shape[1]))
            grown[:held] = self._matrix[:held]
            self._matrix = grown
        max_chars = self.char_cnn.config.max_chars
        for start in range(0, len(missing), self.cnn_batch_size):
            chunk = missing[start : start + self.cnn_batch_size]
            ids = torch.tensor([word_to_char_ids(w, max_chars) for w in chunk])  # (words, chars)
            self._matrix[held + start : held + start + len(chunk)] = self.char_cnn(ids)  # (words, proj)
        self._row.update((w, held + i) for i, w in enumerate(missing))

    def word_vectors(self, words: list[str]) -> torch.Tensor:
        """Layer-0 vectors ``(n, proj)`` of single words, out of context."""
        self._fill(words)
        return self._matrix[torch.tensor([self._row[w] for w in words], dtype=torch.long)]

    def token_vectors(self, sentences: list[list[str]]) -> tuple[torch.Tensor, torch.Tensor]:
        """Layer-0 vectors ``(batch, tokens + 2, proj)`` and mask ``(batch, tokens + 2)``."""
        padded = [[BOS_TOKEN, *s, EOS_TOKEN] for s in sentences]
        types = list(dict.fromkeys(w for s in padded for w in s))
        self._fill(types)
        row_of = {w: i + 1 for i, w in enumerate(types)}  # row 0 is the zero vector of padding
        table = torch.cat([self._matrix.new_zeros((1, self._matrix.shape[1])),
                           self._matrix[torch.tensor([self._row[w] for w in types], dtype=torch.long)]])
        longest = max(len(s) for s in padded)
        rows = torch.zeros((len(padded), longest), dtype=torch.long)  # (batch, tokens + 2)
        for i, s in enumerate(padded):
            rows[i, : len(s)] = torch.tensor([row_of[w] for w in s])
        return table[rows], rows > 0
