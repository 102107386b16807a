"""The biLM's LSTM at inference in int8 on a CPU (``ProjectedLstm.int8``,
set by ``BiLm.use_int8``; the layer itself is indexing/elmo/lstm.py).

The loop's two matmuls run in int8: each weight row quantised once with its
own scale, each row of the state per step with its own, in 7 bits
(``int8_linear``). A query reads a few short windows, a batch too small to
keep the CPU's multipliers busy, so each step waits on reading the 5 MB of
float weights: int8 reads a quarter of that, and one step of a 10-window
batch took 0.07 ms instead of 0.6. The distilled biLM's sentence-head
vectors of 1,182 CoarseWSD-20 test windows kept a cosine of at least 0.9998
with the float ones, and the general inventory read 2,238 of their 2,244
readings the same (bench/results/decisions.md).

That loop (``packed_recurrence``) also steps only the rows still inside
their sentence, with the same outputs as masking every step. Its int8
matmuls are small enough that Python's per-op overhead was a third of a
step, and the backward stack's thread waited on the forward one for the GIL;
compiled by TorchScript, the loop runs without either, with identical
outputs: the biLM's reading of 200 real queries p95 70-85 -> 26 ms.
"""

from __future__ import annotations

import functools
import logging
import threading
import warnings

import torch

logger = logging.getLogger(__name__)


def packed_recurrence(
    input_gates: torch.Tensor,  # (batch, time, 4 * cell), input half and bias
    lengths: list[int],  # (batch,) each row's length; padding follows it
    packed: tuple[object, object],  # the two weights in int8 (`pack_int8`)
    proj: int,
    cell_clip: float,
    proj_clip: float,
    reverse: bool,
) -> torch.Tensor:
    """`lstm._recurrence` at inference in int8, stepping only the rows still
    inside their sentence at each step (as `pack_padded_sequence` does):
    with the rows longest first, those are a prefix of the batch, so a
    step costs no padding and no masking. A row's state and outputs are
    the masked loop's (its state starts at zero at its own first step and
    is not touched elsewhere; padded outputs are zero)."""
    batch, time = input_gates.shape[:2]
    order = sorted(range(batch), key=lambda i: -lengths[i])
    if order != list(range(batch)):
        permuted = packed_recurrence(input_gates[order], [lengths[i] for i in order], packed, proj, cell_clip,
                                      proj_clip, reverse)
        return permuted[torch.tensor(order).argsort()]
    active = [sum(n > t for n in lengths) for t in range(time)]  # rows inside their sentence at step t
    return steps()(input_gates, active, packed[0], packed[1], proj, cell_clip, proj_clip, reverse)


def packed_steps(
    input_gates: torch.Tensor,
    active: list[int],
    recurrent: torch.classes.quantized.LinearPackedParamsBase,
    projection: torch.classes.quantized.LinearPackedParamsBase,
    proj: int,
    cell_clip: float,
    proj_clip: float,
    reverse: bool,
) -> torch.Tensor:
    """The time loop of `packed_recurrence`, ``active[t]`` rows at step t."""
    batch, time, four_cells = input_gates.shape
    cell = four_cells // 4
    outputs = input_gates.new_zeros(batch, time, proj)
    h = input_gates.new_zeros(0, proj)
    c = input_gates.new_zeros(0, cell)
    for step in range(time):
        t = time - 1 - step if reverse else step
        n = active[t]
        if n > h.shape[0]:  # a reverse step reaches shorter rows' last tokens: they start from zero
            h = torch.cat([h, h.new_zeros(n - h.shape[0], proj)])
            c = torch.cat([c, c.new_zeros(n - c.shape[0], cell)])
        elif n < h.shape[0]:  # a forward step passes shorter rows' ends: they are done
            h, c = h[:n], c[:n]
        if n == 0:
            continue
        gates = input_gates[:n, t] + int8_linear(h, recurrent)
        ifo = torch.sigmoid(gates[:, : 3 * cell])
        c = ifo[:, cell : 2 * cell] * c + ifo[:, :cell] * torch.tanh(gates[:, 3 * cell :])
        if cell_clip > 0:
            c = c.clamp(-cell_clip, cell_clip)
        h = int8_linear(ifo[:, 2 * cell :] * torch.tanh(c), projection)
        if proj_clip > 0:
            h = h.clamp(-proj_clip, proj_clip)
        outputs[:n, t] = h
    return outputs


def steps():
    """`packed_steps` compiled by TorchScript, which runs the loop without
    Python's per-op overhead and without the GIL, so the backward stack's
    thread (`BiLm.directional_states`) really runs beside the forward one;
    the plain function where this torch cannot compile it. Same outputs.
    Compiled once per process: the two directions' threads ask at once."""
    with _compile_lock:
        return _compiled_steps()


_compile_lock = threading.Lock()


@functools.cache
def _compiled_steps():
    try:
        with warnings.catch_warnings():
            # torch 2.13 (pinned) calls TorchScript deprecated; it still compiles this loop, 4x faster
            # than Python with both directions on their threads (bench/results/decisions.md, "LSTM").
            warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*torch.jit.script.*")
            return torch.jit.script(packed_steps)
    except Exception as error:  # noqa: BLE001 - any failure to compile leaves the plain loop, which is correct
        logger.warning("TorchScript unavailable for the int8 LSTM loop (%s): running it in Python", error)
        return packed_steps


def int8_linear(x: torch.Tensor, packed: torch.classes.quantized.LinearPackedParamsBase) -> torch.Tensor:
    """``x @ weight.T`` (batch, out) in int8 from float ``x`` (batch, in):
    each row scaled into [-1, 1] by its own largest magnitude, quantised
    with one fixed scale, and scaled back. Rows never share a scale, so a
    window's reading does not depend on the windows batched with it."""
    # The state is quantised to 7 bits (1..127 around 64), not 8: on a CPU with
    # AVX2 but no VNNI, fbgemm multiplies uint8 by int8 with vpmaddubsw, which
    # saturates each sum of two products at 32,767, and 254 * 127 * 2 is twice
    # that. With 8 bits a random 32-wide product there was off by 5.6 of 18.7;
    # with 7, by 0.2 (and on every CPU the same). (Local: TorchScript compiles
    # this function, and takes no float from the module.)
    scale, zero_point = 1.0 / 63.0, 64
    peak = torch.linalg.vector_norm(x, float("inf"), dim=1, keepdim=True).clamp_min(1e-30)  # (batch, 1): max |x|
    return torch.ops.quantized.linear_with_input_q_dq_qweight_dq_output_fp32(x / peak, scale, zero_point, packed) * peak


def pack_int8(weight: torch.Tensor) -> object:
    """``weight`` (out, in) quantised to int8 with one scale per output row,
    packed for ``int8_linear``."""
    weight = weight.detach().float()
    scales = (weight.abs().amax(dim=1) / 127.0).clamp_min(1e-12).double()
    zero_points = torch.zeros(weight.shape[0], dtype=torch.long)
    with warnings.catch_warnings():
        # torch 2.13 (pinned) says its quantised tensors are deprecated; their
        # int8 matmuls are what this path runs, and it falls back to float without them.
        warnings.filterwarnings("ignore", message=".*quantize_per_channel.*deprecated")
        quantised = torch.quantize_per_channel(weight, scales, zero_points, 0, torch.qint8)
    return torch.ops.quantized.linear_prepack(quantised, None)
