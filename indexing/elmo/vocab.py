"""The word vocabulary of the biLM's training softmax (Peters et al., 2018 predict
words, not characters, at the output).

Consumes word counts; produces a ``Vocabulary``: the special tokens plus the most
frequent words, most frequent first (the order ``AdaptiveLogSoftmaxWithLoss``
assumes; Grave et al., 2017). Every other word maps to ``<unk>``.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from indexing.elmo.characters import BOS_TOKEN, EOS_TOKEN

logger = logging.getLogger(__name__)

UNK_TOKEN = "<unk>"
SPECIAL_TOKENS = (UNK_TOKEN, BOS_TOKEN, EOS_TOKEN)


@dataclass(frozen=True)
class Vocabulary:
    words: tuple[str, ...]

    @cached_property
    def _index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    @property
    def unk_id(self) -> int:
        return self._index[UNK_TOKEN]

    def __len__(self) -> int:
        return len(self.words)

    def id_of(self, word: str) -> int:
        return self._index.get(word, self.unk_id)

    @classmethod
    def build(cls, counts: Counter[str], size: int) -> Vocabulary:
        """The ``size - 3`` most frequent words plus ``<unk>``, ``<S>``, ``</S>``."""
        if size <= len(SPECIAL_TOKENS):
            raise ValueError(f"vocabulary size must exceed {len(SPECIAL_TOKENS)}, got {size}")
        kept = [w for w, _ in counts.most_common() if w not in SPECIAL_TOKENS][: size - len(SPECIAL_TOKENS)]
        total = dict(counts)
        total[UNK_TOKEN] = sum(counts.values()) - sum(counts[w] for w in kept) - counts[BOS_TOKEN] - counts[EOS_TOKEN]
        ordered = sorted([*kept, *SPECIAL_TOKENS], key=lambda w: -total.get(w, 0))  # stable: ties keep order
        return cls(tuple(ordered))

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(list(self.words), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Vocabulary:
        return cls(tuple(json.loads(Path(path).read_text(encoding="utf-8"))))
