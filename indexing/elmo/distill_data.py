"""Training batches for distilling a teacher into the biLM (``distill.py``):
pairs of neighbouring sentences of one paragraph.

Consumes plain-text corpus files (blank-line separated paragraphs); produces
batches of ``2 * pairs`` sentences, the first sentences of the pairs and then
their partners, so a contrastive objective finds each sentence's positive
``pairs`` rows away (Contriever's "two spans of one document"; a paragraph of
one sentence pairs with itself, which with dropout is SimCSE's positive).
Each batch holds the character ids of its word types, every position's row
among them ``(2 * pairs, words + 2)`` (``<S>`` and ``</S>`` included, -1 past
the end), the language model's targets and the words as strings, which is
what the teacher reads. Pairs of similar length are batched together (less
padding); the order depends only on (seed, epoch).
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from indexing.elmo.characters import BOS_TOKEN, EOS_TOKEN, word_to_char_ids
from indexing.elmo.tokenizer import split_paragraphs, tokenize_sentences
from indexing.elmo.vocab import Vocabulary

logger = logging.getLogger(__name__)

BUCKET_BATCHES = 50  # pairs are sorted by length within runs of this many batches


@dataclass(frozen=True)
class PairBatch:
    type_chars: torch.Tensor  # (types, chars) character ids of the batch's word types
    rows: torch.Tensor  # (2 * pairs, words + 2) row in type_chars, 0 past the end
    mask: torch.Tensor  # bool (2 * pairs, words + 2), True at real tokens incl. <S> and </S>
    targets: torch.Tensor  # (2, 2 * pairs, words + 1) softmax ids: next token (forward), previous (backward)
    words: list[list[str]]  # each sentence's words, for the teacher

    def to(self, device: str) -> PairBatch:
        return PairBatch(self.type_chars.to(device), self.rows.to(device), self.mask.to(device),
                         self.targets.to(device), self.words)


def corpus_paragraphs(paths: Iterable[str | Path], max_words: int) -> Iterator[list[list[str]]]:
    """Each paragraph's sentences as token lists, cut to ``max_words``."""
    for path in paths:
        for paragraph in split_paragraphs(Path(path).read_text(encoding="utf-8", errors="replace")):
            sentences = [s[:max_words] for s in tokenize_sentences(paragraph)]
            if sentences:
                yield sentences


class SentencePairs:
    def __init__(self, paragraphs: Iterable[list[list[str]]], vocab: Vocabulary | None, vocab_size: int,
                 max_chars: int) -> None:
        type_ids: dict[str, int] = {BOS_TOKEN: 0, EOS_TOKEN: 1}
        sentences: list[np.ndarray] = []
        pairs: list[tuple[int, int]] = []
        counts: Counter[str] = Counter()
        for paragraph in paragraphs:
            first = len(sentences)
            for sentence in paragraph:
                sentences.append(np.array([type_ids.setdefault(w, len(type_ids)) for w in sentence], dtype=np.int32))
                counts.update(sentence)
            last = len(sentences) - 1
            pairs += [(i, i + 1) for i in range(first, last)] or [(first, first)]
        if not pairs:
            raise ValueError("the corpus has no sentences")
        counts[BOS_TOKEN] = counts[EOS_TOKEN] = len(sentences)
        self.vocab = vocab or Vocabulary.build(counts, vocab_size)
        self.types = tuple(type_ids)
        self.sentences = sentences
        self.pairs = np.array(pairs, dtype=np.int64)  # (n_pairs, 2)
        self.type_chars = torch.tensor([word_to_char_ids(t, max_chars) for t in self.types])
        self.type_targets = torch.tensor([self.vocab.id_of(t) for t in self.types])
        self.n_tokens = sum(len(s) for s in sentences)

    def steps_per_epoch(self, pairs_per_batch: int) -> int:
        return len(self.pairs) // pairs_per_batch

    def epoch(self, pairs_per_batch: int, seed: int, epoch: int, start_step: int = 0) -> Iterator[tuple[int, PairBatch]]:
        rng = np.random.default_rng(seed * 100_003 + epoch)
        order = rng.permutation(len(self.pairs))
        steps = self.steps_per_epoch(pairs_per_batch)
        lengths = np.array([max(len(self.sentences[a]), len(self.sentences[b])) for a, b in self.pairs])
        batches: list[np.ndarray] = []
        span = BUCKET_BATCHES * pairs_per_batch
        for start in range(0, steps * pairs_per_batch, span):
            run = order[start : min(start + span, steps * pairs_per_batch)]
            run = run[np.argsort(lengths[run], kind="stable")]
            batches += [run[i : i + pairs_per_batch] for i in range(0, len(run), pairs_per_batch)]
        batches = [batches[i] for i in rng.permutation(len(batches))]
        for step in range(start_step, len(batches)):
            yield step, self.batch(batches[step])

    def batch(self, pair_rows: np.ndarray) -> PairBatch:
        picked = [self.sentences[i] for i in self.pairs[pair_rows, 0]] + [self.sentences[i] for i in self.pairs[pair_rows, 1]]
        width = max(len(s) for s in picked) + 2
        tokens = np.full((len(picked), width), -1, dtype=np.int64)
        for row, sentence in enumerate(picked):
            tokens[row, 0], tokens[row, 1 : len(sentence) + 1], tokens[row, len(sentence) + 1] = 0, sentence, 1
        tokens_t = torch.from_numpy(tokens)
        mask = tokens_t >= 0
        types, rows = torch.unique(tokens_t.clamp_min(0), return_inverse=True)
        ids = self.type_targets[tokens_t.clamp_min(0)]
        ignore = torch.full_like(ids, -100)
        ids = torch.where(mask, ids, ignore)
        targets = torch.stack([ids[:, 1:], ids[:, :-1]])  # forward: p -> p + 1; backward: p + 1 -> p
        words = [[self.types[t] for t in sentence.tolist()] for sentence in picked]
        return PairBatch(self.type_chars[types], rows, mask, targets, words)
