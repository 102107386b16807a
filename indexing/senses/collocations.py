"""The inventory's collocations: a word beside a neighbour that WordNet
lists as a phrase of one of its senses ("fountain pen", "holding pen",
"vampire bat", "date palm") is read in that sense (one sense per
collocation: Yarowsky, 1993). Built from WordNet by
`collocations_build.py` into ``data/dictionary_collocations.json``; a
reading's score adds ``dictionary.COLLOCATION_WEIGHT`` to the sense its
neighbours point to (`Dictionary.scores`).

Only the words right before and after an occurrence count
(`glosses.WindowTerms`), as the phrase is written; the neighbour may be
inflected ("sheep pens" and "cattle pen" alike: the word's own form is
looked up through its lemmas).
"""
from __future__ import annotations

import json
from pathlib import Path

from indexing.senses.lexicon import english

DATA = Path(__file__).resolve().parent / "data"
FILE = "dictionary_collocations.json"


class Collocations:
    def __init__(self, lemmas: dict[str, dict[str, dict[str, int]]], entries_digest: str) -> None:
        self.lemmas = lemmas  # lemma -> "before" / "after" -> neighbour -> the sense's row
        self.entries_digest = entries_digest  # of the dictionary.json whose rows they point to

    @classmethod
    def load(cls, directory: Path = DATA) -> Collocations:
        stored = json.loads((directory / FILE).read_text())
        return cls(stored["lemmas"], stored["entries_digest"])

    def rows(self, lemmas: set[str], before: str | None, after: str | None) -> set[int]:
        """The sense rows that the neighbours ``before`` and ``after`` an
        occurrence (normalised words, None at a sentence's edge) point to,
        for an occurrence that may be a form of any of ``lemmas``."""
        found = set()
        for lemma in lemmas:
            sides = self.lemmas.get(lemma)
            if sides is None:
                continue
            for side, neighbour in (("before", before), ("after", after)):
                if neighbour is None:
                    continue
                for form in (neighbour, *english().lemmas(neighbour)):
                    if (row := sides[side].get(form)) is not None:
                        found.add(row)
                        break
        return found
