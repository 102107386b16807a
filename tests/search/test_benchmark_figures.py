"""The status panel's quality figures come from the benchmark's rows for the
product's own methods, never from the anchors they are measured against."""
from __future__ import annotations

import json
from pathlib import Path

from search.benchmarks import method_figures


def _results(directory: Path) -> Path:
    for collection, offset in (("cisi", 0.0), ("nfcorpus", 0.1)):
        scores = {"bm25": 0.41, "bm25 (ours)": 0.43, "hybrid (ours)": 0.45, "dbow": 0.33, "minilm": 0.42}
        (directory / f"quality-{collection}.json").write_text(json.dumps(
            {"scores": {row: {"test": {"ndcg@10": round(value - offset, 3)}, "dev": {"ndcg@10": 0.0}}
                        for row, value in scores.items()}}))
    (directory / "lee.json").write_text(json.dumps({"results": {"DBOW product default": {"pearson_mean": 0.52}}}))
    return directory


def test_the_products_bm25_and_hybrid_show_their_own_rows_not_bm25s(tmp_path: Path) -> None:
    figures = method_figures(_results(tmp_path))
    assert figures["bm25"] == {"CISI nDCG@10": 0.43, "NFCorpus nDCG@10": 0.33}  # "bm25 (ours)", not bm25s's 0.41
    assert figures["hybrid"] == {"CISI nDCG@10": 0.45, "NFCorpus nDCG@10": 0.35}
    assert figures["dbow"] == {"CISI nDCG@10": 0.33, "NFCorpus nDCG@10": 0.23, "Lee r": 0.52}
    assert "bm25 (ours)" not in figures and "hybrid (ours)" not in figures


def test_missing_or_broken_results_leave_figures_out(tmp_path: Path) -> None:
    (tmp_path / "quality-cisi.json").write_text("{not json")
    assert method_figures(tmp_path) == {}
