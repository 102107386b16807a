"""Sense induction: clustering picks the number of senses from the data, the
inventory saves and assigns, context bags read the neighbours; then the
inventory built over the tiny corpus separates its planted homonym."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from indexing.senses.cluster import cluster_senses
from indexing.senses.context import ContextBags, ContextConfig
from indexing.senses.inventory import OccurrenceSample, SenseInventory


def blobs(centres: list[np.ndarray], n: int, spread: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([c + spread * rng.standard_normal((n, len(c))) for c in centres]).astype(np.float32)


def test_two_separated_groups_make_two_senses_most_frequent_first() -> None:
    d = 16
    a, b = np.eye(d)[0] * 3, np.eye(d)[1] * 3
    vectors = np.concatenate([blobs([a], 30, 0.3), blobs([b], 12, 0.3, seed=2)])
    found = cluster_senses(vectors)
    assert len(found.centroids) == 2
    assert np.bincount(found.labels).tolist() == [30, 12]  # sense 0 is the larger
    assert (found.labels[:30] == 0).all() and (found.labels[30:] == 1).all()


def test_one_cloud_keeps_one_sense() -> None:
    vectors = np.random.default_rng(0).standard_normal((60, 16)).astype(np.float32)
    found = cluster_senses(vectors)
    assert len(found.centroids) == 1 and (found.labels == 0).all() and found.silhouette == 0.0


def test_a_tiny_cluster_is_not_a_sense() -> None:
    d = 16
    vectors = np.concatenate([blobs([np.eye(d)[0] * 3], 40, 0.3), blobs([np.eye(d)[1] * 3], 2, 0.3)])
    assert len(cluster_senses(vectors, min_cluster=3).centroids) == 1


# Two sense directions spread over every dimension, as real contextual vectors are.
RIVER, MONEY = np.random.default_rng(7).standard_normal((2, 32))


def sample_with_two_senses() -> OccurrenceSample:
    sample = OccurrenceSample(per_word=100)
    rng = np.random.default_rng(0)
    for i in range(40):
        river = i % 2 == 0
        vector = (RIVER if river else MONEY) + 0.2 * rng.standard_normal(32)
        context = ("river", "water") if river else ("loan", "rates")
        sample.add("bank", vector, context, (f"the bank {i}", 4, 8))
    for i in range(3):
        sample.add("rare", np.ones(32), ("x",), ("rare", 0, 4))
    return sample


def test_the_inventory_labels_senses_by_their_neighbours_and_skips_rare_words(tmp_path) -> None:
    inventory = SenseInventory.build(sample_with_two_senses(), min_count=10, max_senses=4, min_silhouette=0.1,
                                     document_frequency=Counter({"bank": 6, "rare": 3}), n_documents=10)
    assert inventory.words() == ["bank"] and "rare" not in inventory
    labels = {frozenset(s.label) for s in inventory.senses("bank")}
    assert labels == {frozenset({"river", "water"}), frozenset({"loan", "rates"})}
    sense = inventory.senses("bank")[0]
    assert sense.example[slice(*sense.example_span)] == "bank"
    river = next(s.index for s in inventory.senses("bank") if "river" in s.label)
    near_river = RIVER
    assert inventory.assign("bank", near_river)[0].tolist() == [river]
    assert inventory.assign("unknown", near_river) is None

    inventory.save(tmp_path)
    loaded = SenseInventory.load(tmp_path)
    assert loaded.senses("bank") == inventory.senses("bank")
    assert loaded.assign("bank", near_river)[0].tolist() == [river]


def test_a_context_bag_is_the_idf_weighted_mean_of_its_known_neighbours() -> None:
    sentences = [["river", "bank", "water", "flood"], ["loan", "bank", "rates", "money"]] * 20
    bags = ContextBags.train(sentences, ContextConfig(vector_size=8, epochs=2, bag_window=1))
    words = ["the", "river", "bank", "water", "unknownword"]
    [bag] = bags.bags(words, [2], idf={"river": 3.0, "water": 1.0})
    expected = (3.0 * bags.vectors["river"] + 1.0 * bags.vectors["water"]) / 4.0
    np.testing.assert_allclose(bag, expected, rtol=1e-6)  # "the" is a stop word; the window is 1
    assert not bags.bags(["unknownword", "bank"], [1]).any()  # no known neighbour: zero


def test_the_tiny_corpus_inventory_separates_river_bank_from_money_bank(index) -> None:
    senses = index.method("senses")
    bank = senses.inventory.senses("bank")
    assert len(bank) == 2
    labels = [set(s.label) for s in bank]
    assert any("river" in label for label in labels) and any(label & {"rate", "rates", "central"} for label in labels)


@pytest.mark.parametrize("query, other", [
    ("Volunteers filled sandbags along the east bank while the water rose.", {"rate", "rates", "central"}),
    ("The bank pays you a small rate of interest for keeping your deposit.", {"river", "bridge"}),
])
def test_an_occurrence_takes_the_sense_of_its_context(index, query: str, other: set[str]) -> None:
    from indexing.contextual import sentence_tokens
    from indexing.documents import Span

    senses = index.method("senses")
    [tagged] = senses.tag([query], [sentence_tokens(query, Span(0, len(query)))])
    [bank] = [t for t in tagged if t.token.norm == "bank"]
    assert not other & set(senses.inventory.senses("bank")[bank.sense].label)


def test_a_sense_example_is_cut_between_words_with_the_word_where_it_says() -> None:
    from indexing.senses.inventory import EXAMPLE_CHARS, _trim

    words = [f"w{i:03d}" for i in range(200)]
    text = " ".join(words[:100] + ["bank"] + words[100:])
    start = text.index("bank")
    example, (s, e) = _trim(text, start, start + 4)
    assert example[s:e] == "bank"
    assert example.startswith("… w") and example.endswith(" …")
    inner = example.removeprefix("… ").removesuffix(" …").split()
    assert all(w in words or w == "bank" for w in inner)  # no word cut in two
    assert len(example) <= EXAMPLE_CHARS + 4
    short = "A bank by the river."
    assert _trim(short, 2, 6) == (short, (2, 6))
