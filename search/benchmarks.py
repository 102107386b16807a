"""What the benchmark measured of each method, for the status panel: test
nDCG@10 on CISI and NFCorpus (`python -m bench quality`) and the Pearson r
with human similarity ratings on gensim's Lee stories (inferred, as
queries are). Read from the benchmark's own output in bench/results, so
the panel shows the figures the last run printed; a missing or unreadable
file leaves its figures out.
"""
from __future__ import annotations

import functools
import json
import logging
from pathlib import Path

logger = logging.getLogger(__name__)

RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results"
LEE_ROWS = {"dm": "DM product default", "dbow": "DBOW product default"}
# The quality benchmark's row for each of the product's methods whose row is
# not named after it: its "bm25" row is bm25s, the anchor the product is
# measured against, and the product's own BM25 and Hybrid, run through the
# engine, are "(ours)". bench/retrievers.py names its rows by this.
PRODUCT_ROWS = {"bm25": "bm25 (ours)", "hybrid": "hybrid (ours)"}


def method_figures(results: Path = RESULTS) -> dict[str, dict[str, float]]:
    """Method name -> {figure name: value}, e.g. {"dbow": {"CISI nDCG@10": ..., "Lee Pearson": ...}}."""
    figures: dict[str, dict[str, float]] = {}
    methods = {row: method for method, row in PRODUCT_ROWS.items()}
    for collection, label in (("cisi", "CISI"), ("nfcorpus", "NFCorpus")):
        scores = _read(results / f"quality-{collection}.json").get("scores", {})
        for row, found in scores.items():
            method = methods.get(row, None if row in PRODUCT_ROWS else row)
            value = found.get("test", {}).get("ndcg@10") if isinstance(found, dict) else None
            if method is not None and isinstance(value, (int, float)):
                figures.setdefault(method, {})[f"{label} nDCG@10"] = float(value)
    lee = _read(results / "lee.json").get("results", {})
    for method, row in LEE_ROWS.items():
        value = lee.get(row, {}).get("pearson_mean")
        if isinstance(value, (int, float)):
            figures.setdefault(method, {})["Lee r"] = float(value)
    return figures


def _read(path: Path) -> dict:
    """The JSON object in `path` ({} if missing or unreadable), parsed once
    per version of the file: the status panel asks on every rerun."""
    try:
        return _parsed(path, path.stat().st_mtime_ns)
    except OSError as error:
        logger.info("no benchmark figures from %s (%s)", path, error)
        return {}


@functools.lru_cache(maxsize=16)
def _parsed(path: Path, mtime_ns: int) -> dict:
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        logger.info("no benchmark figures from %s (%s)", path, error)
        return {}
    return found if isinstance(found, dict) else {}
