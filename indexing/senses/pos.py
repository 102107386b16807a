"""A word's part of speech where it stands, read off the distilled biLM: a
linear probe on the word's own states (its forward and backward LSTM states
of both layers, 1,024 numbers), built by ``pos_build.py`` into
``data/pos_probe.npz``.

Why: the inventory's sense vectors read topic, not syntax. On the
development homonyms the biLM read "the nail" in a carpentry story nearest
"to nail", "palms" nearest "to palm" and a houseplant nearest "to plant" in
20 of 28 wrong readings (bench/results/decisions.md). A sense reading adds
``POS_WEIGHT`` times the log of the probability of the sense's part of
speech (`dictionary.py`), so a noun sense wins where a noun stands unless
the rest says otherwise.

The probe never saw an ambiguous word: it was trained on words WordNet
gives one part of speech ("government", "quickly"; stop words are
"other") in licensable running text (`indexing.elmo prepare`), and it
tells nouns from verbs among words WordNet gives both in 93% of the Brown
corpus's uses (`python -m bench pos`; the most frequent part of speech in
SemCor: 84%).

Consumes a sentence's biLM layers ``(n_layers, n_tokens, dim)`` and
positions; produces log-probabilities over `CLASSES`.
"""
from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data"
FILE = "pos_probe.npz"
CLASSES = ("noun", "verb", "adj", "adv", "other")
LEAST_LOG_PROBABILITY = float(np.log(1e-4))  # one confident probe does not outweigh everything else

logger = logging.getLogger(__name__)


def token_states(layers: np.ndarray) -> np.ndarray:
    """What the probe reads of each token of a sentence's biLM layers: its
    states in LSTM layers 1 and 2 (each forward and backward), ``(n_tokens, 2 * dim)``."""
    return np.concatenate([layers[1], layers[2]], axis=1)


@dataclass(frozen=True)
class PosProbe:
    weights: np.ndarray  # (len(CLASSES), features), on raw states (the training's standardisation folded in)
    bias: np.ndarray  # (len(CLASSES),)
    model: str  # digest of the biLM weights it was trained on

    @classmethod
    def load(cls, directory: Path = DATA) -> PosProbe:
        with np.load(directory / FILE) as stored:
            return cls(stored["weights"].astype(np.float32), stored["bias"].astype(np.float32), str(stored["model"]))

    def save(self, directory: Path) -> None:
        np.savez_compressed(directory / FILE, weights=self.weights.astype(np.float32),
                            bias=self.bias.astype(np.float32), model=self.model, classes=np.array(CLASSES))

    @functools.cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.weights.tobytes() + self.bias.tobytes()).hexdigest()[:16]

    def log_probabilities(self, layers: np.ndarray, positions: Sequence[int]) -> np.ndarray:
        """``(len(positions), len(CLASSES))``: the log-probability of each
        part of speech at each position of a sentence read by the biLM
        (``layers``), floored at ``LEAST_LOG_PROBABILITY``."""
        if not len(positions):
            return np.zeros((0, len(CLASSES)), dtype=np.float32)
        logits = token_states(layers)[list(positions)] @ self.weights.T + self.bias
        logits = logits - logits.max(axis=1, keepdims=True)
        found = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return np.maximum(found, LEAST_LOG_PROBABILITY).astype(np.float32)


def share(log_probabilities: np.ndarray, parts_of_speech: set[str]) -> float:
    """How likely a word where it stands (its ``log_probabilities`` over
    `CLASSES`) is one of ``parts_of_speech``; an adjective counts for a noun,
    since a noun before a noun ("organ donor") reads as an adjective and is still the noun."""
    kinds = parts_of_speech | ({"adj"} if "noun" in parts_of_speech else set())
    return float(np.exp(log_probabilities[sorted(CLASSES.index(kind) for kind in kinds)]).sum())


def load_probe(model: str, directory: Path = DATA) -> PosProbe | None:
    """The shipped probe when it was trained on the biLM whose weights'
    digest is ``model``; else None, with a warning (senses are then read
    without the part of speech)."""
    if not (directory / FILE).exists():
        logger.warning("no part-of-speech probe; senses are read without it (python -m indexing.senses.pos_build)")
        return None
    probe = PosProbe.load(directory)
    if probe.model != model:
        logger.warning("the part-of-speech probe was trained on other biLM weights; senses are read without it "
                       "(python -m indexing.senses.pos_build)")
        return None
    return probe
