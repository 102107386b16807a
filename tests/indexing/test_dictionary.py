"""The general sense inventory: labels from definitions, reading a word's
sense in context with a margin below which it says "unclear", and the
shipped inventory on words whose senses everyone knows."""
from __future__ import annotations

import json
import logging
import shutil
from dataclasses import replace

import numpy as np
import pytest

from indexing.contextual import DISTILLED_MODEL, shared_reader
from indexing.senses.dictionary import DATA, MIN_MARGIN, Dictionary, Sense, context_vectors, english_senses
from indexing.senses.names import in_name, may_be_name
from indexing.senses.occurrence import Cosines
from indexing.senses.grouping import group
from indexing.senses.labels import label, mark_names, name_sense
from indexing.senses.collocations import FILE as COLLOCATIONS_FILE
from indexing.senses.glosses import Glosses, WordGlosses, entries_digest, window_terms
from indexing.senses.mentions import FILE as MENTIONS_FILE
from indexing.senses.wordnet import synsets
from indexing.text import tokenize


@pytest.mark.parametrize("definition, expected", [
    ("sloping land (especially the slope beside a body of water)", "sloping land"),
    ("a financial institution that accepts deposits and channels the money into lending activities",
     "financial institution"),
    ("a room in which a lawcourt sits", "room in which a lawcourt sits"),  # "room" alone says nothing
    ("the person who is most outstanding or excellent; someone who tops all others",
     "person who is most outstanding or excellent"),
    ("a division of an ocean or a large body of salt water partially enclosed by land",
     "division of an ocean or a large"),  # cut to seven words, not ending on "of" or "a"
    ("the number is used in calling a particular telephone",
     "number is used in calling a particular telephone"),  # "is used" is no clause; whole at eight words
    ("the side that goes last or is not normally seen", "side that goes last or is not normally seen"),
    ("the n-th moment of a distribution is the expected value of the n-th power of the deviations",
     "n-th moment of a distribution"),  # a cut label ends on no auxiliary either
    ("deem to be", "deem to be"),  # a whole one may
])
def test_a_label_is_the_first_phrase_of_the_definition(definition: str, expected: str) -> None:
    assert label(definition) == expected


def hand_made(prior_weight: float = 0.0) -> Dictionary:
    senses = [Sense("bank", "sloping land", "sloping land", "noun", 10.5, 0),
              Sense("bank", "financial institution", "a financial institution", "noun", 20.5, 1),
              Sense("year", "period of time", "a period of time", "noun", 50.5, 2)]
    vectors = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    return Dictionary({"bank": senses[:2], "year": senses[2:]}, vectors, "test", prior_weight=prior_weight)


def test_the_digest_follows_what_readings_are_computed_against_not_the_labels() -> None:
    """A document's kept readings (readings.py) are tied to the digest: a
    label written anew must not make every collection be read again, a
    moved sense vector must."""
    dictionary = hand_made()
    relabelled = hand_made()
    relabelled.entries["bank"][0] = replace(relabelled.entries["bank"][0], label="land beside water")
    moved = hand_made()
    moved.vectors[0] = unit(1, 0.1, 0)
    assert relabelled.digest == dictionary.digest != moved.digest


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_the_nearest_sense_is_read_in_context_for_every_form_of_the_word() -> None:
    dictionary = hand_made()
    assert dictionary.read("bank", unit(0.9, 0.1, 0)).sense.label == "sloping land"
    assert dictionary.read("banks", unit(0.1, 0.9, 0)).sense.name == "bank: financial institution"


def test_a_context_that_does_not_choose_leaves_the_sense_unclear() -> None:
    reading = hand_made().read("bank", unit(1, 1, 0.5))
    assert reading.sense is None and reading.best.lemma == "bank" and reading.confidence < MIN_MARGIN


def test_the_prior_breaks_a_tie_towards_the_commoner_sense_but_not_clearly() -> None:
    reading = hand_made(prior_weight=0.02).read("bank", unit(1, 1, 0))
    assert reading.best.label == "financial institution"
    assert reading.confidence == pytest.approx(0.02 * np.log(20.5 / 10.5), abs=1e-6)


def test_a_query_word_weighs_the_bilm_less_than_its_neighbours_words() -> None:
    """A query gives the biLM three to five words: its cosine counts
    ``query_cosine_weight`` of a passage's, so the words around decide more."""
    senses = [Sense("bank", "sloping land", "sloping land", "noun", 10.5, 0),
              Sense("bank", "financial institution", "a financial institution", "noun", 10.5, 1)]
    glosses = Glosses.of({0: ["river"], 1: ["money"]}, 2, "test")
    dictionary = Dictionary({"bank": senses}, np.eye(2, dtype=np.float32), "test", prior_weight=0.0,
                            min_margin=0.05, min_query_margin=0.05, glosses=glosses, gloss_weight=0.3,
                            related_gloss_weight=0.0, query_cosine_weight=0.5)
    window, around = np.array([0.5, 0.9], dtype=np.float32), frozenset({"river"})
    passage, query = dictionary.read("bank", window, terms=around), dictionary.read("bank", window, query=True,
                                                                                     terms=around)
    assert passage.sense.label == "financial institution" and passage.confidence == pytest.approx(0.1, abs=1e-6)
    assert query.sense.label == "sloping land" and query.confidence == pytest.approx(0.1, abs=1e-6)
    # The query's probabilities follow its reading; kept cosines are a passage's and are never weighed.
    probabilities = dictionary.probabilities(senses, window, around, 0.2, query=True)
    assert probabilities[0] > probabilities[1]
    with pytest.raises(ValueError):
        dictionary.cosines(senses, Cosines({0: 0.5, 1: 0.9}), 0.5)


def test_a_word_in_lower_case_is_never_read_as_a_name() -> None:
    senses = [Sense("crane", "wading bird", "a large wading bird", "noun", 5.5, 0),
              Sense("crane", "lifts heavy objects", "lifts and moves heavy objects", "noun", 5.5, 1),
              Sense("crane", "United States writer", "United States writer", "noun", 0.5, 2, proper=True)]
    dictionary = Dictionary({"crane": senses}, np.eye(3, dtype=np.float32), "test", prior_weight=0.0)
    writer = unit(0.1, 0, 1)  # a context nearest the writer
    assert dictionary.read("crane", writer, names=True).sense.label == "United States writer"
    assert dictionary.read("crane", writer, names=False).best.label == "wading bird"
    assert [s.label for s in dictionary.senses("crane", names=False)] == ["wading bird", "lifts heavy objects"]
    # Compared with the machine, a lower-case crane near the writer is the bird, not "the writer".
    kind, theirs, _ = dictionary.compare(senses[1], writer, names=False)
    assert theirs.label != "United States writer"


def three_palms() -> Dictionary:
    """Three noun senses of "palm" on three axes, and a verb on none of them."""
    senses = [Sense("palm", "inner surface of the hand", "the inner surface of the hand", "noun", 4.5, 0),
              Sense("palm", "any plant of the family Palmae", "any plant of the family Palmae", "noun", 0.5, 1),
              Sense("palm", "award for winning", "an award for winning a championship", "noun", 0.5, 2),
              Sense("palm", "touch with the palm", "touch, lift, or hold with the hands", "verb", 1.5, 3)]
    vectors = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [-1, -1, -1]], dtype=np.float32) / [[1], [1], [1], [3**0.5]]
    return Dictionary({"palm": senses}, vectors.astype(np.float32), "test", prior_weight=0.0, min_query_margin=0.15)


def test_an_unclear_reading_keeps_the_senses_it_may_be_and_rules_out_the_others() -> None:
    dictionary = three_palms()
    hand, tree, award, _verb = dictionary.senses("palm")
    reading = dictionary.read("palm", unit(1, 0.95, 0), query=True)  # the hand or the tree: unclear
    assert reading.sense is None and set(reading.plausible) == {hand, tree} and reading.plausible[0] == hand
    assert dictionary.read("palm", unit(1, 0, 0), query=True).plausible == (hand,)  # clear: one
    # A passage clearly about the award is in another sense, whichever the query meant.
    theirs, margin = dictionary.rule_out(reading.plausible, unit(0, 0, 1))
    assert theirs == award and margin == pytest.approx(1.0, abs=1e-6)
    assert dictionary.rule_out(reading.plausible, unit(0.2, 0, 1)) is not None
    # One the query may mean, or not clearly another, is not ruled out.
    assert dictionary.rule_out(reading.plausible, unit(0, 1, 0)) is None
    assert dictionary.rule_out(reading.plausible, unit(0.9, 0, 1)) is None
    # Nothing is left to rule out when the query may be every sense.
    assert dictionary.rule_out((hand, tree, award, _verb), unit(0, 0, 1)) is None


def test_an_unclear_reading_among_rare_senses_rules_nothing_out() -> None:
    dictionary = three_palms()
    hand, tree, award, _verb = dictionary.senses("palm")
    # The query may be the tree or the award, not the hand, the palm's commonest noun sense: such a reading is
    # likelier wrong than not, so a passage clearly about the hand is not struck through.
    assert not dictionary.may_rule_out((tree, award))
    assert dictionary.rule_out((tree, award), unit(1, 0, 0)) is None
    assert dictionary.may_rule_out((hand, award))


def test_rule_out_never_sets_a_noun_against_a_verb() -> None:
    dictionary = three_palms()
    hand, tree, _award, verb = dictionary.senses("palm")
    # The verb scores best by far, but a noun the query may mean is not "another sense" of a verb.
    assert dictionary.rule_out((hand, tree), unit(-1, -1, -1)) is None
    assert dictionary.rule_out((hand,), unit(-1, -1, -1)) is None
    assert dictionary.compare(hand, unit(-1, -1, -1))[0] is None
    # So only a noun the query may not mean can rule its nouns out: the passages need not be read otherwise.
    assert dictionary.may_rule_out((hand, tree)) and not dictionary.may_rule_out((hand, tree, _award))


def test_only_a_capitalised_occurrence_may_be_a_name() -> None:
    text = "Crane wrote of a crane."
    assert may_be_name(text, 0)
    assert not may_be_name(text, text.index("crane"))
    assert not may_be_name(text, len(text))  # past the end: no word, no name


def test_the_shipped_inventory_marks_names() -> None:
    general = english_senses()
    assert "crane: United States writer" in [s.name for s in general.senses("crane") if s.proper]
    assert not any(s.proper for s in general.senses("crane", names=False))
    assert not any(s.proper for s in general.senses("bank"))


# Five noun synsets as WordNet 3.0's data.noun writes them (glosses shortened).
_NOUNS = """\
10628368 18 n 05 Rebel 2 Reb 0 Johnny_Reb 0 Johnny 0 greyback 0 001 @ 09953775 n 0000 | a Confederate soldier
09919451 18 n 02 insurgent 0 rebel 0 000 | a person who takes part in an armed rebellion
09300905 17 n 04 Earth 0 earth 0 world 0 globe 0 001 @i 09411430 n 0000 | the 3rd planet from the sun
06582403 10 n 01 Java 0 000 | a platform-independent programming language
09334396 17 n 01 Java 0 001 @i 09316454 n 0000 | an island in Indonesia
"""


def test_a_synset_that_writes_the_word_capitalised_only_is_a_name_for_it(tmp_path) -> None:
    (tmp_path / "data.noun").write_text(_NOUNS, encoding="latin-1")
    found = synsets(tmp_path, "noun")
    confederate, insurgent, planet, language, island = (found[o] for o in
                                                        ("10628368", "09919451", "09300905", "06582403", "09334396"))
    assert confederate.words[0] == "rebel" and confederate.written[0] == "Rebel"
    # "rebels fought" are insurgents, not Confederate soldiers; "a cup of java" is no language.
    assert confederate.names("rebel") and not insurgent.names("rebel")
    assert language.names("java") and island.names("java")
    # WordNet writes the planet "earth" too: in lower case it may still be meant ("the earth orbits").
    assert planet.instance and not planet.names("earth")

    senses = [{"label": "Confederate soldier", "synsets": ["noun:10628368"], "proper": False},
              {"label": "insurgent", "synsets": ["noun:09919451"], "proper": True}]
    mark_names("rebel", senses, {"noun": found})
    assert [sense.get("proper", False) for sense in senses] == [True, False]


# Two noun synsets of "seal" as WordNet 3.0 writes them (pointers cut): the Navy's, a name, and the animal.
_SEALS = """\
10348526 18 n 02 Navy_SEAL 0 SEAL 0 000 | a member of a Naval Special Warfare unit
02076196 05 n 01 seal 0 000 | any of numerous marine mammals that come on shore to breed; chiefly of cold regions
"""


def test_a_sense_is_labelled_by_its_heaviest_synset_that_is_not_a_name(tmp_path) -> None:
    (tmp_path / "data.noun").write_text(_SEALS, encoding="latin-1")
    by_pos = {"noun": synsets(tmp_path, "noun")}
    sense = {"synsets": ["noun:10348526", "noun:02076196"]}  # grouped, as the shipped inventory groups them
    name_sense("seal", sense, by_pos, {("noun", "10348526"): 0.5, ("noun", "02076196"): 0.5})
    assert sense["label"] == "any of numerous marine mammals"  # the Navy's came first, and weighs the same
    assert sense["definition"].startswith("any of numerous marine mammals")
    name_sense("seal", sense, by_pos, {("noun", "10348526"): 0.5, ("noun", "02076196"): 0.0})
    assert sense["label"] == "any of numerous marine mammals"  # lighter, but a word in lower case may mean it
    only_names = {"synsets": ["noun:10348526"]}
    name_sense("seal", only_names, by_pos, {("noun", "10348526"): 0.5})
    assert only_names["label"] == "member of a Naval Special Warfare unit"


def test_the_shipped_inventory_names_the_seal_that_swims() -> None:
    labels = [s.label for s in english_senses().senses("seals", names=False)]
    assert "any of numerous marine mammals" in labels
    assert "member of a Naval Special Warfare unit" not in labels


def test_the_shipped_inventory_reads_rebels_in_lower_case_as_insurgents() -> None:
    general = english_senses()
    named = [s.label for s in general.senses("rebel") if s.proper]
    assert named and all("Johnny" in label for label in named)
    assert not any(s.proper for s in general.senses("rebels", names=False))


def with_glosses(gloss_weight: float = 0.5) -> Dictionary:
    """`hand_made`, its senses' glosses holding: sloping land "river", "water";
    the institution "loan", "deposit"; the year none."""
    vocabulary = ["deposit", "loan", "river", "water"]
    glosses = Glosses(vocabulary, np.log(3.0 / np.ones(4, dtype=np.float32)), np.array([0, 2, 4, 4]),
                      np.array([2, 3, 1, 0], dtype=np.int32), "test")
    dictionary = hand_made()
    dictionary.glosses, dictionary.gloss_weight = glosses, gloss_weight
    return dictionary


def test_the_words_around_an_occurrence_choose_the_sense_whose_glosses_hold_them() -> None:
    dictionary, undecided = with_glosses(), unit(1, 1, 0)
    assert dictionary.read("bank", undecided).sense is None  # the vector alone cannot tell
    reading = dictionary.read("bank", undecided, terms=frozenset({"river"}))
    assert reading.sense.label == "sloping land" and reading.confidence == pytest.approx(0.5, abs=1e-6)
    assert dictionary.read("bank", undecided, terms=frozenset({"loan", "fee"})).best.label == "financial institution"
    kind, other, _ = dictionary.compare(dictionary.senses("bank")[1], undecided, terms=frozenset({"water"}))
    assert (kind, other.label) == ("other sense", "sloping land")


def test_gloss_overlap_is_the_idf_weighted_share_of_the_context_the_glosses_hold() -> None:
    glosses = with_glosses().glosses
    idf = float(np.log(3.0))
    np.testing.assert_allclose(glosses.overlap([0, 1, 2], frozenset({"river", "loan"})), [0.5, 0.5, 0.0], atol=1e-6)
    # A word no gloss holds counts as the rarest, against every sense.
    np.testing.assert_allclose(glosses.overlap([0], frozenset({"river", "zzz"})), [idf / (idf + np.log(3))],
                               atol=1e-6)
    np.testing.assert_array_equal(glosses.overlap([0, 1], frozenset()), [0.0, 0.0])


def test_the_words_around_meet_a_sense_through_their_own_definitions() -> None:
    # "stream": "a flow of water" (term 3 "water" only); "cash": money no sense's glosses hold.
    words = WordGlosses(["cash", "stream"], np.array([0, 0, 1]), np.array([3], dtype=np.int32),
                        np.array([1.0], dtype=np.float16), np.array([1.0, 0.0], dtype=np.float32))
    dictionary = with_glosses()
    dictionary.glosses.words, dictionary.related_gloss_weight = words, 0.5
    glosses = dictionary.glosses
    np.testing.assert_allclose(glosses.related_overlap([0, 1, 2], frozenset({"stream"})), [1.0, 0.0, 0.0], atol=1e-6)
    idf = float(np.log(3.0))  # "cash" adds an unseen share, as rare as can be
    np.testing.assert_allclose(glosses.related_overlap([0], frozenset({"stream", "cash"})), [idf / (2 * idf)],
                               atol=1e-6)
    np.testing.assert_array_equal(glosses.related_overlap([0, 1], frozenset({"zinni"})), [0.0, 0.0])
    reading = dictionary.read("bank", unit(1, 1, 0), terms=frozenset({"stream"}))  # no gloss holds "stream" itself
    assert reading.sense.label == "sloping land" and reading.confidence == pytest.approx(0.5, abs=1e-6)


def test_the_context_terms_are_the_stemmed_content_words_either_side_not_the_word_itself() -> None:
    norms = "the boats were moored on the bank of the rivers near the town".split()
    assert window_terms(norms, 6, 3) == frozenset({"moor", "river"})
    assert window_terms(norms, 0, 2) == frozenset({"boat"})


def test_words_with_one_sense_or_none_are_not_read() -> None:
    dictionary = hand_made()
    assert dictionary.read("year", unit(0, 0, 1)) is None and not dictionary.has_senses("year")
    assert dictionary.read("zinni", unit(1, 0, 0)) is None and dictionary.senses("zinni") == []


# ---- the shipped inventory, read by the shipped distilled biLM ------------------------

@pytest.fixture(scope="module")
def shipped() -> Dictionary:
    dictionary = english_senses()
    assert dictionary is not None, "the shipped inventory was built with other biLM weights"
    return dictionary


def test_the_shipped_glosses_follow_the_shipped_inventory(shipped: Dictionary) -> None:
    assert shipped.glosses is not None, "rebuild them: python -m indexing.senses.dictionary_build --glosses-only"
    assert len(shipped.glosses.offsets) - 1 == len(shipped.vectors)


def test_glosses_built_for_another_inventory_are_not_used(tmp_path, caplog) -> None:
    for name in ("dictionary.json", "dictionary_vectors.npz"):
        shutil.copy(DATA / name, tmp_path / name)
    stale = Glosses.load(DATA)
    stale.entries_digest = "another inventory"
    stale.save(tmp_path)
    with caplog.at_level(logging.WARNING):
        assert Dictionary.load(tmp_path).glosses is None
    assert "--glosses-only" in caplog.text
    (tmp_path / "dictionary_glosses.npz").unlink()
    assert Dictionary.load(tmp_path).glosses is None  # none at all: read without them, as before


# The inventory's JSON evidence tables: its attribute, its file and the module that builds it.
JSON_TABLES = [("collocations", COLLOCATIONS_FILE, "collocations_build"), ("mentions", MENTIONS_FILE, "mentions_build")]


@pytest.mark.parametrize("attribute, file, build", JSON_TABLES)
def test_the_shipped_tables_follow_the_shipped_inventory(shipped: Dictionary, attribute: str, file: str,
                                                         build: str) -> None:
    table = getattr(shipped, attribute)
    assert table is not None, f"rebuild them: python -m indexing.senses.{build}"
    entries = json.loads((DATA / "dictionary.json").read_text())["entries"]
    assert table.entries_digest == entries_digest(entries)


@pytest.mark.parametrize("attribute, file, build", JSON_TABLES)
def test_tables_built_for_another_inventory_are_not_used(tmp_path, caplog, attribute: str, file: str,
                                                         build: str) -> None:
    for name in ("dictionary.json", "dictionary_vectors.npz"):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / file).write_text('{"entries_digest": "another inventory", "lemmas": {}}')
    with caplog.at_level(logging.WARNING):
        assert getattr(Dictionary.load(tmp_path), attribute) is None
    assert build in caplog.text


def test_the_shipped_inventory_labels_the_senses_of_bank_from_the_dictionary(shipped: Dictionary) -> None:
    labels = {sense.label for sense in shipped.senses("bank")}
    assert {"sloping land", "financial institution"} <= labels
    assert all(sense.definition for sense in shipped.senses("bank"))


def test_synsets_are_grouped_only_when_the_teacher_also_finds_them_alike() -> None:
    bilm = np.array([[1.0, 0.0], [0.98, 0.2], [0.0, 1.0]])  # the biLM: the first two alike
    alone = group(bilm, 0.5)
    assert alone[0] == alone[1] != alone[2]
    teacher = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])  # the teacher: the first two far apart
    assert len(set(group(bilm, 0.5, teacher))) == 3
    assert group(bilm, 0.5, bilm) == alone  # two readers that agree group as one does


@pytest.mark.parametrize("word, apart", [
    ("plant", ("buildings for carrying on industrial labor", "living organism lacking the power of locomotion")),
    ("nail", ("thin pointed piece of metal", "horny plate covering and protecting part"))])
def test_the_shipped_inventory_keeps_homonyms_apart(shipped: Dictionary, word: str, apart: tuple[str, str]) -> None:
    labels = {sense.label for sense in shipped.senses(word) if sense.pos == "noun"}
    assert set(apart) <= labels


def context(text: str) -> np.ndarray:
    encoder = shared_reader(DISTILLED_MODEL).encoder
    return context_vectors(encoder, encoder.encode_layers([text.split()]))[0]


def around(text: str, word: str) -> frozenset[str]:
    """The terms around ``word`` in ``text``, as the page reads a passage's occurrence."""
    norms = [t.norm for t in tokenize(text)]
    return window_terms(norms, norms.index(word), 16)


def sense(dictionary: Dictionary, word: str, label: str) -> Sense:
    return next(s for s in dictionary.senses(word) if s.label == label)


@pytest.mark.parametrize("text", ["they pulled the canoe up on the muddy river bank",
                                  "we sat on the grassy bank of the river and watched the water flow past"])
def test_the_shipped_inventory_tells_a_river_bank_from_a_financial_institution(shipped: Dictionary, text: str) -> None:
    terms = around(text, "bank")
    assert shipped.read("bank", context(text), terms=terms).sense.label == "sloping land"
    assert shipped.compare(sense(shipped, "bank", "sloping land"), context(text), terms=terms)[0] == "same sense"
    kind, other, confidence = shipped.compare(sense(shipped, "bank", "financial institution"), context(text),
                                              terms=terms)
    assert confidence >= shipped.min_margin
    assert (kind, other.label) == ("other sense", "sloping land")


def test_a_money_bank_is_read_nearest_the_institution(shipped: Dictionary) -> None:
    # Nearest only: our biLM reads it below the margin (bench/results/decisions.md).
    reading = shipped.read("bank", context("the bank raised its interest rates on mortgages and loans"))
    assert reading.best.label == "financial institution"


@pytest.mark.parametrize("text, label", [
    ("the bass player tuned his guitar before the concert", "lowest part of the musical range"),
    ("he caught a large bass in the lake with a fishing rod", "lean flesh of a saltwater fish"),
])
def test_the_shipped_inventory_tells_the_two_basses_apart(shipped: Dictionary, text: str, label: str) -> None:
    for candidate in [s for s in shipped.senses("bass") if s.pos == "noun"]:
        kind, found, _confidence = shipped.compare(candidate, context(text), terms=around(text, "bass"))
        assert (kind, found.label) == (("same sense", label) if candidate.label == label else ("other sense", label))


@pytest.mark.parametrize("word, text, label", [
    ("crane", "the crane lifted the heavy load onto the roof", "lifts and moves heavy objects"),
    ("spring", "the spring water was cold and clear", "natural flow of ground water"),
])
def test_the_words_around_an_occurrence_make_its_shipped_reading_clear(shipped: Dictionary, word: str, text: str,
                                                                        label: str) -> None:
    # Read by the biLM's vector alone, both are unclear (margins 0.05, 0.04): "lift", "load"
    # and "water" are in the right sense's glosses.
    reading = shipped.read(word, context(text), query=True, terms=around(text, word))
    assert reading.sense is not None and reading.sense.label == label


@pytest.mark.parametrize("text, word, named", [
    ("terrorist attacks in New York", "New", True),
    ("Cambridge – New York, 2004", "New", True),
    ("the Reserve Bank cuts the cash rate", "Bank", True),
    ("The Bank of England", "Bank", True),
    ("in York. New laws were passed", "New", False),  # a full stop between: no name
    ("Bank raises rates", "Bank", False),  # capitalised alone, at a sentence's start
    ("the bank raised its rates", "bank", False),
])
def test_a_word_of_a_name_of_several_capitalised_words_is_told(text: str, word: str, named: bool) -> None:
    start = text.index(word)
    assert in_name(text, start, start + len(word)) is named
