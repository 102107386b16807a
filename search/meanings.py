"""The meanings a user says the query's words have: a query word the
general sense inventory gives two senses or more may be read unclearly
("organ donor waiting list") or wrongly, and then every verdict on it is
missing or wrong. The page lists such words with their senses
(`GeneralVerdicts.meanings`); a sense the user chooses stands for the
page's reading of the word, for the explanations' verdicts and for the
Senses column's ranking, with the certainty a user's word has.

Consumes the inventory, the query's tokens and the user's choices (word ->
a sense's label); produces the chosen `Sense` of each word, and the list
of the query's words with their senses that the page shows (`query_meanings`).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from indexing.documents import Token
from indexing.errors import InvalidQueryError
from indexing.senses.dictionary import Dictionary
from indexing.senses.names import may_be_name
from indexing.senses.occurrence import Reading, Sense


@dataclass(frozen=True)
class QueryMeaning:
    """A query word the inventory gives two senses or more: the senses a
    user may say it means, and how the page reads it."""
    word: str  # normalised, as the query has it
    senses: tuple[Sense, ...]  # its senses, nouns first, then by how often SemCor uses them
    read: Sense | None  # the sense the page reads it in; None: unclear, or not read (no other word around)
    confidence: float | None  # the reading's margin; None when not read
    chosen: Sense | None = None  # the sense the user said it means


def choose_meanings(general: Dictionary, tokens: list[Token], meanings: Mapping[str, str]) -> dict[str, Sense]:
    """The senses a user says the query's words mean: ``meanings`` maps a
    word of the query to a sense's label or name ("bank" -> "sloping land"
    or "bank: sloping land", any case). Raises InvalidQueryError naming the
    choices for a word the query lacks, a word of one sense, or a sense
    the word does not have."""
    found = {}
    for word, wanted in meanings.items():
        norm = word.strip().lower()
        if not any(t.norm == norm for t in tokens):
            raise InvalidQueryError(f"{word!r} is not a word of the query, so its meaning cannot be set.")
        senses = general.senses(norm)
        if not general.has_senses(norm):
            raise InvalidQueryError(f"The dictionary gives {word!r} one sense or none; there is no meaning to choose.")
        key = wanted.strip().lower()
        chosen = next((s for s in senses if key in (s.label.lower(), s.name.lower())), None)
        if chosen is None:
            labels = "; ".join(sorted({s.label for s in senses}))
            raise InvalidQueryError(f"{word!r} has no sense {wanted!r}. Its senses: {labels}.")
        found[norm] = chosen
    return found


def query_meanings(general: Dictionary, query: str, tokens: list[Token], words: set[str],
                   readings: Mapping[int, Reading | None], chosen: Mapping[str, Sense]) -> list[QueryMeaning]:
    """Each of the query's ``words`` (those the inventory gives two senses
    or more) once, in the query's order: its senses (nouns first, then by
    weight; a name's only where the query capitalises it), the page's
    reading of it (``readings``: by the word's place among ``tokens``) and
    the user's choice (``chosen``, `choose_meanings`)."""
    found: dict[str, QueryMeaning] = {}
    for q, token in enumerate(tokens):
        if token.norm not in words or token.norm in found:
            continue
        senses = sorted(general.senses(token.norm, names=may_be_name(query, token.start)),
                        key=lambda s: (s.pos != "noun", s.pos, -s.weight))
        reading = readings.get(q)
        found[token.norm] = QueryMeaning(token.norm, tuple(senses), reading.sense if reading else None,
                                         round(reading.confidence, 3) if reading else None, chosen.get(token.norm))
    return list(found.values())


def one_hot(senses: list[Sense], chosen: Sense) -> np.ndarray:
    """Probabilities over ``senses`` that put all the mass on ``chosen`` (a user's word is certain)."""
    found = np.zeros(len(senses), dtype=np.float32)
    found[senses.index(chosen)] = 1.0
    return found


def meaning_dict(meaning: QueryMeaning) -> dict:
    """``meaning`` as JSON: the word, its reading and margin, the user's choice, and each sense."""
    return {"word": meaning.word, "read": meaning.read.label if meaning.read else None,
            "confidence": meaning.confidence, "chosen": meaning.chosen.label if meaning.chosen else None,
            "senses": [{"label": s.label, "name": s.name, "pos": s.pos, "definition": s.definition}
                       for s in meaning.senses]}
