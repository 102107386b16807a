"""Defining words: a word whose WordNet definition uses a lemma in one
sense points to that sense (`mentions_build.py` reads the definitions),
and a reading weighs the senses the words around it point to
(`mentions.py`, `Dictionary.scores`)."""
from __future__ import annotations

import numpy as np
import pytest

from indexing.senses.dictionary import Dictionary, Sense, english_senses
from indexing.senses.glosses import Glosses
from indexing.senses.mentions import Mentions
from indexing.senses.mentions_build import mentions
from indexing.senses.wordnet import Synset
from indexing.text import terms
from tests.indexing.test_dictionary import around, context, hand_made, unit


def defined(offset: str, words: tuple[str, ...], definition: str) -> Synset:
    return Synset("noun", offset, 6, words, words, (), definition, ())


def two_banks() -> Dictionary:
    """"bank": the sloping land (its glosses say river and water) and the
    financial institution (money and clerk)."""
    senses = [Sense("bank", "sloping land", "sloping land", "noun", 10.5, 0),
              Sense("bank", "financial institution", "a financial institution", "noun", 10.5, 1)]
    glosses = Glosses.of({0: ["river", "water"], 1: ["money", "clerk"]}, 2, "test")
    return Dictionary({"bank": senses}, np.eye(2, dtype=np.float32), "test", prior_weight=0.0, glosses=glosses,
                      related_gloss_weight=0.0)


def test_a_definition_read_clearly_makes_its_words_point_to_the_sense() -> None:
    definitions = [defined("1", ("levee",), "a river bank"),
                   defined("2", ("teller",), "a bank clerk who handles money"),
                   defined("3", ("run",), "a river bank"),  # a word of many synsets points to nothing
                   defined("4", ("bank", "depository"), "a bank for money"),  # its own word: not read
                   defined("5", ("shore",), "a river bank"), defined("6", ("shore",), "the money bank clerk"),
                   defined("7", ("thing",), "a bank")]  # nothing around it: unclear
    found = mentions(two_banks(), definitions, {"run": 12, "shore": 2, "levee": 1, "teller": 1, "thing": 1})
    levee, teller = terms("levee")[0], terms("teller")[0]
    # "shore" pointed both ways and points to neither; "depository" names the bank itself.
    assert found == {"bank": {levee: 0, teller: 1}}


def test_the_words_around_share_their_votes() -> None:
    dictionary = two_banks()
    land, money = dictionary.senses("bank")
    table = Mentions({"bank": {"leve": 0, "teller": 1, "dyke": 0}}, "test")
    assert table.shares([land, money], {"leve", "walk"}).tolist() == [1.0, 0.0]
    assert table.shares([land, money], {"leve", "dyke", "teller"}) == pytest.approx([2 / 3, 1 / 3])
    assert table.shares([land, money], {"walk"}) is None
    assert table.shares([Sense("year", "period", "period", "noun", 1.0, 2)], {"leve"}) is None


def test_a_pointing_word_decides_an_undecided_reading() -> None:
    dictionary = hand_made()
    dictionary.mentions = Mentions({"bank": {"leve": 0}}, "test")
    undecided = unit(1, 1, 0)
    reading = dictionary.read("bank", undecided, terms=frozenset({"leve"}))
    assert reading.sense.label == "sloping land"
    assert reading.confidence == pytest.approx(dictionary.mention_weight, abs=1e-6)
    dictionary.mention_weight = 0.0
    assert dictionary.read("bank", undecided, terms=frozenset({"leve"})).sense is None


def test_a_donor_makes_a_shipped_query_organ_the_bodys() -> None:
    """WordNet's "donor: someone who gives blood or tissue or an organ to be
    used in another person": nothing else in the query says which organ."""
    shipped = english_senses()
    text = "organ donor waiting list"
    weight = shipped.mention_weight
    try:
        shipped.mention_weight = 0.0
        assert shipped.read("organ", context(text), query=True, terms=around(text, "organ"), noun=True).sense is None
    finally:
        shipped.mention_weight = weight
    reading = shipped.read("organ", context(text), query=True, terms=around(text, "organ"), noun=True)
    assert reading.sense is not None and reading.sense.label.startswith("fully differentiated structural")
