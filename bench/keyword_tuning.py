"""Check the keyword side of the Hybrid on the dev queries of CISI and
NFCorpus: BM25's k1 and b (indexing/bm25.py `BM25Config`: bm25s's and
Lucene's defaults) and RM3's feedback documents, terms and query weight
(search/rm3.py `RM3Config`: Anserini's defaults), over several DBOW
trainings, since a setting that moves dev nDCG@10 by less than one training
does is no finding.

Each collection is indexed once per training (the Hybrid's dense methods
with seeds 42, 43, ..., and BM25; `hybrid_tuning.trained_engine`). A BM25 setting rebuilds only the BM25 index, from the store's
documents through the product's own analyser (`BM25Method.encode_documents`),
so every setting of a training meets the same dense runs. Per setting, training and
collection: the Hybrid's dev nDCG@10 (the shipped fusion, `HYBRID_CONFIG`,
with that keyword side), the keyword run's alone (RM3's; plain BM25's too
for a BM25 setting), and a two-sided paired t-test of the Hybrid's per-query
nDCG@10 against the shipped setting's. Test queries are not ranked.

    python -m bench keyword-params [--trainings 2] [--keep DIR] [--save-as NAME]
                               # writes bench/results/keyword-params.json (or NAME.json) and .md
"""
from __future__ import annotations

import itertools
import logging
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.hybrid_tuning import COLLECTIONS, dev_runs, dev_trainings, per_query_ndcg
from indexing.bm25 import BM25Config, BM25Index
from indexing.doc2vec import DBOW_CONFIG
from search.engine import SearchEngine
from search.hybrid import HYBRID_CONFIG, HybridConfig
from search.rm3 import RM3_CONFIG

logger = logging.getLogger(__name__)

RM3_DOCUMENTS = (3, 5, 10, 20)
RM3_TERMS = (5, 10, 20, 40)
RM3_QUERY_WEIGHTS = (0.3, 0.5, 0.7)
BM25_K1 = (0.9, 1.2, 1.5, 2.0)
BM25_B = (0.4, 0.6, 0.75, 0.9)
SHIPPED = ("rm3", RM3_CONFIG.feedback_documents, RM3_CONFIG.feedback_terms, RM3_CONFIG.query_weight)
SHIPPED_BM25 = ("bm25", BM25Config().k1, BM25Config().b)  # the same as SHIPPED: BM25 is shipped at these


def settings() -> list[tuple]:
    """The settings tried, the shipped one first: ("rm3", documents, terms,
    query weight) at the shipped BM25, and ("bm25", k1, b) at the shipped RM3."""
    rm3 = [("rm3", *s) for s in itertools.product(RM3_DOCUMENTS, RM3_TERMS, RM3_QUERY_WEIGHTS)]
    bm25 = [("bm25", k1, b) for k1, b in itertools.product(BM25_K1, BM25_B)]
    return [SHIPPED] + [s for s in rm3 + bm25 if s not in (SHIPPED, SHIPPED_BM25)]


def label(setting: tuple) -> str:
    if setting[0] == "rm3":
        return f"RM3 {setting[1]} documents, {setting[2]} terms, query {setting[3]}"
    return f"BM25 k1 {setting[1]}, b {setting[2]}"


def _runs(collection, dev: list[str], engine: SearchEngine, setting: tuple) -> tuple[HybridConfig, dict]:
    """The Hybrid's config under `setting` and the product's runs of each
    dev query (`hybrid_tuning.dev_runs`), BM25 rebuilt for a BM25 setting."""
    live, config = engine.index.snapshot(), HYBRID_CONFIG
    if setting[0] == "rm3":
        config = replace(HYBRID_CONFIG, rm3=replace(RM3_CONFIG, feedback_documents=setting[1],
                                                     feedback_terms=setting[2], query_weight=setting[3]))
    else:
        method = live.method("bm25")
        ids, terms = method.encode_documents(list(engine.index.store))
        bm25 = BM25Index.build(ids, list(terms), replace(method.config, k1=setting[1], b=setting[2]))
        live = replace(live, vectors={**live.vectors, "bm25": bm25})
    source = {row.id: row.source for row in engine.index.store.listing()}
    return config, dev_runs(engine, live, source, collection, dev, config)


def _scores(collection, dev: list[str], members: dict, engine: SearchEngine, setting: tuple) -> dict[str, np.ndarray]:
    """Per-query dev nDCG@10 of the Hybrid and the keyword runs alone under `setting`."""
    config, runs = _runs(collection, dev, engine, setting)
    kinds = {"hybrid": config, "rm3": replace(config, lexical="rm3", bm25_weight=1.0),
             "bm25": replace(config, lexical="bm25", bm25_weight=1.0)}
    return {kind: per_query_ndcg(collection, dev, runs, members, fused) for kind, fused in kinds.items()}


def tune(trainings: int = 2, workdir: Path | None = None, keep: Path | None = None) -> dict:
    """Every setting's dev nDCG@10 per training and collection, against the shipped setting's."""
    from scipy import stats

    tried = settings()
    found: dict[tuple, dict] = {s: {} for s in tried}
    for at in dev_trainings(trainings, workdir, keep):
        for setting in tried:
            found[setting][(at.name, at.training)] = _scores(at.collection, at.dev, at.members, at.engine, setting)
        logger.info("%s, training %d: %d settings scored", at.name, at.training + 1, len(tried))
    rows = []
    for setting in tried:
        row = {"setting": list(setting), "label": label(setting), "dev_ndcg@10": {}, "delta": {}, "p": {}}
        for (name, training), scores in found[setting].items():
            at = f"{name} {training + 1}"
            shipped = found[SHIPPED][(name, training)]["hybrid"]
            row["dev_ndcg@10"][at] = {kind: float(v.mean()) for kind, v in scores.items()}
            row["delta"][at] = float((scores["hybrid"] - shipped).mean())
            row["p"][at] = float(stats.ttest_rel(scores["hybrid"], shipped).pvalue) if (
                scores["hybrid"] != shipped).any() else 1.0
        row["mean"] = float(np.mean([v["hybrid"] for v in row["dev_ndcg@10"].values()]))
        rows.append(row)
    return {"collections": list(COLLECTIONS), "trainings": trainings, "shipped": label(SHIPPED),
            "settings": sorted(rows, key=lambda r: -r["mean"])}


def report(results: dict, best: int = 12) -> str:
    """The shipped setting, the `best` others by mean Hybrid dev nDCG@10, and every BM25 setting."""
    columns = list(results["settings"][0]["dev_ndcg@10"])
    collections = results["collections"]
    lines = ["# The Hybrid's keyword side on dev: BM25's and RM3's parameters", "",
             f"`python -m bench keyword-params --trainings {results['trainings']}`; dev queries of "
             f"{' and '.join(collections)}; DBOW trained {results['trainings']} times (seeds from "
             f"{DBOW_CONFIG.seed}). Shipped: {results['shipped']}, BM25 at bm25s's defaults. Each cell: the "
             "Hybrid's dev nDCG@10, its change against the shipped setting on the same training, and the "
             "paired t-test's p. The keyword runs alone (no DBOW in them, so the same at every training): "
             "RM3's, and plain BM25's for a BM25 setting.", "",
             "| setting | " + " | ".join(columns) + " | mean | keyword run alone, " + " / ".join(collections) + " |",
             "|---|" + "---|" * (len(columns) + 2)]
    shown = [r for r in results["settings"] if tuple(r["setting"]) == SHIPPED]
    shown += [r for r in results["settings"] if tuple(r["setting"]) != SHIPPED][:best]
    shown += [r for r in results["settings"] if r["setting"][0] == "bm25" and r not in shown]
    for row in shown:
        cells = [f"{row['dev_ndcg@10'][c]['hybrid']:.4f} ({row['delta'][c]:+.4f}, p {row['p'][c]:.2f})"
                 for c in columns]
        first = [row["dev_ndcg@10"][f"{name} 1"] for name in collections]
        alone = "RM3 " + " / ".join(f"{v['rm3']:.4f}" for v in first)
        if row["setting"][0] == "bm25" or tuple(row["setting"]) == SHIPPED:
            alone += "; BM25 " + " / ".join(f"{v['bm25']:.4f}" for v in first)
        lines.append(f"| {row['label']} | " + " | ".join(cells) + f" | {row['mean']:.4f} | {alone} |")
    return "\n".join(lines) + "\n"
