"""One sense per collocation: WordNet's two-word phrases name a sense of
their words (`collocations_build.py`), and a reading weighs the sense its
neighbours name (`collocations.py`, `Dictionary.scores`)."""
from __future__ import annotations

import numpy as np
import pytest

from indexing.senses.collocations import Collocations
from indexing.senses.collocations_build import collocations
from indexing.senses.dictionary import english_senses
from indexing.senses.glosses import WindowTerms, window_terms
from indexing.senses.wordnet import Synset
from tests.indexing.test_dictionary import around, context, hand_made, unit


def synset(offset: str, hypernyms: tuple[str, ...] = ()) -> Synset:
    return Synset("noun", offset, 6, (offset,), (offset,), tuple(("@", h, "n") for h in hypernyms), offset, ())


# WordNet in small: "pen" the writing implement (w) and the enclosure (e);
# a fountain pen is a pen (w); a holding pen is a corral (c), which is an
# enclosure (e); a pen pal is a friend (f); a "twin pen" (made up) is both.
SYNSETS = {s.offset: s for s in [synset("w"), synset("e"), synset("f"), synset("c", ("e",)), synset("fountain", ("w",)),
                                  synset("holding", ("c",)), synset("pal", ("f",)), synset("twin1", ("w",)),
                                  synset("twin2", ("e",)), synset("leap", ("f",))]}
ENTRIES = {"pen": [{"row": 0, "synsets": ["noun:w"]}, {"row": 1, "synsets": ["noun:e"]}],
           "year": [{"row": 2, "synsets": ["noun:f"]}]}
PHRASES = {"noun": {"fountain_pen": ["fountain"], "holding_pen": ["holding"], "pen_pal": ["pal"],
                    "twin_pen": ["twin1", "twin2"], "leap_year": ["leap"]}}


def test_a_phrase_that_is_a_kind_of_one_sense_names_it() -> None:
    found = collocations(ENTRIES, PHRASES, {"noun": SYNSETS})
    # Through the hypernyms, two levels up for the holding pen; the pen pal
    # reaches no sense of "pen", the twin pen both; "year" has one sense.
    assert found == {"pen": {"before": {"fountain": 0, "holding": 1}, "after": {}}}


def test_a_neighbour_is_looked_up_in_any_of_its_forms() -> None:
    table = Collocations({"pen": {"before": {"sheep": 1, "cow": 1}, "after": {}}}, "test")
    assert table.rows({"pen"}, "cows", None) == {1}
    assert table.rows({"pen"}, "sheep", "gate") == {1}
    assert table.rows({"pen"}, None, "sheep") == set()  # "pen sheep" is no phrase: the side counts
    assert table.rows({"year"}, "sheep", None) == set()


def test_the_neighbours_travel_with_the_terms_around_an_occurrence() -> None:
    norms = "they kept the sheep pens near the barn".split()
    terms = window_terms(norms, 4, 16)
    assert (terms.before, terms.after) == ("sheep", "near")
    assert terms == frozenset({"kept", "sheep", "near", "barn"})  # still the terms, for the glosses
    edge = window_terms(norms, 0, 2)
    assert edge.before is None and edge.after == "kept"


def test_the_named_sense_wins_an_undecided_reading() -> None:
    dictionary = hand_made()
    dictionary.collocations = Collocations({"bank": {"before": {"river": 0}, "after": {}}}, "test")
    undecided = unit(1, 1, 0)
    assert dictionary.read("bank", undecided).sense is None
    reading = dictionary.read("bank", undecided, terms=WindowTerms((), "river", None))
    assert reading.sense.label == "sloping land"
    assert reading.confidence == pytest.approx(dictionary.collocation_weight, abs=1e-6)
    # Bare terms carry no neighbours: the same context stays undecided.
    assert dictionary.read("bank", undecided, terms=frozenset({"river"})).sense is None


@pytest.mark.parametrize("text, word, label", [
    ("a vampire bat feeds on the blood of sleeping cattle", "bat", "nocturnal mouselike mammal"),
    ("a northern pike took the lure", "pike", "highly valued northern freshwater fish"),
])
def test_a_wordnet_phrase_makes_a_shipped_reading_clear(text: str, word: str, label: str) -> None:
    shipped = english_senses()
    weight = shipped.collocation_weight
    try:
        shipped.collocation_weight = 0.0  # the biLM, glosses and word vectors alone leave it unclear
        assert shipped.read(word, context(text), terms=around(text, word)).sense is None
    finally:
        shipped.collocation_weight = weight
    reading = shipped.read(word, context(text), terms=around(text, word))
    assert reading.sense is not None and reading.sense.label.startswith(label)
    assert np.isfinite(reading.confidence)
