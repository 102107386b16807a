"""Highway layers (Srivastava et al., 2015, "Highway Networks"), as ELMo's char CNN uses them.

Consumes and produces ``(..., dim)``. One layer computes, with one matmul,

    y = g * x + (1 - g) * relu(W_t x + b_t),    g = sigmoid(W_g x + b_g)

(the AllenNLP convention: ``g`` is the share of the input carried through).
bilm-tf writes the same layer as ``c * relu(...) + (1 - c) * x`` with a "carry" gate
``c = sigmoid(W_carry x + b_carry)``, so ``g = 1 - c = sigmoid(-(W_carry x + b_carry))``:
loading bilm-tf weights negates ``W_carry`` and ``b_carry`` (see ``weights.py``).
"""

from __future__ import annotations

import logging

import torch
from torch import nn
from torch.nn import functional as F

logger = logging.getLogger(__name__)


class Highway(nn.Module):
    def __init__(self, dim: int, n_layers: int) -> None:
        super().__init__()
        self.dim = dim
        # Each layer's output rows are [transform (dim) ; gate (dim)].
        self.layers = nn.ModuleList(nn.Linear(dim, 2 * dim) for _ in range(n_layers))
        for layer in self.layers:
            # A gate bias of 1 starts every layer close to carrying its input forward.
            nn.init.constant_(layer.bias[dim:], 1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            transform, gate = layer(x).chunk(2, dim=-1)  # (..., dim) each
            gate = torch.sigmoid(gate)
            x = gate * x + (1.0 - gate) * F.relu(transform)
        return x
