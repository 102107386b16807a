"""ELMo token vectors for tokenised sentences (Peters et al., 2018): the biLM
(passed in, as AllenNLP's ``Elmo(module=...)``) plus a ``ScalarMix``.

Consumes ``list[list[str]]`` and produces one float32 array per sentence:
``(n_tokens, dim)`` mixed vectors from ``encode_tokens``, or every layer,
``(n_layers + 1, n_tokens, dim)``, from ``encode_layers``; ``dim = 2 * projection_dim``.

Speed: sentences are sorted by length so a batch carries little padding (64
sentences a batch measured fastest: the LSTM state stays in cache), the char CNN
runs once per word type (``TokenVectorCache``), and everything runs under
``torch.inference_mode``. Threads: torch's intra-op pool defaults to one thread
per core; ``torch.set_num_threads(n)`` once at start-up leaves cores for other
work (``python -m indexing.elmo bench`` measures 1 vs 2 threads). On a box shared
with other busy processes, set ``OMP_WAIT_POLICY=PASSIVE`` before torch is
imported: with OpenMP's default spinning, two threads encoded many times slower
than one. Besides torch's pool, the backward LSTM stack runs on a second Python
thread beside the forward one (``PARALLEL_DIRECTIONS``), with identical vectors,
which makes both a query and batched encoding faster on 2 cores (the figures:
bench/results/decisions.md). One encoder may be shared between threads
(e.g. a Streamlit ``cache_resource``): batches are serialised by a lock, since torch
already uses every core for one batch; a long encoding lets others' batches in
between its own.

Encoding switches on ``torch.set_flush_denormal(True)`` while a batch runs (and off
after): saturated LSTM gates produce denormal floats, which made encoding several
times slower on the dev CPU; flushing them to zero changes results by less than 1e-38.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from indexing.elmo.bilm import BiLm, flushing_denormals, remove_sentence_boundaries
from indexing.elmo.persistence import load_bilm, load_heads, read_model_meta, save_bilm
from indexing.elmo.scalar_mix import ScalarMix
from indexing.elmo.token_cache import TokenVectorCache
from indexing.linalg import unit_rows

logger = logging.getLogger(__name__)

# Run the backward LSTM stack on a second thread while this one runs the
# forward stack (``BiLm.directional_states``); SENSESEARCH_BILM_PARALLEL=0 turns it off.
PARALLEL_DIRECTIONS = os.environ.get("SENSESEARCH_BILM_PARALLEL", "1") != "0"
# The product's encoders (``indexing.contextual.shared_reader``) run the LSTMs'
# recurrent matmuls in int8 (``lstm_int8.py``); SENSESEARCH_BILM_INT8=0 keeps them in float.
INT8_INFERENCE = os.environ.get("SENSESEARCH_BILM_INT8", "1") != "0"

ProgressCallback = Callable[[int, int], None]


class ElmoEncoder:
    def __init__(self, bilm: BiLm, scalar_mix: ScalarMix | None = None, batch_size: int = 64,
                 sentence_head: dict[str, torch.Tensor] | None = None, int8: bool = False) -> None:
        """``int8``: run the LSTMs' recurrent matmuls in int8 on a CPU (``lstm_int8.py``)."""
        self.bilm = bilm.eval().use_int8(int8)
        # A distilled model's linear map from a sentence's mean mixed vector into
        # its teacher's sentence space (``distill.py``); None for a plain biLM.
        self.sentence_head = None
        if sentence_head is not None:
            self.sentence_head = (sentence_head["weight"].numpy().astype(np.float32),
                                  sentence_head["bias"].numpy().astype(np.float32))
        # Default mix: the plain average of all layers, no layer norm.
        self.scalar_mix = scalar_mix or ScalarMix(bilm.n_output_layers, trainable=False)
        if self.scalar_mix.n_layers != bilm.n_output_layers:
            raise ValueError(f"scalar mix has {self.scalar_mix.n_layers} layers, the biLM {bilm.n_output_layers}")
        self.batch_size = batch_size
        self.parallel = PARALLEL_DIRECTIONS  # the backward stack on a second thread (one thread when False)
        self.cache = TokenVectorCache(bilm.char_cnn)
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        return self.bilm.config.output_dim

    def encode_tokens(
        self, sentences: list[list[str]], batch_size: int | None = None, on_progress: ProgressCallback | None = None
    ) -> list[np.ndarray]:
        """Mixed ELMo vectors: one float32 ``(n_tokens, dim)`` array per sentence."""
        return self._encode(sentences, batch_size, True, on_progress)

    def encode_layers(
        self, sentences: list[list[str]], batch_size: int | None = None, on_progress: ProgressCallback | None = None
    ) -> list[np.ndarray]:
        """All biLM layers: one float32 ``(n_layers + 1, n_tokens, dim)`` array per sentence."""
        return self._encode(sentences, batch_size, False, on_progress)

    def _encode(
        self, sentences: list[list[str]], batch_size: int | None, mix: bool, on_progress: ProgressCallback | None
    ) -> list[np.ndarray]:
        if isinstance(sentences, str) or any(isinstance(s, str) for s in sentences):
            raise TypeError("sentences must be a list of token lists (not a string or a list of strings)")
        batch_size = batch_size or self.batch_size
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]), reverse=True)
        results: list[np.ndarray | None] = [None] * len(sentences)
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                chunk = order[start : start + batch_size]
                with self._lock, flushing_denormals():  # per batch: a query waits for one batch of an upload
                    arrays = self._encode_batch([list(sentences[i]) for i in chunk], mix)
                for i, array in zip(chunk, arrays):
                    results[i] = array
                if on_progress is not None:
                    on_progress(min(start + batch_size, len(order)), len(order))
        return results  # type: ignore[return-value]

    def _encode_batch(self, sentences: list[list[str]], mix: bool) -> list[np.ndarray]:
        token_vectors, mask = self.cache.token_vectors(sentences)  # (batch, tokens + 2, proj)
        # (layers, batch, tokens + 2, dim)
        layers = self.bilm.layers_from_token_vectors(token_vectors, mask, self.parallel)
        layers, mask = remove_sentence_boundaries(layers, mask)  # (layers, batch, tokens, dim)
        lengths = [len(s) for s in sentences]
        if not mix:
            return [layers[:, i, :n].numpy().astype(np.float32) for i, n in enumerate(lengths)]
        if self.scalar_mix.do_layer_norm:
            # Layer-norm statistics are per sentence here, so a sentence's vectors do
            # not depend on what it is batched with (AllenNLP takes them per batch).
            return [
                self.scalar_mix(layers[:, i : i + 1, :n], mask[i : i + 1, :n])[0].numpy().astype(np.float32)
                for i, n in enumerate(lengths)
            ]
        mixed = self.scalar_mix(layers)  # (batch, tokens, dim)
        return [mixed[i, :n].numpy().astype(np.float32) for i, n in enumerate(lengths)]

    @property
    def head_dim(self) -> int | None:
        return None if self.sentence_head is None else int(self.sentence_head[0].shape[0])

    def head(self, pooled: np.ndarray) -> np.ndarray:
        """Sentence-head vectors ``(n, head_dim)`` (not normalised) of mean mixed
        vectors ``(n, dim)``; the head is linear, so the mean of heads is the head of the mean."""
        if self.sentence_head is None:
            raise ValueError("this biLM has no sentence head (it was not distilled)")
        weight, bias = self.sentence_head
        return pooled @ weight.T + bias

    def head_vectors(self, layers: list[np.ndarray], weights: np.ndarray | None = None) -> np.ndarray:
        """Unit sentence-head vectors ``(n, head_dim)``, one per text's layers
        ``(n_layers, n_tokens, dim)``: the head of the ``weights``-mixed mean
        over all its tokens (default: the mix the biLM was trained with). An
        empty text gives a zero vector."""
        if weights is None:
            weights = self.scalar_mix.layer_weights().detach().numpy()
        pooled = np.stack([np.tensordot(weights, layer.mean(axis=1), axes=1) if layer.shape[1]
                           else np.zeros(layer.shape[2], dtype=np.float32) for layer in layers])
        vectors = unit_rows(self.head(pooled)).astype(np.float32)
        vectors[[layer.shape[1] == 0 for layer in layers]] = 0.0
        return vectors

    def char_vectors(self, words: list[str]) -> np.ndarray:
        """The char CNN's token vectors ``(n, proj)`` of single words."""
        if not words:
            return np.zeros((0, self.bilm.char_cnn.config.projection_dim), dtype=np.float32)
        with self._lock, flushing_denormals(), torch.inference_mode():
            return self.cache.word_vectors(list(words)).numpy().astype(np.float32, copy=False)  # a new tensor

    def word_vectors(self, words: list[str]) -> np.ndarray:
        """Context-free vectors ``(n, dim)`` of single words: layer 0 (the char
        CNN's token vector, duplicated for the two directions as in ``layers``)."""
        single = self.char_vectors(words)
        return np.concatenate([single, single], axis=1)

    def save(self, directory: str | Path) -> Path:
        """Write the biLM and the mix settings (see ``persistence.py``)."""
        mix = {
            "scalar_parameters": self.scalar_mix.scalar_parameters.tolist(),
            "gamma": float(self.scalar_mix.gamma),
            "do_layer_norm": self.scalar_mix.do_layer_norm,
        }
        return save_bilm(self.bilm, directory, extra={"scalar_mix": mix})

    @classmethod
    def load(cls, directory: str | Path, batch_size: int = 64, int8: bool = False) -> ElmoEncoder:
        """An encoder from a directory written by ``save`` (or ``persistence.save_bilm``);
        ``int8`` as in the constructor."""
        bilm = load_bilm(directory)
        settings = read_model_meta(directory)["extra"].get("scalar_mix")
        mix = None
        if settings is not None:
            mix = ScalarMix(
                bilm.n_output_layers,
                do_layer_norm=settings["do_layer_norm"],
                initial_scalar_parameters=settings["scalar_parameters"],
                initial_gamma=settings["gamma"],
                trainable=False,
            )
        return cls(bilm, mix, batch_size=batch_size, sentence_head=load_heads(directory).get("sentence_head"),
                   int8=int8)
