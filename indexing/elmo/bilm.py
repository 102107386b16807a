"""The bidirectional language model behind ELMo (Peters et al., 2018, "Deep
contextualized word representations", NAACL, section 3.1-3.4).

Consumes character ids ``(batch, tokens, chars)`` and a token mask ``(batch, tokens)``
(sentences wrapped in ``<S>`` ... ``</S>``, see ``characters.batch_to_ids``) and
produces every biLM layer, ``(n_layers + 1, batch, tokens, 2 * projection_dim)``:
layer 0 is the char-CNN token vector twice (``[x, x]``), layers 1.. are the forward
and backward LSTM states side by side. The two directions are separate stacks that
never see each other's states; every LSTM layer but the first adds its input to
its output (residual connection), as in bilm-tf. Inference is stateless: unlike
AllenNLP's ``Elmo``, nothing is carried from one batch to the next, so a sentence
gets the same vectors whatever it is batched with (to about 1e-6 in float; in
int8, ``use_int8``, to about 1e-4, where a float difference of 1e-7 in an
input rounds one int8 step the other way).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import torch
from torch import nn
from torch.nn import functional as F

from indexing.elmo.char_cnn import CharCNN
from indexing.elmo.config import ElmoConfig
from indexing.elmo.lstm import ProjectedLstm

logger = logging.getLogger(__name__)


class BiLm(nn.Module):
    def __init__(self, config: ElmoConfig) -> None:
        super().__init__()
        self.config = config
        self.char_cnn = CharCNN(config)
        self.forward_layers = nn.ModuleList(self._lstm(config, reverse=False) for _ in range(config.n_layers))
        self.backward_layers = nn.ModuleList(self._lstm(config, reverse=True) for _ in range(config.n_layers))

    @staticmethod
    def _lstm(config: ElmoConfig, reverse: bool) -> ProjectedLstm:
        d = config.projection_dim
        return ProjectedLstm(d, config.cell_dim, d, config.cell_clip, config.proj_clip, reverse=reverse)

    @property
    def n_output_layers(self) -> int:
        return self.config.n_layers + 1

    def use_int8(self, enabled: bool = True) -> BiLm:
        """Run the LSTMs' recurrent matmuls in int8 at inference on a CPU
        (``lstm_int8.py``); training and gradients stay in float."""
        for lstm in (*self.forward_layers, *self.backward_layers):
            lstm.int8 = enabled
        return self

    def forward(self, char_ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``(batch, tokens, chars)``, ``(batch, tokens)`` -> ``(n_layers + 1, batch, tokens, 2 * proj)``."""
        return self.layers_from_token_vectors(self.char_cnn(char_ids), mask)

    def layers_from_token_vectors(self, token_vectors: torch.Tensor, mask: torch.Tensor,
                                  parallel: bool = False) -> torch.Tensor:
        """All ELMo layers from precomputed layer-0 vectors ``(batch, tokens, proj)``;
        ``parallel`` as in ``directional_states``."""
        token_vectors = token_vectors * mask.unsqueeze(-1).to(token_vectors.dtype)
        forward_states, backward_states = self.directional_states(token_vectors, mask, parallel)
        layers = [torch.cat([token_vectors, token_vectors], dim=-1)]
        layers += [torch.cat(pair, dim=-1) for pair in zip(forward_states, backward_states)]
        return torch.stack(layers)  # (n_layers + 1, batch, tokens, 2 * proj)

    def directional_states(
        self, token_vectors: torch.Tensor, mask: torch.Tensor | None, parallel: bool = False
    ) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Per-layer LSTM outputs of each direction, each ``(batch, tokens, proj)``.

        Dropout (training only) is applied to every LSTM layer's input, as bilm-tf does.
        With ``parallel`` (inference only), the backward stack runs on a second
        thread while this one runs the forward stack: the two never meet, and
        each is a loop of small one-thread matmuls that leaves a core idle.
        """
        if parallel and not self.training:
            grad, inference = torch.is_grad_enabled(), torch.is_inference_mode_enabled()

            def backward() -> list[torch.Tensor]:
                # Autograd modes and denormal flushing are per thread: copy the caller's.
                with torch.inference_mode(inference), torch.set_grad_enabled(grad), flushing_denormals():
                    return self._stack_states(self.backward_layers, token_vectors, mask)

            pending = _second_thread().submit(backward)
            forward_states = self._stack_states(self.forward_layers, token_vectors, mask)
            return forward_states, pending.result()
        return (self._stack_states(self.forward_layers, token_vectors, mask),
                self._stack_states(self.backward_layers, token_vectors, mask))

    def _stack_states(self, stack: nn.ModuleList, x: torch.Tensor, mask: torch.Tensor | None) -> list[torch.Tensor]:
        states = []
        for index, lstm in enumerate(stack):
            h = lstm(F.dropout(x, self.config.dropout, self.training), mask)
            x = h + x if index > 0 and self.config.use_skip_connections else h
            states.append(x)
        return states


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


@contextmanager
def flushing_denormals() -> Iterator[None]:
    """Flush denormal floats to zero while the biLM runs, and switch it off
    again. Saturated LSTM gates produce denormals, which made encoding 5-10x
    slower on our CPU; the flag is the calling thread's CPU state, which other
    code (hypothesis, numerics that need IEEE subnormals) must not inherit."""
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(False)


def _second_thread() -> ThreadPoolExecutor:
    """One worker thread per process for the backward stacks (encoders
    serialise their batches, so one is all they can use)."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bilm-backward")
        return _executor


def _forget_executor() -> None:
    global _executor
    _executor = None  # a forked child has no worker thread: it starts its own


os.register_at_fork(after_in_child=_forget_executor)


def remove_sentence_boundaries(
    layers: torch.Tensor, mask: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Drop the ``<S>`` and ``</S>`` positions from biLM outputs.

    Args:
        layers: ``(..., batch, tokens + 2, dim)``, sentences right-padded.
        mask: bool ``(batch, tokens + 2)``, True at real tokens including boundaries.

    Returns:
        ``(..., batch, tokens, dim)`` with zeros after each sentence's last word, and
        the bool mask ``(batch, tokens)`` of real words.
    """
    lengths = mask.sum(dim=-1) - 2  # words per sentence
    positions = torch.arange(mask.shape[-1] - 2, device=mask.device)
    new_mask = positions.unsqueeze(0) < lengths.unsqueeze(-1)  # (batch, tokens)
    trimmed = layers[..., 1:-1, :] * new_mask.unsqueeze(-1).to(layers.dtype)
    return trimmed, new_mask
