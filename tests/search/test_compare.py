"""DM against DBOW on one query: shared documents, rank correlation (checked
against scipy), and each document's rank in both."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from search.compare import compare_rankings


def test_identical_rankings_agree_fully() -> None:
    found = compare_rankings([5, 3, 9, 1], [5, 3, 9, 1], k=3)
    assert found.shared == 3 and found.spearman == pytest.approx(1.0)
    assert [(p.doc_id, p.rank_a, p.rank_b) for p in found.pairs] == [(5, 1, 1), (3, 2, 2), (9, 3, 3)]


def test_reversed_rankings_disagree_fully() -> None:
    found = compare_rankings([1, 2, 3], [3, 2, 1], k=3)
    assert found.shared == 3 and found.spearman == pytest.approx(-1.0)


def test_a_document_only_one_ranks_counts_as_just_below_the_others_list() -> None:
    a, b = [1, 2, 3, 4], [2, 7, 1, 8]
    found = compare_rankings(a, b, k=2)
    assert found.shared == 1
    assert {p.doc_id: (p.rank_a, p.rank_b) for p in found.pairs} == {1: (1, 3), 2: (2, 1), 7: (None, 2)}
    expected = spearmanr([1, 2, len(a) + 1], [3, 1, 2])[0]  # 7 is below a's whole list: rank 5
    assert found.spearman == pytest.approx(expected)


def test_ties_share_their_mean_rank_as_scipy_does() -> None:
    rng = np.random.default_rng(0)
    a, b = list(rng.permutation(40)[:20]), list(rng.permutation(40)[:20])
    found = compare_rankings(a, b, k=10)
    x = [p.rank_a or 21 for p in found.pairs]
    y = [p.rank_b or 21 for p in found.pairs]
    assert found.spearman == pytest.approx(spearmanr(x, y)[0])


def test_a_single_document_has_no_correlation() -> None:
    assert compare_rankings([4], [4], k=5).spearman is None
