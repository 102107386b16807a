"""Fixed-length training windows over a ``TokenStream`` (Peters et al., 2018 train
on 20-token windows; we carry no LSTM state from one window to the next).

Consumes a token stream, the vocabulary and ``max_chars``; produces batches as the
``BiLmLanguageModel`` takes them: the character ids of the word types in the
batch ``(types, chars)``, each input token's row among them ``(batch, window)``,
and the targets ``(2, batch, window)``: the token after (forward LM) and before
(backward LM) every input position. Window ``k`` reads the stream positions
``1 + k * window ...``, so every position has a target on both sides.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import torch

from indexing.elmo.characters import word_to_char_ids
from indexing.elmo.corpus import TokenStream
from indexing.elmo.vocab import Vocabulary

logger = logging.getLogger(__name__)

Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


class WindowBatches:
    def __init__(self, stream: TokenStream, vocab: Vocabulary, max_chars: int, window: int, batch_size: int) -> None:
        if len(stream) < window + 2:
            raise ValueError(f"corpus too small: {len(stream)} tokens for {window}-token windows")
        self.window, self.batch_size = window, batch_size
        self.type_chars = torch.tensor([word_to_char_ids(t, max_chars) for t in stream.types])  # (types, chars)
        self.type_targets = torch.tensor([vocab.id_of(t) for t in stream.types])  # (types,)
        self.tokens = torch.from_numpy(stream.token_types).long()  # (n_tokens,)
        self.n_windows = (len(stream) - 2) // window
        self._offsets = torch.arange(window + 2)

    @property
    def steps_per_epoch(self) -> int:
        """Full batches per epoch (the last partial batch is dropped in training)."""
        return self.n_windows // self.batch_size

    @property
    def tokens_per_step(self) -> int:
        return self.batch_size * self.window

    def make_batch(self, windows: torch.Tensor) -> Batch:
        span = self.tokens[windows.unsqueeze(1) * self.window + self._offsets]  # (batch, window + 2)
        types, rows = torch.unique(span[:, 1:-1], return_inverse=True)  # (types,), (batch, window)
        targets = torch.stack([self.type_targets[span[:, 2:]], self.type_targets[span[:, :-2]]])
        return self.type_chars[types], rows, targets

    def epoch(self, seed: int, epoch: int, start_step: int = 0) -> Iterator[tuple[int, Batch]]:
        """Shuffled full batches of epoch ``epoch``; the order depends only on (seed, epoch)."""
        generator = torch.Generator().manual_seed(seed * 100_003 + epoch)
        order = torch.randperm(self.n_windows, generator=generator)
        for step in range(start_step, self.steps_per_epoch):
            yield step, self.make_batch(order[step * self.batch_size : (step + 1) * self.batch_size])

    def in_order(self) -> Iterator[Batch]:
        """Every window once, in corpus order, the last batch possibly smaller."""
        for start in range(0, self.n_windows, self.batch_size):
            yield self.make_batch(torch.arange(start, min(start + self.batch_size, self.n_windows)))
