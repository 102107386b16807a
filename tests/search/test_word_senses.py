"""The word-senses view's word list: the query's words first (those with
several senses before those with one), then every other ambiguous word, then
the rest, each group alphabetical; every word once."""
from __future__ import annotations

from types import SimpleNamespace

from indexing.documents import Document
from indexing.methods import EXPLAINING_METHOD
from search.general_verdicts import UNCLEAR
from search.word_senses import inventory_size, word_choices, word_occurrences


class FakeInventory:
    """The members of `SenseInventory` that the view reads: word -> number of senses."""

    def __init__(self, senses: dict[str, int]) -> None:
        self._senses = senses

    def __contains__(self, word: str) -> bool:
        return word in self._senses

    def __len__(self) -> int:
        return len(self._senses)

    def words(self) -> list[str]:
        return sorted(self._senses)

    def ambiguous_words(self) -> list[str]:
        return sorted(w for w, n in self._senses.items() if n > 1)

    def senses(self, word: str) -> list[str]:
        return [f"{word} {i}" for i in range(self._senses.get(word, 0))]


SENSES = SimpleNamespace(inventory=FakeInventory(
    {"albania": 2, "bank": 2, "bass": 3, "river": 1, "banana": 1, "zebra": 1, "crane": 2}))


def test_the_querys_words_come_first_those_with_several_senses_leading() -> None:
    choices = word_choices(SENSES, "The river BANK, then bass?")
    assert choices[:3] == ["bank", "bass", "river"]  # query order within each group; "the", "then" have no senses
    assert choices[3:] == ["albania", "crane", "banana", "zebra"]


def test_without_a_query_the_ambiguous_words_come_first() -> None:
    assert word_choices(SENSES, "") == ["albania", "bank", "bass", "crane", "banana", "river", "zebra"]


def test_a_query_word_with_one_sense_still_opens_the_list() -> None:
    choices = word_choices(SENSES, "zebra crossing")
    assert choices[0] == "zebra" and sorted(choices) == sorted(SENSES.inventory.words())


def test_the_inventory_size_counts_words_and_the_ambiguous_among_them() -> None:
    assert inventory_size(SENSES) == (7, 4)


def test_a_lower_case_word_whose_other_senses_are_names_is_listed_unclear(index_copy) -> None:
    # "java" in lower case is no island and no programming language (names in
    # WordNet): one sense is left, so the inventory gives it no reading.
    text = "I drink a cup of java every morning. Strong java keeps me awake."
    index_copy.add_documents([Document("coffee", text, "coffee.txt")])
    found = word_occurrences(index_copy.store, index_copy.methods[EXPLAINING_METHOD], "java")
    assert [sense for *_, sense in found.meta] == [UNCLEAR, UNCLEAR]
