"""LSTM with a clipped memory cell and a projected hidden state (Sak et al., 2014,
"Long Short-Term Memory Recurrent Neural Network Architectures for Large Scale
Acoustic Modeling"), the recurrent layer of ELMo's biLM (bilm-tf's
``LSTMCell(num_proj=...)``, AllenNLP's ``LstmCellWithProjection``).

Consumes ``(batch, time, input_dim)`` plus a ``(batch, time)`` mask and produces
``(batch, time, projection_dim)``, zero at padded positions. One step:

    [i, f, o, g] = W_x x_t + W_h h_{t-1} + b          (our gate order)
    c_t = clip(sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g), cell_clip)
    h_t = clip(P (sigmoid(o) * tanh(c_t)), proj_clip)

The input half ``W_x x`` is one matmul over all time steps; only ``W_h h`` and the
projection stay inside the time loop. In float, at ELMo's sizes, the loop is
bound by its matmuls, not by Python: TorchScript bought little there, and
training stays plain PyTorch. The int8 inference loop (lstm_int8.py) is bound by
Python and the GIL instead, and runs compiled by TorchScript (`lstm_int8.steps`).
A reverse layer walks from the last position to the first. Padding only ever
follows a sentence, and a masked step leaves the state untouched, so every
sentence starts from a zero state at its own last token: the same as running it
reversed within its own length.

Without clipping (``cell_clip`` and ``proj_clip`` None), the same layer is
``torch.lstm`` with ``proj_size`` (cuDNN on a GPU, a fused C++ loop on a CPU),
fed our weights with the gates reordered: ``fused_lstm`` is that path, with the
same outputs to float precision (tested). On a GPU the Python loop is bound by
kernel launches, which is what the fused path is for. On a CPU the loop stays:
torch's projected LSTM has no oneDNN kernel, and its fallback encoded slower
than the loop (the figures: bench/results/decisions.md). Clipped models (the bilm-tf recipe, the published
weights) always take the loop.

Inference on a CPU may run the loop's two matmuls in int8 (``int8``, set by
``BiLm.use_int8``): indexing/elmo/lstm_int8.py.
Training, and anything that asks for gradients, always runs in float.
"""

from __future__ import annotations

import logging
import warnings

import torch
from torch import nn
from torch.nn import functional as F

from indexing.elmo import lstm_int8

logger = logging.getLogger(__name__)
# torch.lstm says once per process that oneDNN has no projected LSTM and that it
# uses its own implementation instead: that is the path we want on a CPU.
warnings.filterwarnings("ignore", message="LSTM with projections is not supported with oneDNN")


def _recurrence(
    input_gates: torch.Tensor,  # (batch, time, 4 * cell), input half and bias
    mask: torch.Tensor | None,  # (batch, time, 1) float, None when nothing is padded
    state_weight: torch.Tensor,  # (4 * cell, proj)
    projection_weight: torch.Tensor,  # (proj, cell)
    cell_clip: float,
    proj_clip: float,
    reverse: bool,
) -> torch.Tensor:
    batch, time, _ = input_gates.shape
    proj, cell = projection_weight.shape
    h = input_gates.new_zeros(batch, proj)
    c = input_gates.new_zeros(batch, cell)
    outputs: list[torch.Tensor] = [h] * time
    for t in reversed(range(time)) if reverse else range(time):
        gates = torch.addmm(input_gates[:, t], h, state_weight.t())  # (batch, 4 * cell)
        ifo = torch.sigmoid(gates[:, : 3 * cell])  # (batch, 3 * cell)
        new_c = ifo[:, cell : 2 * cell] * c + ifo[:, :cell] * torch.tanh(gates[:, 3 * cell :])
        if cell_clip > 0:
            new_c = new_c.clamp(-cell_clip, cell_clip)
        output = ifo[:, 2 * cell :] * torch.tanh(new_c)  # (batch, cell)
        new_h = torch.mm(output, projection_weight.t())  # (batch, proj)
        if proj_clip > 0:
            new_h = new_h.clamp(-proj_clip, proj_clip)
        if mask is not None:
            m = mask[:, t]  # (batch, 1)
            new_h = new_h * m
            c = torch.lerp(c, new_c, m)
            h = torch.lerp(h, new_h, m)
        else:
            c, h = new_c, new_h
        outputs[t] = new_h
    return torch.stack(outputs, dim=1)  # (batch, time, proj)


class ProjectedLstm(nn.Module):
    """One direction of one biLM layer."""

    def __init__(
        self,
        input_dim: int,
        cell_dim: int,
        projection_dim: int,
        cell_clip: float | None = 3.0,
        proj_clip: float | None = 3.0,
        reverse: bool = False,
    ) -> None:
        super().__init__()
        self.input_dim, self.cell_dim, self.projection_dim = input_dim, cell_dim, projection_dim
        self.cell_clip = float(cell_clip or 0.0)  # 0 means "no clipping"
        self.proj_clip = float(proj_clip or 0.0)
        self.reverse = reverse
        self.int8 = False  # CPU inference in int8 (module docstring); not saved with the weights
        self._packed: tuple[tuple[int, ...], tuple[object, object, torch.Tensor] | None] | None = None
        self.input_linearity = nn.Linear(input_dim, 4 * cell_dim, bias=False)
        self.state_linearity = nn.Linear(projection_dim, 4 * cell_dim, bias=True)
        self.state_projection = nn.Linear(cell_dim, projection_dim, bias=False)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for layer in (self.input_linearity, self.state_linearity, self.state_projection):
            nn.init.orthogonal_(layer.weight)
        nn.init.zeros_(self.state_linearity.bias)
        # Forget-gate bias 1 (Jozefowicz et al., 2015), what TF's forget_bias=1.0 does.
        nn.init.ones_(self.state_linearity.bias[self.cell_dim : 2 * self.cell_dim])

    @property
    def fusable(self) -> bool:
        return self.cell_clip == 0 and self.proj_clip == 0

    def forward(self, inputs: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """``(batch, time, input_dim)``, bool ``(batch, time)`` -> ``(batch, time, projection_dim)``."""
        if self.fusable and inputs.is_cuda:
            return fused_lstm(self, inputs, mask)
        int8 = self.int8 and not self.training and not inputs.is_cuda and not torch.is_grad_enabled()
        packed = self._int8_weights() if int8 else None
        if packed is not None:
            lengths = (mask.sum(dim=1).tolist() if mask is not None else [inputs.shape[1]] * inputs.shape[0])
            return lstm_int8.packed_recurrence(inputs, lengths, packed[2], self.state_linearity.bias, packed[:2],
                                               self.projection_dim, self.cell_clip, self.proj_clip, self.reverse)
        # (batch, time, 4 * cell): the input half of every step in one matmul.
        input_gates = F.linear(inputs, self.input_linearity.weight, self.state_linearity.bias)
        padded = mask is not None and not bool(mask.all())
        step_mask = mask.unsqueeze(-1).to(inputs.dtype) if padded else None  # (batch, time, 1)
        return _recurrence(
            input_gates,
            step_mask,
            self.state_linearity.weight,
            self.state_projection.weight,
            self.cell_clip,
            self.proj_clip,
            self.reverse,
        )

    def _int8_weights(self) -> tuple[object, object, torch.Tensor] | None:
        """The recurrent and projection weights packed in int8, and the
        input weights as the int8 path multiplies them (bfloat16 where the
        CPU runs it: `lstm_int8.input_weight_for_gates`), made once per
        version of the weights (an optimiser step or a load makes new ones);
        None where this torch cannot (the loop then runs in float)."""
        weights = (self.state_linearity.weight, self.state_projection.weight, self.input_linearity.weight)
        version = tuple(v for w in weights for v in (w.data_ptr(), w._version))
        if self._packed is None or self._packed[0] != version:
            try:
                packed = (lstm_int8.pack_int8(weights[0]), lstm_int8.pack_int8(weights[1]),
                          lstm_int8.input_weight_for_gates(weights[2]))
                lstm_int8.int8_linear(weights[0].new_zeros(1, weights[0].shape[1]), packed[0])  # the matmul runs here too
            except (RuntimeError, AttributeError, NotImplementedError) as error:
                logger.warning("int8 LSTM unavailable (%s): running in float", error)
                packed = None
            self._packed = (version, packed)
        return self._packed[1]


# Our gate blocks are [i, f, o, g]; torch.lstm's are [i, f, g, o].
_TORCH_GATE_ORDER = (0, 1, 3, 2)


def _torch_gates(weight: torch.Tensor, cell: int) -> torch.Tensor:
    blocks = weight.split(cell, dim=0)
    return torch.cat([blocks[i] for i in _TORCH_GATE_ORDER], dim=0)


def reversal_index(mask: torch.Tensor) -> torch.Tensor:
    """``(batch, time)`` positions that reverse each row within its own length
    (padding stays in place); applying it twice is the identity."""
    time = mask.shape[1]
    positions = torch.arange(time, device=mask.device).expand_as(mask)
    lengths = mask.sum(dim=1, keepdim=True)
    return torch.where(positions < lengths, lengths - 1 - positions, positions)


def fused_lstm(layer: ProjectedLstm, inputs: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """``layer`` (unclipped) run by ``torch.lstm``: zero at padded positions, as the loop."""
    cell = layer.cell_dim
    params = [
        _torch_gates(layer.input_linearity.weight, cell),
        _torch_gates(layer.state_linearity.weight, cell),
        _torch_gates(layer.state_linearity.bias, cell),
        torch.zeros_like(layer.state_linearity.bias),
        layer.state_projection.weight,
    ]
    padded = mask is not None and not bool(mask.all())
    x = inputs
    if layer.reverse:
        index = reversal_index(mask) if padded else None
        x = x.flip(1) if index is None else x.gather(1, index.unsqueeze(-1).expand_as(x))
    batch = x.shape[0]
    h0 = x.new_zeros(1, batch, layer.projection_dim)
    c0 = x.new_zeros(1, batch, cell)
    out = torch.lstm(x.contiguous(), (h0, c0), params, True, 1, 0.0, layer.training, False, True)[0]
    if layer.reverse:
        out = out.flip(1) if index is None else out.gather(1, index.unsqueeze(-1).expand_as(out))
    if padded:
        out = out * mask.unsqueeze(-1).to(out.dtype)
    return out
