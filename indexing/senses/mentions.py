"""The inventory's defining words: a word whose WordNet definitions use a
lemma of the inventory in one sense points to that sense. "Donor: someone
who gives blood or tissue or an organ to be used in another person" uses
"organ" as the body's, so "donor" around an occurrence of "organ" leans to
that sense; "cathedral" and "recital" lean to the instrument. WordNet's
definitions were sense-tagged by hand for its gloss corpus, which Debian
does not package; here the inventory reads them itself (as eXtended
WordNet did: Harabagiu, Miller and Moldovan, 1999), offline, in
`mentions_build.py`, into ``data/dictionary_mentions.json``.

A reading's score adds ``scoring.MENTION_WEIGHT`` times each sense's
share of the votes of the terms around an occurrence (`Dictionary.scores`):
one word pointing to one sense moves it by the whole weight, two pointing
apart by half each. Added at query time, like the glosses, so the readings
indexing keeps do not change.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from indexing.senses.occurrence import Sense

DATA = Path(__file__).resolve().parent / "data"
FILE = "dictionary_mentions.json"


class Mentions:
    def __init__(self, lemmas: dict[str, dict[str, int]], entries_digest: str) -> None:
        self.lemmas = lemmas  # lemma -> the keyword term of a word whose definitions use it -> the sense's row
        self.entries_digest = entries_digest  # of the dictionary.json whose rows they point to

    @classmethod
    def load(cls, directory: Path = DATA) -> Mentions:
        stored = json.loads((directory / FILE).read_text())
        return cls(stored["lemmas"], stored["entries_digest"])

    def shares(self, senses: Sequence[Sense], terms: Iterable[str]) -> np.ndarray | None:
        """(len(senses),) each sense's share of the votes of ``terms`` (the
        keyword terms around an occurrence of the senses' word); None when
        no term votes."""
        votes: Counter[int] = Counter()
        for lemma in {sense.lemma for sense in senses}:
            if (pointing := self.lemmas.get(lemma)) is not None:
                votes.update(pointing[term] for term in terms if term in pointing)
        total = sum(votes.values())
        if not total:
            return None
        return np.array([votes[sense.row] / total for sense in senses], dtype=np.float32)
