"""Throughput of the ELMo encoder and trainer on this machine (Peters et al., 2018
biLM; the figures that picked the shipped config).

Consumes a preset name and thread counts; produces plain dicts: parameter count,
encoding tokens/s (cold: every word type new to the char-CNN cache; warm: all
cached) and training tokens/s, measured on WikiText-2 valid sentences. With a
model directory (``--model``), the encoding throughput of that model as the
product loads it (`indexing.contextual.shared_reader`: the LSTMs' recurrence in
int8 unless SENSESEARCH_BILM_INT8=0), on one thread and with the backward stack
on a second, against the ELMo issue's target of ``TARGET_TOKENS_PER_S`` on one.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from itertools import islice
from pathlib import Path
from statistics import median

import torch

from indexing.elmo.batches import WindowBatches
from indexing.elmo.bilm import BiLm
from indexing.elmo.config import ElmoConfig, create_config
from indexing.elmo.corpus import TokenStream
from indexing.elmo.encoder import ElmoEncoder
from indexing.elmo.language_model import BiLmLanguageModel
from indexing.elmo.sources import WIKITEXT_VALID, wikitext_paragraphs
from indexing.elmo.tokenizer import tokenize_sentences
from indexing.elmo.vocab import Vocabulary

logger = logging.getLogger(__name__)
TARGET_TOKENS_PER_S = 6000  # batched encoding on one thread (the ELMo issue's target)


def benchmark_sentences(n_sentences: int = 2000) -> list[list[str]]:
    sentences = (s for p in wikitext_paragraphs(WIKITEXT_VALID) for s in tokenize_sentences(p))
    return list(islice(sentences, n_sentences))


def encoding_throughput(config: ElmoConfig, sentences: list[list[str]], batch_size: int = 64) -> dict[str, float]:
    torch.manual_seed(0)
    return _throughput(ElmoEncoder(BiLm(config), batch_size=batch_size), sentences)


def _throughput(encoder: ElmoEncoder, sentences: list[list[str]], warm_passes: int = 1) -> dict[str, float]:
    """Tokens/s of ``encoder`` over ``sentences``: the first pass fills the
    per-word cache (cold), the median of the next ``warm_passes`` is warm."""
    n_tokens = sum(map(len, sentences))
    rates = []
    for _ in range(1 + warm_passes):
        start = time.perf_counter()
        encoder.encode_tokens(sentences)
        rates.append(n_tokens / (time.perf_counter() - start))
    return {"encode_cold_tokens_per_s": round(rates[0]), "encode_warm_tokens_per_s": round(median(rates[1:]))}


def model_throughput(directory: Path, n_sentences: int = 1000) -> list[dict[str, object]]:
    """Batched encoding by the model in ``directory`` as the product reads
    it, on one torch thread: the two directions one after the other (one
    thread in all), then the backward stack on its own thread beside."""
    from indexing.elmo.encoder import INT8_INFERENCE

    torch.set_num_threads(1)
    sentences = benchmark_sentences(n_sentences)
    rows = []
    for parallel in (False, True):
        encoder = ElmoEncoder.load(directory, int8=INT8_INFERENCE)  # a fresh per-word cache: cold is cold
        encoder.parallel = parallel
        row: dict[str, object] = {"model": str(directory), "int8": INT8_INFERENCE,
                                  "threads": "2 (backward stack beside)" if parallel else "1",
                                  "tokens": sum(map(len, sentences)), **_throughput(encoder, sentences, 3)}
        if not parallel:
            row["target_one_thread_tokens_per_s"] = TARGET_TOKENS_PER_S
            row["target_met"] = row["encode_warm_tokens_per_s"] >= TARGET_TOKENS_PER_S
        logger.info("benchmark: %s", row)
        rows.append(row)
    return rows


def training_throughput(
    config: ElmoConfig, sentences: list[list[str]], window: int = 20, batch_size: int = 128, steps: int = 8
) -> float:
    stream = TokenStream.from_sentences(sentences)
    vocab = Vocabulary.build(stream.counts(), config.vocab_size)
    model = BiLmLanguageModel(replace(config, vocab_size=len(vocab))).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    torch.set_flush_denormal(True)  # as train_elmo does
    data = WindowBatches(stream, vocab, config.max_chars, window, batch_size)
    batches = [batch for _, batch in islice(data.epoch(seed=0, epoch=0), steps + 1)]
    start = 0.0
    for i, (type_chars, rows, targets) in enumerate(batches):
        if i == 1:  # the first step warms up allocators
            start = time.perf_counter()
        forward_loss, backward_loss = model(type_chars, rows, targets)
        optimizer.zero_grad(set_to_none=True)
        ((forward_loss + backward_loss) / 2).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    return round(steps * data.tokens_per_step / (time.perf_counter() - start))


def run_benchmark(preset: str, threads: list[int], train_steps: int = 8) -> list[dict[str, object]]:
    config = create_config(preset)
    sentences = benchmark_sentences()
    results = []
    for n in threads:
        torch.set_num_threads(n)
        row: dict[str, object] = {
            "preset": preset,
            "threads": n,
            "parameters": sum(p.numel() for p in BiLm(config).parameters()),
        }
        row.update(encoding_throughput(config, sentences))
        row["train_tokens_per_s"] = training_throughput(config, sentences, steps=train_steps)
        logger.info("benchmark: %s", row)
        results.append(row)
    return results
