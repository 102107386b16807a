"""Scalar mix of biLM layers: ELMo_k = gamma * sum_j softmax(s)_j * h_{k,j}
(Peters et al., 2018, eq. 1), with AllenNLP's optional layer normalisation.

Consumes the stacked layers ``(n_layers, batch, tokens, dim)`` (and, for layer
norm, the bool token mask ``(batch, tokens)``) and produces ``(batch, tokens, dim)``.
With ``do_layer_norm`` each layer is normalised before mixing by one mean and one
variance taken over all its non-padding values in the batch (not per token), as
AllenNLP's ``ScalarMix`` does.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import torch
from torch import nn

logger = logging.getLogger(__name__)


class ScalarMix(nn.Module):
    def __init__(
        self,
        n_layers: int,
        do_layer_norm: bool = False,
        initial_scalar_parameters: Sequence[float] | None = None,
        initial_gamma: float = 1.0,
        trainable: bool = True,
        eps: float = 1e-12,
    ) -> None:
        super().__init__()
        weights = list(initial_scalar_parameters) if initial_scalar_parameters is not None else [0.0] * n_layers
        if len(weights) != n_layers:
            raise ValueError(f"need {n_layers} initial scalar parameters, got {len(weights)}: {weights}")
        self.n_layers, self.do_layer_norm, self.eps = n_layers, do_layer_norm, eps
        self.scalar_parameters = nn.Parameter(torch.tensor(weights, dtype=torch.float32), requires_grad=trainable)
        self.gamma = nn.Parameter(torch.tensor(float(initial_gamma)), requires_grad=trainable)

    def layer_weights(self) -> torch.Tensor:
        """The softmax-normalised weights ``(n_layers,)``."""
        return torch.softmax(self.scalar_parameters, dim=0)

    def forward(self, layers: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """``(n_layers, batch, tokens, dim)`` -> ``(batch, tokens, dim)``."""
        if layers.shape[0] != self.n_layers:
            raise ValueError(f"expected {self.n_layers} layers, got {layers.shape[0]}")
        if self.do_layer_norm:
            if mask is None:
                raise ValueError("layer normalisation needs the token mask")
            layers = self._layer_norm(layers, mask)
        weights = self.layer_weights().to(layers.dtype).view(-1, 1, 1, 1)
        return self.gamma * (weights * layers).sum(dim=0)

    def _layer_norm(self, layers: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        keep = mask.unsqueeze(-1).to(layers.dtype)  # (batch, tokens, 1)
        count = keep.sum() * layers.shape[-1]  # non-padding values per layer
        mean = (layers * keep).sum(dim=(1, 2, 3), keepdim=True) / count  # (n_layers, 1, 1, 1)
        variance = (((layers - mean) * keep) ** 2).sum(dim=(1, 2, 3), keepdim=True) / count
        return (layers - mean) / torch.sqrt(variance + self.eps)
