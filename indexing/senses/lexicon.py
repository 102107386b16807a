"""What a dictionary says of a word's senses: how much of an English word's
use lies outside its most common coarse sense, from WordNet 3.0 (built by
``lexicon_build.py`` into ``data/wordnet_coarse.json``; the WordNet licence
ships beside it).

Consumes a normalised word; produces its coarse ambiguity in [0, 1) ("bank"
0.53: sloping land and institution; "year" 0.00), or None for a word
WordNet does not know (a name, jargon, another language). Inflected forms
are reduced as WordNet's own morphy does: its irregular forms first, then
its suffix rules ("banks" -> "bank", "cranes" -> "crane").
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "wordnet_coarse.json"
# WordNet's detachment rules (morphy), nouns and verbs: (suffix, replacement).
_SUFFIXES = (("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
             ("men", "man"), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""),
             ("ing", "e"), ("ing", ""))


class Lexicon:
    def __init__(self, ambiguity: dict[str, float], exceptions: dict[str, list[str]]) -> None:
        self._ambiguity = ambiguity
        self._exceptions = exceptions

    @classmethod
    def load(cls, path: Path = DATA) -> Lexicon:
        data = json.loads(path.read_text())
        return cls(data["ambiguity"], data["exceptions"])

    def lemmas(self, word: str) -> list[str]:
        """The WordNet lemmas `word` may be a form of (itself included)."""
        candidates = [word, *self._exceptions.get(word, [])]
        candidates += [word[: -len(suffix)] + replacement for suffix, replacement in _SUFFIXES
                       if word.endswith(suffix) and len(word) > len(suffix) + 1]
        return [lemma for lemma in dict.fromkeys(candidates) if lemma in self._ambiguity]

    def ambiguity(self, word: str) -> float | None:
        """The coarse ambiguity of the most ambiguous lemma `word` may be,
        or None when WordNet knows none."""
        found = [self._ambiguity[lemma] for lemma in self.lemmas(word)]
        return max(found) if found else None


@functools.cache
def english() -> Lexicon:
    """The shipped English lexicon, loaded once per process."""
    return Lexicon.load()
