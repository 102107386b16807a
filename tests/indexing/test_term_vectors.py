"""The teacher's word vectors in a sense reading (`indexing/senses/term_vectors.py`)."""
from __future__ import annotations

import numpy as np
import pytest

from indexing.contextual import DISTILLED_MODEL, shared_reader
from indexing.senses.dictionary import Dictionary, Sense, context_vectors, english_senses
from indexing.senses.glosses import Glosses, window_terms
from indexing.senses.term_vectors import TermVectors
from indexing.text import terms, tokenize

# Gloss terms: sloping land holds "river" and "water", the institution "loan"
# and "deposit", the year none (as in test_dictionary.with_glosses).
VOCABULARY = ["deposit", "loan", "river", "water"]
LAND, MONEY = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])


def glosses() -> Glosses:
    return Glosses(VOCABULARY, np.log(3.0 / np.ones(4, dtype=np.float32)), np.array([0, 2, 4, 4]),
                   np.array([2, 3, 1, 0], dtype=np.int32), "test")


def table() -> TermVectors:
    """Land words point one way, money words another; "creek" and "willow"
    lean to land and "mortgage" to money, though no gloss holds them; "bank"
    itself leans to money."""
    vectors = {"deposit": MONEY, "loan": MONEY + [0, 0, 0.2], "river": LAND, "water": LAND + [0, 0, 0.2],
               "creek": LAND + [0.1, 0, 0], "willow": LAND + [0, 0.3, 0], "mortgag": MONEY, "bank": MONEY}
    return TermVectors(list(vectors), np.stack(list(vectors.values())), "test")


def dictionary(term_weight: float = 1.0) -> Dictionary:
    senses = [Sense("bank", "sloping land", "sloping land", "noun", 10.5, 0),
              Sense("bank", "financial institution", "a financial institution", "noun", 20.5, 1),
              Sense("year", "period of time", "a period of time", "noun", 50.5, 2)]
    vectors = np.eye(3, dtype=np.float32)
    return Dictionary({"bank": senses[:2], "year": senses[2:]}, vectors, "test", prior_weight=0.0,
                      glosses=glosses(), gloss_weight=0.5, related_gloss_weight=0.0, term_vectors=table(),
                      term_weight=term_weight)


UNDECIDED = np.array([1, 1, 0], dtype=np.float32) / np.sqrt(2)  # the biLM's vector cannot tell


def test_a_sense_is_the_idf_weighted_mean_of_its_gloss_terms_vectors() -> None:
    vectors = table()
    senses = vectors.senses(glosses())
    land = vectors.vectors[vectors.term_ids["river"]] + vectors.vectors[vectors.term_ids["water"]]  # equal idf
    np.testing.assert_allclose(senses[0], land / np.linalg.norm(land), atol=1e-6)
    assert senses[1] @ MONEY > 0.99
    np.testing.assert_array_equal(senses[2], 0.0)  # the year's glosses hold no term


def test_a_context_is_the_idf_weighted_mean_of_the_vectors_it_holds() -> None:
    vectors, held = table(), glosses()
    # "creek" is in no gloss: it weighs as the rarest term (log 3 here, as "river").
    context = vectors.context(frozenset({"creek", "river", "zinni"}), held)
    expected = vectors.vectors[vectors.term_ids["creek"]] + vectors.vectors[vectors.term_ids["river"]]
    np.testing.assert_allclose(context, expected / np.linalg.norm(expected), atol=1e-6)
    assert vectors.context(frozenset({"zinni"}), held) is None and vectors.context(frozenset(), held) is None


def test_words_no_gloss_holds_choose_the_sense_through_the_teachers_vectors() -> None:
    without = dictionary(term_weight=0.0)
    assert without.read("bank", UNDECIDED, terms=frozenset({"creek", "willow"})).sense is None
    reading = dictionary().read("bank", UNDECIDED, terms=frozenset({"creek", "willow"}))
    assert reading.sense.label == "sloping land" and reading.confidence > 0.5
    assert dictionary().read("banks", UNDECIDED, terms=frozenset({"mortgag"})).sense.label == "financial institution"
    kind, other, _ = dictionary().compare(dictionary().senses("bank")[1], UNDECIDED, terms=frozenset({"creek"}))
    assert (kind, other.label) == ("other sense", "sloping land")


def test_the_word_itself_is_not_its_own_context() -> None:
    # "bank" leans to money; beside "creek" it must not pull the reading back.
    alone = dictionary().scores(dictionary().senses("bank"), UNDECIDED, frozenset({"creek"}))
    with_itself = dictionary().scores(dictionary().senses("bank"), UNDECIDED, frozenset({"creek", "bank"}))
    np.testing.assert_allclose(alone, with_itself, atol=1e-6)


def test_the_table_survives_saving_in_int8(tmp_path) -> None:
    vectors = table()
    vectors.save(tmp_path)
    loaded = TermVectors.load(tmp_path)
    assert loaded.term_ids == vectors.term_ids and loaded.teacher == "test"
    np.testing.assert_allclose(loaded.vectors, vectors.vectors, atol=0.01)


def test_fitting_centres_the_terms_and_keeps_the_leading_axes() -> None:
    rng = np.random.default_rng(0)
    raw = rng.normal(size=(50, 8)) * np.array([5, 4, 3, 1, 1, 1, 1, 1]) + 10  # a shared direction, then spread
    fitted = TermVectors.fit([str(i) for i in range(50)], raw, 3, "test")
    assert fitted.vectors.shape == (50, 3)
    # Centred: without the shared offset, the words are not all alike.
    assert abs(float(np.mean(fitted.vectors @ fitted.vectors.T))) < 0.2


# ---- the shipped table ---------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped() -> Dictionary:
    dictionary = english_senses()
    assert dictionary is not None and dictionary.term_vectors is not None, \
        "rebuild them: python -m indexing.senses.term_vectors_build"
    return dictionary


def read(general: Dictionary, text: str, word: str):
    encoder = shared_reader(DISTILLED_MODEL).encoder
    norms = [t.norm for t in tokenize(text)]
    return general.read(word, context_vectors(encoder, encoder.encode_layers([text.split()]))[0], query=True,
                        terms=window_terms(norms, norms.index(word), 16))


def test_the_shipped_table_makes_a_creek_bank_clear(shipped: Dictionary) -> None:
    # Neither "willow" nor "creek" is in a gloss of "bank": the biLM and the
    # gloss overlaps lean to the sloping land by a little (confidence 0.15;
    # the biLM's float rounding moves it by 1e-4), the word vectors make it clear.
    text = "willows along the creek bank"
    weight = shipped.term_weight
    try:
        shipped.term_weight = 0.0
        alone = read(shipped, text, "bank")
    finally:
        shipped.term_weight = weight
    reading = read(shipped, text, "bank")
    assert alone.confidence < 0.2
    assert reading.sense is not None and reading.sense.label == "sloping land"
    assert reading.confidence > 2 * alone.confidence


def test_each_term_is_read_as_its_commonest_one_word_lemma() -> None:
    from indexing.senses.term_vectors_build import term_lemmas

    senses_of = {"banking": [("noun", "1")], "bank": [("noun", "2"), ("verb", "3")], "river_bank": [("noun", "4")],
                 "banks": [("noun", "5")]}
    weight_of = {"banking": [3.5], "bank": [20.5, 1.5], "river_bank": [9.5], "banks": [0.5]}
    # "banking", "bank" and "banks" share the stem "bank"; a phrase is no term.
    assert term_lemmas(senses_of, weight_of) == {"bank": "bank"}


def test_built_sense_bags_serve_only_the_inventory_they_were_built_for(tmp_path) -> None:
    built = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], dtype=np.float32)
    vectors = table()
    TermVectors(sorted(vectors.term_ids, key=vectors.term_ids.__getitem__), vectors.vectors, "test", built,
                "test").save(tmp_path)
    loaded = TermVectors.load(tmp_path)
    np.testing.assert_allclose(loaded.senses(glosses()), built, atol=0.01)  # int8 on disk
    other = Glosses(VOCABULARY, glosses().idf, glosses().offsets, glosses().ids, "another inventory")
    np.testing.assert_allclose(loaded.senses(other), vectors.senses(glosses()), atol=0.01)


def test_a_sense_bag_holds_its_kinds_so_a_houseplant_leans_to_the_organism() -> None:
    # The organism's own gloss words are abstract (locomotion, kingdom); its kinds
    # (houseplants, annuals, succulents) are defined with leaves, roots and water.
    general = english_senses()
    [factory] = [s for s in general.senses("plant") if s.label.startswith("buildings")]
    [organism] = [s for s in general.senses("plant") if s.label.startswith("living organism")]
    bag = general.term_vectors.context(frozenset(terms("Houseplants wilt when their roots sit in soggy compost.")),
                                       general.glosses)
    assert general.term_senses[organism.row] @ bag > general.term_senses[factory.row] @ bag + 0.05
