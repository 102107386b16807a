"""Contextual token vectors for stored text: a `BiLMReader` per biLM and
process, shared by every method that reads with those weights, and
sentences tokenised the way it reads them.

Consumes document text and sentence spans; produces, per sentence, its tokens
(normalised word + character offsets into the document, punctuation included)
and the float32 biLM layers ``(3, n_tokens, dim)`` from ``ElmoEncoder``.
The encoder sees each token's original spelling: case is information the
char CNN was trained with. A reader owns what is worth reading once: the
queries it read lately (the ELMo method, the senses method and the
explanation read the same query), and the sentences of its last call
that read text, which the next caller may take instead of reading them
again: an index build reads each document with the ELMo method and then
keeps each ambiguous word's reading (indexing/senses/readings.py), both with
the distilled biLM, in turns of a few documents. Nothing is keyed by an
object's id in a module global.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from indexing.documents import Span, Token
from indexing.lru import LruCache
from indexing.text import is_content_word, split_sentences, tokenize

logger = logging.getLogger(__name__)

# Our own biLMs, shipped in the repository (see each one's MODEL_CARD.md):
# "shipped", the language model alone (`python -m indexing.elmo train`), which
# the senses read; "distilled", the larger one taught by a sentence encoder
# (`python -m indexing.elmo distill`), which the ELMo column ranks with.
SHIPPED_MODEL = Path(__file__).resolve().parent / "elmo" / "model"
DISTILLED_MODEL = Path(__file__).resolve().parent / "elmo" / "distilled"
MAX_TOKENS = 120  # sentences are at most 80 words (text.MAX_SENTENCE_WORDS) plus punctuation
# torch threads for encoding. One: a query's batch of ten short passages is too
# small to split, and with a second busy process on 2 cores, two threads encoded
# them slower than one; batched indexing gained nothing from two
# (bench/results/decisions.md). SENSESEARCH_TORCH_THREADS overrides.
DEFAULT_THREADS = 1
# A call that reads more tokens than this is not kept for the next caller
# (`BiLMReader.encode_layers`): each token's layers take 6 KB, and what the
# next caller does not take stays until a later call reads text.
MAX_KEPT_TOKENS = 100_000

_readers: dict[str, BiLMReader] = {}  # weights digest -> the process's reader of those weights
_readers_lock = threading.Lock()


def model_path(model: str) -> Path:
    """The directory of model ``model``: "shipped", "distilled" or a path."""
    return {"shipped": SHIPPED_MODEL, "distilled": DISTILLED_MODEL}.get(model) or Path(model)


def weights_digest(directory: Path) -> str:
    """A short digest of a model's weights: which model encoded an index.
    Hashed once per version of the file (its path, inode, size and times: a
    model saved anew, in place or by a rename, is hashed anew):
    `shared_reader` asks for it on every call, and hashing the distilled
    biLM's weights took 15 ms, a tenth of a query's time budget."""
    path = (Path(directory) / "weights.pt").resolve()
    stat = path.stat()
    return _file_digest(str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


@functools.lru_cache(maxsize=16)
def _file_digest(path: str, *version: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def shared_reader(directory: Path) -> BiLMReader:
    """One `BiLMReader` per set of weights and process: its encoder's weights,
    its per-word char-CNN cache and the reader's caches are shared by every
    method, generation and session (calls are serialised by the encoder's
    own lock). Its LSTMs run in int8 on a CPU (indexing/elmo/lstm_int8.py;
    SENSESEARCH_BILM_INT8=0: in float)."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # only helps before torch loads
    import torch

    from indexing.elmo.encoder import INT8_INFERENCE, ElmoEncoder

    torch.set_num_threads(int(os.environ.get("SENSESEARCH_TORCH_THREADS", DEFAULT_THREADS)))

    key = weights_digest(Path(directory))
    with _readers_lock:
        if key not in _readers:
            _readers[key] = BiLMReader(ElmoEncoder.load(directory, int8=INT8_INFERENCE))
            logger.info("loaded ELMo encoder from %s", directory)
        return _readers[key]


def sentence_tokens(text: str, span: Span) -> list[Token]:
    """The tokens of ``text[span]`` (words and punctuation), offsets into ``text``."""
    tokens = tokenize(text[span.start : span.end], keep_punct=True)[:MAX_TOKENS]
    return [Token(t.norm, t.start + span.start, t.end + span.start) for t in tokens]


def document_sentences(documents, sentences) -> tuple[list[str], list[list[Token]], list[int]]:
    """Every sentence of ``documents`` as the encoders read it: its document's
    text, its tokens, and the row of its document in ``documents``. Stored
    sentence spans come from ``sentences`` (doc id -> spans), else the text
    is split here."""
    texts, token_lists, owner = [], [], []
    for row, document in enumerate(documents):
        for span in sentences.get(document.id) or split_sentences(document.text):
            texts.append(document.text)
            token_lists.append(sentence_tokens(document.text, span))
            owner.append(row)
    return texts, token_lists, owner


def surface(text: str, tokens: Sequence[Token]) -> list[str]:
    return [text[t.start : t.end] for t in tokens]


def content_mask(tokens: Sequence[Token]) -> np.ndarray:
    """True for the tokens that carry meaning (not stop words or punctuation)."""
    return np.array([is_content_word(t.norm) for t in tokens], dtype=bool)


class BiLMReader:
    """One biLM as the methods of a process read it."""

    def __init__(self, encoder) -> None:
        self.encoder = encoder
        self._recent_queries = LruCache(64)
        # The sentences the last call of `encode_layers` read (their spelling -> layers), each given out once.
        self._last_read: dict[tuple[str, ...], np.ndarray] = {}

    def forget_recent(self) -> None:
        """Empty the cache of recently read queries and sentences (benchmarks time cold queries)."""
        self._recent_queries.clear()
        self._last_read = {}

    def read_query(self, text: str) -> tuple[list[list[Token]], list[np.ndarray]]:
        """A query's sentences (``query_sentences``) and each one's biLM layers
        ``(n_layers, n_tokens, dim)``. A query is read as documents are,
        sentence by sentence, in one batch: the biLM then walks the longest
        sentence, not the whole query (a 77-token CISI query is 2-3
        sentences). Cached: the ELMo method, the senses method and the
        explanation read the same query."""
        if (found := self._recent_queries.get(text)) is None:
            token_lists = query_sentences(text)
            found = (token_lists, _encode(self.encoder, [surface(text, tokens) for tokens in token_lists], None))
            self._recent_queries.put(text, found)
        token_lists, layers = found
        return list(token_lists), [layer.copy() for layer in layers]

    def encode_layers(self, texts: Sequence[str], token_lists: Sequence[Sequence[Token]],
                      on_progress: Callable[[int, int], None] | None = None) -> list[np.ndarray]:
        """biLM layers ``(n_layers, n_tokens, dim)`` per sentence; an empty
        sentence gives ``(n_layers, 0, dim)``. A sentence that the last call
        to read any text read is taken from it, once (the arrays are then
        read-only); if every sentence is, ``on_progress`` hears of the end only."""
        spelled = [tuple(surface(text, tokens)) for text, tokens in zip(texts, token_lists)]
        last = self._last_read
        found = [last.pop(words, None) if words else None for words in spelled]
        missing = [i for i, layers in enumerate(found) if layers is None]
        if not missing:
            if on_progress is not None:
                on_progress(len(spelled), len(spelled))
            return found
        for i, layers in zip(missing, _encode(self.encoder, [list(spelled[i]) for i in missing], on_progress)):
            layers.flags.writeable = False
            found[i] = layers
        read = sum(len(spelled[i]) for i in missing)
        self._last_read = {spelled[i]: found[i] for i in missing if spelled[i]} if read <= MAX_KEPT_TOKENS else {}
        return found


def forget_recent() -> None:
    """Every reader forgets the queries it read (benchmarks time cold queries)."""
    with _readers_lock:
        readers = list(_readers.values())
    for reader in readers:
        reader.forget_recent()


def query_sentences(text: str) -> list[list[Token]]:
    """The tokens of each sentence of a query, offsets into ``text``."""
    return [sentence_tokens(text, span) for span in split_sentences(text) or [Span(0, len(text))]]


def _encode(encoder, spelled: list[list[str]], on_progress: Callable[[int, int], None] | None) -> list[np.ndarray]:
    nonempty = [i for i, s in enumerate(spelled) if s]
    encoded = encoder.encode_layers([spelled[i] for i in nonempty], on_progress=on_progress) if nonempty else []
    n_layers, dim = encoder.bilm.n_output_layers, encoder.dim
    out = [np.zeros((n_layers, 0, dim), dtype=np.float32) for _ in spelled]
    for i, layers in zip(nonempty, encoded):
        out[i] = layers
    return out
