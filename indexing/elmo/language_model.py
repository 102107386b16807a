"""The biLM's training objective (Peters et al., 2018, eq. in section 3.1): jointly
maximise the forward log likelihood log p(t_k | t_1..t_{k-1}) and the backward one
log p(t_k | t_{k+1}..t_N), each from the top LSTM layer of its own direction, with
one softmax shared by both directions (as bilm-tf does).

Consumes windows of word-type indices with their targets and produces the mean
negative log likelihood per direction. The softmax is an exact adaptive softmax
(Grave et al., 2017, ``nn.AdaptiveLogSoftmaxWithLoss``); it is saved only in
training checkpoints, never with the shipped encoder.
"""

from __future__ import annotations

import logging

import torch
from torch import nn
from torch.nn import functional as F

from indexing.elmo.bilm import BiLm
from indexing.elmo.config import ElmoConfig

logger = logging.getLogger(__name__)


def default_cutoffs(vocab_size: int) -> list[int]:
    """Adaptive-softmax cluster boundaries: a 2k head, then 10k, then the tail."""
    cutoffs = [c for c in (2000, 10000) if c < vocab_size - 1]
    return cutoffs or [max(1, vocab_size // 2)]


class BiLmLanguageModel(nn.Module):
    def __init__(self, config: ElmoConfig) -> None:
        super().__init__()
        self.bilm = BiLm(config)
        self.softmax = nn.AdaptiveLogSoftmaxWithLoss(
            config.projection_dim, config.vocab_size, cutoffs=default_cutoffs(config.vocab_size), div_value=4.0
        )

    def forward(
        self, type_char_ids: torch.Tensor, type_rows: torch.Tensor, targets: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean NLL of the forward and the backward LM over a batch of windows.

        Args:
            type_char_ids: ``(types, chars)`` character ids of the word types in the batch
                (each type goes through the char CNN once, however often it occurs).
            type_rows: ``(batch, window)`` row in ``type_char_ids`` of every input token.
            targets: ``(2, batch, window)`` softmax ids: the next token (forward) and the
                previous token (backward) of every input position.
        """
        config = self.bilm.config
        token_vectors = self.bilm.char_cnn(type_char_ids)[type_rows]  # (batch, window, proj)
        forward_states, backward_states = self.bilm.directional_states(token_vectors, None)
        losses = []
        for top, target in zip((forward_states[-1], backward_states[-1]), targets):
            top = F.dropout(top, config.dropout, self.training).reshape(-1, config.projection_dim)
            losses.append(self.softmax(top, target.reshape(-1)).loss)
        return losses[0], losses[1]
