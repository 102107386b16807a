"""What the general sense inventory (`dictionary.py`) reads an occurrence
from, and what it says of it: the inventory's `Sense`, an occurrence's
context as the biLM reads it (`Window`) or as its document's indexing kept
it (`Cosines`), and the `Reading` of its sense."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Sense:
    lemma: str
    label: str  # "sloping land"
    definition: str
    pos: str  # "noun", "verb" or "adj"
    weight: float  # SemCor count plus one half, summed over the synsets it groups
    row: int  # its vector's row
    proper: bool = False  # it names one person or place ("crane: United States writer")

    @property
    def name(self) -> str:
        """What the page shows: "bank: sloping land"."""
        return f"{self.lemma}: {self.label}"


@dataclass(frozen=True)
class Cosines:
    """An occurrence's context as its document's indexing kept it
    (`readings.py`, `Dictionary.in_document`): its cosine with each sense of
    its word, plus what the rest of its document says of the sense, by the
    sense's row. Every method that takes a context vector takes this instead."""
    by_row: dict[int, float]

    def of(self, rows: list[int]) -> np.ndarray | None:
        """The cosines of ``rows`` (float32), or None when one was not kept."""
        if any(row not in self.by_row for row in rows):
            return None
        return np.array([self.by_row[row] for row in rows], dtype=np.float32)


@dataclass(frozen=True)
class Window:
    """An occurrence as the distilled biLM reads it: the unit head vector of
    the words around it, and the log-probability of each part of speech
    where it stands (`pos.CLASSES`; None without the probe)."""
    vector: np.ndarray
    pos: np.ndarray | None = None


Context = np.ndarray | Window | Cosines  # a unit context vector (no part of speech), a window, or its kept cosines


@dataclass(frozen=True)
class Reading:
    sense: Sense | None  # None: sense unclear
    best: Sense  # the nearest sense, clear or not
    confidence: float  # the best score's margin over the second's
    # The senses it may be, best first: those within the clear margin of the best ((best,) when clear). An
    # unclear query word's, so that a passage in none of them still gets "other sense" (`Dictionary.rule_out`).
    plausible: tuple[Sense, ...] = ()
