"""Occurrences of query words read in context for the explanation: which
sense a passage's "bank" has, read by the index's `SensesMethod` from the
words around it.

Consumes documents' sentences (text and tokens) and the positions of the
occurrences wanted; produces each occurrence as a `TaggedToken` (its sense,
its contextual vector). The biLM's cost grows with every token it reads, so
an occurrence is read from ``radius`` tokens either side of it, not its whole
sentence (occurrences whose windows overlap are read in one window), while
its context bag still comes from the whole sentence, as at index time.
Readings are cached across queries: popular passages come back query after
query. One `OccurrenceReader` serves one `SensesMethod` (its inventory
names the senses); `SearchEngine` keeps one for the senses of the
generation it last explained.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence

from indexing.documents import Token
from indexing.lru import LruCache
from indexing.senses.method import SensesMethod, TaggedToken

# Occurrences kept (~2.5 KB each).
READINGS_CACHED = 20_000


class OccurrenceReader:
    def __init__(self, senses: SensesMethod, size: int = READINGS_CACHED) -> None:
        self.senses = senses
        self._cache = LruCache(size)  # (sentence key, position) -> TaggedToken

    def read(self, texts: Sequence[str], token_lists: Sequence[list[Token]], positions: Sequence[Sequence[int]],
             radius: int, keys: Sequence[Hashable] | None = None) -> list[dict[int, TaggedToken]]:
        """The tokens at ``positions`` of each sentence (a document's text and
        the sentence's tokens), tagged with their sense in context. With
        ``keys`` (one per sentence, naming its document and span), readings
        are cached across calls."""
        found: list[dict[int, TaggedToken]] = [{} for _ in texts]
        windows: list[tuple[int, int, int, list[int]]] = []  # (sentence, lo, hi, its positions) still to read
        for s, (tokens, wanted) in enumerate(zip(token_lists, positions)):
            for i in sorted(set(wanted)):
                cached = self._cache.get((keys[s], i)) if keys is not None else None
                if cached is not None:
                    found[s][i] = cached
                    continue
                lo, hi = max(0, i - radius), min(len(tokens), i + radius + 1)
                if windows and windows[-1][0] == s and lo <= windows[-1][2]:
                    windows[-1] = (s, windows[-1][1], hi, [*windows[-1][3], i])
                else:
                    windows.append((s, lo, hi, [i]))
        layers = self.senses.reader.encode_layers([texts[s] for s, _, _, _ in windows],
                                                  [token_lists[s][lo:hi] for s, lo, hi, _ in windows])
        for (s, lo, _, wanted), window_layers in zip(windows, layers):
            vectors = self.senses.sense_vectors(window_layers)[[i - lo for i in wanted]]  # (len(wanted), d)
            for i, tagged in zip(wanted, self.senses.read(token_lists[s], wanted, vectors)):
                found[s][i] = tagged
                if keys is not None:
                    self._cache.put((keys[s], i), tagged)
        return found

    def forget(self) -> None:
        """Empty the cache (benchmarks time cold reads)."""
        self._cache.clear()
