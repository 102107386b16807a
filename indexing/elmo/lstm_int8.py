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

Batched encoding (indexing, uploads) spends its time elsewhere: the input
half of the gates, one matmul over every token, was half of it in float.
It is now taken over the real tokens only (not the padding up to a batch's
longest sentence), in bfloat16 where the CPU runs it
(`input_weight_for_gates`); the state's peak is taken with ``amax`` (the
inf-norm was 15 times slower) and tanh as a sigmoid (`sigmoid_tanh`). On
one thread that doubled the shipped biLM's batched encoding, 4,050 to 8,350
tokens/s (``python -m indexing.elmo bench --model indexing/elmo/distilled``),
with its vectors still the same alone and in any batch.
"""

from __future__ import annotations

import functools
import logging
import threading
import warnings

import torch
from torch.nn import functional as F

logger = logging.getLogger(__name__)


def packed_recurrence(
    inputs: torch.Tensor,  # (batch, time, input_dim); padding follows each row's length
    lengths: list[int],  # (batch,) each row's length
    input_weight: torch.Tensor,  # (4 * cell, input_dim), as `input_weight_for_gates` gives it
    bias: torch.Tensor,  # (4 * cell,)
    packed: tuple[object, object],  # the recurrent and projection weights in int8 (`pack_int8`)
    proj: int,
    cell_clip: float,
    proj_clip: float,
    reverse: bool,
) -> torch.Tensor:
    """`lstm._recurrence` at inference in int8, stepping only the rows still
    inside their sentence at each step (as `pack_padded_sequence` does):
    with the rows longest first, those are a prefix of the batch, so a
    step costs no padding and no masking. The input half of the gates is
    one matmul over the real tokens only, laid out step by step as the loop
    reads them (a batch's longest sentence pads every other row to its
    length, and the padding was a third of that matmul), in bfloat16 where
    the CPU has it (`input_weight_for_gates`). A row's state and outputs are
    the masked loop's (its state starts at zero at its own first step and is
    not touched elsewhere; padded outputs are zero)."""
    batch, time = inputs.shape[:2]
    order = sorted(range(batch), key=lambda i: -lengths[i])
    if order != list(range(batch)):
        permuted = packed_recurrence(inputs[order], [lengths[i] for i in order], input_weight, bias, packed, proj,
                                      cell_clip, proj_clip, reverse)
        return permuted[torch.tensor(order).argsort()]
    active = [sum(n > t for n in lengths) for t in range(time)]  # rows inside their sentence at step t
    inside = torch.arange(batch)[None, :] < torch.tensor(active)[:, None]  # (time, batch), a prefix per step
    # (real tokens, 4 * cell), step after step, without the bias: the loop adds it with the recurrent half.
    gates = F.linear(inputs.transpose(0, 1)[inside].to(input_weight.dtype), input_weight)
    return steps()(gates, bias, active, batch, packed[0], packed[1], proj, cell_clip, proj_clip, reverse)


def input_weight_for_gates(weight: torch.Tensor) -> torch.Tensor:
    """The input weights as `packed_recurrence` multiplies them: in bfloat16
    where oneDNN runs it on this CPU, else in float. That matmul over every
    token was half of batched encoding in float; in bfloat16 it takes half
    the time, and the biLM's sentence-head vectors of 400 WikiText-2
    sentences kept a cosine of at least 0.9998 with the float model's, as
    the int8 recurrence alone did (bench/results/decisions.md, "LSTM")."""
    weight = weight.detach().float()
    return weight.bfloat16() if bfloat16_matmuls() else weight


def bfloat16_matmuls() -> bool:
    """Whether oneDNN multiplies bfloat16 on this CPU (AVX-512 or newer; an
    AVX2 CPU would emulate it slower than float); no on a torch without oneDNN."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def packed_steps(
    gates: torch.Tensor,  # (real tokens, 4 * cell), bfloat16 or float: step t's ``active[t]`` rows, step after step
    bias: torch.Tensor,  # (4 * cell,)
    active: list[int],
    batch: int,
    recurrent: torch.classes.quantized.LinearPackedParamsBase,
    projection: torch.classes.quantized.LinearPackedParamsBase,
    proj: int,
    cell_clip: float,
    proj_clip: float,
    reverse: bool,
) -> torch.Tensor:
    """The time loop of `packed_recurrence`, ``active[t]`` rows at step t;
    ``(batch, time, proj)``, zero where a row is padded."""
    time = len(active)
    cell = gates.shape[1] // 4
    starts = [0] * time  # where step t's rows begin in ``gates``
    for t in range(1, time):
        starts[t] = starts[t - 1] + active[t - 1]
    outputs = bias.new_zeros(batch, time, proj)
    h = bias.new_zeros(0, proj)
    c = bias.new_zeros(0, cell)
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
        step_gates = int8_linear(h, recurrent, bias) + gates[starts[t] : starts[t] + n]  # float
        ifo = torch.sigmoid(step_gates[:, : 3 * cell])
        c = ifo[:, cell : 2 * cell] * c + ifo[:, :cell] * sigmoid_tanh(step_gates[:, 3 * cell :])
        if cell_clip > 0:
            c = c.clamp(-cell_clip, cell_clip)
        h = int8_linear(ifo[:, 2 * cell :] * sigmoid_tanh(c), projection)
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


def sigmoid_tanh(x: torch.Tensor) -> torch.Tensor:
    """tanh(x) as 2 sigmoid(2x) - 1: the same to 2e-7, and on a CPU this
    torch's sigmoid runs about three times faster than its tanh (a step's two
    tanh were a tenth of batched encoding)."""
    return torch.sigmoid(x * 2).mul_(2).sub_(1)


def int8_linear(x: torch.Tensor, packed: torch.classes.quantized.LinearPackedParamsBase,
                add: torch.Tensor | None = None) -> torch.Tensor:
    """``x @ weight.T`` (batch, out) in int8 from float ``x`` (batch, in),
    plus ``add`` where given (one pass over the output instead of two):
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
    peak = x.abs().amax(dim=1, keepdim=True).clamp_min(1e-30)  # (batch, 1): max |x| (15x faster than the inf-norm)
    product = torch.ops.quantized.linear_with_input_q_dq_qweight_dq_output_fp32(x / peak, scale, zero_point, packed)
    return product * peak if add is None else torch.addcmul(add, product, peak)


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
