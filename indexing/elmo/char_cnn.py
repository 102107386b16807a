"""Context-free token vectors from characters: ELMo's layer 0 (Peters et al., 2018;
the character CNN of Kim et al., 2016, "Character-Aware Neural Language Models").

Consumes character ids ``(..., max_chars)`` from ``characters.batch_to_ids`` and
produces token vectors ``(..., projection_dim)``:
character embedding -> convolutions of several widths, each max-pooled over the
characters -> activation -> highway layers -> linear projection.
The output depends on the word alone, so callers may cache it per word type.
"""

from __future__ import annotations

import logging

import torch
from torch import nn

from indexing.elmo.config import ElmoConfig
from indexing.elmo.highway import Highway

logger = logging.getLogger(__name__)


class CharCNN(nn.Module):
    def __init__(self, config: ElmoConfig) -> None:
        super().__init__()
        self.config = config
        # Row 0 is the "padded token" id and stays zero, as in AllenNLP.
        self.char_embedding = nn.Embedding(config.n_characters, config.char_embed_dim, padding_idx=0)
        self.convolutions = nn.ModuleList(
            nn.Conv1d(config.char_embed_dim, n_filters, kernel_size=width) for width, n_filters in config.filters
        )
        self.activation = torch.relu if config.activation == "relu" else torch.tanh
        self.highway = Highway(config.n_filters, config.n_highway)
        self.projection = nn.Linear(config.n_filters, config.projection_dim)

    def forward(self, char_ids: torch.Tensor) -> torch.Tensor:
        """``(..., max_chars)`` ids -> ``(..., projection_dim)`` token vectors."""
        leading = char_ids.shape[:-1]
        flat = char_ids.reshape(-1, char_ids.shape[-1])  # (words, chars)
        embedded = self.char_embedding(flat).transpose(1, 2)  # (words, char_dim, chars)
        pooled = [conv(embedded).amax(dim=-1) for conv in self.convolutions]  # (words, n_filters_i)
        features = self.activation(torch.cat(pooled, dim=-1))  # (words, n_filters)
        vectors = self.projection(self.highway(features))  # (words, projection_dim)
        return vectors.reshape(*leading, -1)
