"""Training text for the biLM (Peters et al., 2018): plain-text files in, token
arrays out.

``TextCorpus`` reads plain-text files (paragraphs separated by blank lines, or one
per line) and yields tokenised sentences; it can be iterated many times.
``TokenStream`` is a corpus as arrays: every sentence wrapped in ``<S>`` ... ``</S>``
and concatenated, each token stored as an index into the corpus's word types,
which is what training windows are cut from.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexing.atomic import atomic_path
from indexing.elmo.characters import BOS_TOKEN, EOS_TOKEN
from indexing.elmo.tokenizer import split_paragraphs, tokenize_sentences

logger = logging.getLogger(__name__)


class TextCorpus:
    def __init__(self, paths: Iterable[str | Path]) -> None:
        self.paths = [Path(p) for p in paths]
        missing = [str(p) for p in self.paths if not p.is_file()]
        if missing:
            raise FileNotFoundError(f"corpus files not found: {missing}")

    def __iter__(self) -> Iterator[list[str]]:
        for path in self.paths:
            for paragraph in split_paragraphs(path.read_text(encoding="utf-8", errors="replace")):
                yield from tokenize_sentences(paragraph)


def write_text_corpus(paragraphs: Iterable[str], path: str | Path) -> int:
    """Write paragraphs, blank-line separated, atomically; returns how many."""
    count = 0
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        for paragraph in paragraphs:
            f.write(paragraph.replace("\n", " ").strip() + "\n\n")
            count += 1
    return count


@dataclass(frozen=True)
class TokenStream:
    types: tuple[str, ...]  # every distinct token, in order of first appearance
    token_types: np.ndarray  # (n_tokens,) int32 indices into ``types``

    @classmethod
    def from_sentences(cls, sentences: Iterable[list[str]]) -> TokenStream:
        type_ids: dict[str, int] = {}
        stream: list[int] = []
        for sentence in sentences:
            for token in (BOS_TOKEN, *sentence, EOS_TOKEN):
                stream.append(type_ids.setdefault(token, len(type_ids)))
        return cls(tuple(type_ids), np.asarray(stream, dtype=np.int32))

    def __len__(self) -> int:
        return len(self.token_types)

    def counts(self) -> Counter[str]:
        per_type = np.bincount(self.token_types, minlength=len(self.types))
        return Counter(dict(zip(self.types, per_type.tolist())))
