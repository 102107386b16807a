"""What tuning the ELMo column's biLM to a collection gains:
``python -m bench elmo-tuning [--collections cisi nfcorpus] [--minutes 10] [--split dev|test] [--float]``.

Consumes the CISI and NFCorpus collections (``bench.datasets``); builds an
index with the product's ELMo and BM25 methods over a collection's documents
(kept in ``--keep``, reused when there), copies it, runs ``Index.tune_elmo``
on the copy for ``--minutes`` (documents only: never a query or a
judgment; ``--float``: without bfloat16 autocast), and scores the ELMo
column as the app ranks with it, before and after, on the dev queries
(``--split test``: dev and test). Produces bench/results/elmo-tuning.json
and .md.
"""
from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path

from bench.datasets import load_collection, split_queries
from bench.runs import per_query, score
from bench.retrievers import ProductRetriever, build_product
from indexing.backup import copy_data_dir
from indexing.index import Index
from indexing.progress import TqdmProgress

logger = logging.getLogger(__name__)

METHODS = ("elmo", "bm25")


def _column(index: Index, collection, qids: list[str]) -> dict[str, dict[str, float]]:
    from search.engine import SearchEngine

    retriever = ProductRetriever(SearchEngine(index), "elmo")
    return {q: dict(retriever.search(collection.queries[q], 100)) for q in qids}


def evaluate_tuning(collections: list[str], minutes: float, split: str, keep: Path,
                    learning_rate: float | None = None, bfloat16: bool = True) -> dict:
    from scipy.stats import ttest_rel

    from indexing.elmo.tune import TuneConfig
    from indexing.tuning import tune_stages

    config = TuneConfig(minutes=minutes, bfloat16=bfloat16)
    if learning_rate is not None:
        config = replace(config, learning_rate=learning_rate)
    found = {"config": asdict(config), "rows": []}
    for name in collections:
        collection = load_collection(name)
        documents, _members = collection.unique_documents()
        base = keep / f"tune-{name}"
        if not (base / "CURRENT").exists():
            build_product(documents, base, METHODS)
        dev, test = split_queries(collection.judged_queries())
        splits = {"dev": dev} if split == "dev" else {"dev": dev, "test": test}
        with tempfile.TemporaryDirectory() as scratch:
            index = Index.open(copy_data_dir(base, Path(scratch) / "data"))
            before = {s: _column(index, collection, q) for s, q in splits.items()}
            started, progress = time.monotonic(), TqdmProgress(tune_stages(config, len(documents)))
            try:
                index.tune_elmo(config, progress)
            finally:
                progress.close()
            seconds = time.monotonic() - started
            tuned = index.status()["methods"]["elmo"]["tuned"]
            after = {s: _column(index, collection, q) for s, q in splits.items()}
        for s, qids in splits.items():
            x, y = per_query(collection, before[s], qids), per_query(collection, after[s], qids)
            row = {"collection": name, "split": s, "queries": len(qids), "documents": len(documents),
                   "before": score(collection, before[s], qids)["ndcg@10"],
                   "after": score(collection, after[s], qids)["ndcg@10"],
                   "p": round(float(ttest_rel(y, x).pvalue), 4), "steps": tuned["steps"],
                   "train_seconds": tuned["seconds"], "seconds": round(seconds, 1)}
            found["rows"].append(row)
            print(row, flush=True)
    return found


def tuning_markdown(found: dict) -> str:
    config = found["config"]
    lines = ["# Tuning the ELMo column's biLM to a collection", "",
             f"`Index.tune_elmo` for {config['minutes']} minutes ({', '.join(config['objectives'])}, learning "
             f"rate {config['learning_rate']}, {config['pairs_per_batch']} sentence pairs a step, "
             f"{'bfloat16 autocast' if config.get('bfloat16') else 'float32'}) on the "
             "collection's documents; nDCG@10 of the ELMo column as the app ranks, before and after; p of a "
             "paired t-test over queries.", "",
             "| collection | queries | before | after | p | steps | training (s) | whole tuning (s) |",
             "|---|---|---|---|---|---|---|---|"]
    for r in found["rows"]:
        lines.append(f"| {r['collection']} {r['split']} | {r['queries']} | {r['before']:.4f} | {r['after']:.4f} | "
                     f"{r['p']} | {r['steps']} | {r['train_seconds']:.0f} | {r['seconds']:.0f} |")
    return "\n".join(lines) + "\n"
