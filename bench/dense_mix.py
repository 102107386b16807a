"""Choose how the Hybrid's meaning side is made (search/hybrid.py
`HybridConfig.dense_methods`, `dense_shares`) on the dev queries of CISI and
NFCorpus: DBOW alone, DM alone, or both, each re-queried with the keyword
run's feedback and fused with it, at each keyword weight, over several
trainings (a share that moves dev nDCG@10 by less than one training does
is no finding).

Each collection is indexed once per training (DBOW and DM trained with
seeds 42, 43, ..., and BM25; `hybrid_tuning.trained_engine`), and every
setting of a training fuses the same runs (`SearchEngine.hybrid_runs`
gives each dense method's). Per setting, training and collection: the
Hybrid's dev nDCG@10, and a two-sided paired t-test of its per-query
nDCG@10 against DBOW alone at the shipped keyword weight (the Hybrid before
DM joined it). Chosen as `python -m bench hybrid` chooses: the best mean
over the collections and trainings. Test queries are not ranked.

    python -m bench dense-mix [--trainings 2] [--keep DIR]
                               # writes bench/results/dense-mix.json and .md
"""
from __future__ import annotations

import itertools
import logging
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.hybrid_tuning import COLLECTIONS, dev_runs, dev_trainings, per_query_ndcg
from indexing.doc2vec import DBOW_CONFIG
from search.hybrid import HYBRID_CONFIG, HybridConfig

logger = logging.getLogger(__name__)

KEYWORD_WEIGHTS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75)
DM_SHARES = (0.0, 0.2, 0.35, 0.5, 0.65, 1.0)  # DM's share of the dense weight; DBOW has the rest
BEFORE = (0.65, 0.0)  # DBOW alone at the keyword weight `python -m bench hybrid` chose


def setting(keyword_weight: float, dm_share: float) -> HybridConfig:
    return replace(HYBRID_CONFIG, bm25_weight=keyword_weight, dense_methods=("dbow", "dm"),
                   dense_shares=(round(1.0 - dm_share, 4), dm_share))


def tune(trainings: int = 2, workdir: Path | None = None, keep: Path | None = None) -> dict:
    """Every setting's dev nDCG@10 per collection and training, against `BEFORE`."""
    from scipy import stats

    tried = list(itertools.product(KEYWORD_WEIGHTS, DM_SHARES))
    found: dict[tuple, dict[str, np.ndarray]] = {s: {} for s in tried}
    for at in dev_trainings(trainings, workdir, keep):
        live = at.engine.index.snapshot()
        source = {row.id: row.source for row in at.engine.index.store.listing()}
        runs = dev_runs(at.engine, live, source, at.collection, at.dev, setting(*BEFORE))  # every run of both
        for s in tried:
            found[s][f"{at.name} {at.training + 1}"] = per_query_ndcg(at.collection, at.dev, runs, at.members,
                                                                     setting(*s))
        logger.info("%s, training %d: %d settings scored", at.name, at.training + 1, len(tried))
    rows = []
    for s in tried:
        row = {"keyword_weight": s[0], "dm_share": s[1], "dev_ndcg@10": {}, "delta": {}, "p": {}}
        for at, scores in found[s].items():
            before = found[BEFORE][at]
            row["dev_ndcg@10"][at] = float(scores.mean())
            row["delta"][at] = float((scores - before).mean())
            row["p"][at] = float(stats.ttest_rel(scores, before).pvalue) if (scores != before).any() else 1.0
        row["mean"] = float(np.mean(list(row["dev_ndcg@10"].values())))
        rows.append(row)
    rows.sort(key=lambda r: -r["mean"])
    return {"collections": list(COLLECTIONS), "trainings": trainings, "before": list(BEFORE),
            "chosen": [rows[0]["keyword_weight"], rows[0]["dm_share"]], "settings": rows}


def report(results: dict, best: int = 12) -> str:
    """The chosen setting first, the `best` by mean dev nDCG@10, then DBOW alone and DM alone at each keyword weight."""
    columns = list(results["settings"][0]["dev_ndcg@10"])
    lines = ["# The Hybrid's meaning side on dev: DBOW, DM, or both", "",
             f"`python -m bench dense-mix --trainings {results['trainings']}`; dev queries of "
             f"{' and '.join(results['collections'])}; DBOW and DM trained {results['trainings']} times (seeds "
             f"from {DBOW_CONFIG.seed}), each re-queried with RM3's feedback. Each cell: the Hybrid's dev "
             "nDCG@10, its change against DBOW alone at keyword weight "
             f"{results['before'][0]} (the Hybrid before DM joined it) on the same training, and the paired "
             f"t-test's p. Chosen (best mean): keyword weight {results['chosen'][0]}, DM's share "
             f"{results['chosen'][1]}.", "",
             "| keyword weight | DM's share | " + " | ".join(columns) + " | mean |",
             "|---|---|" + "---|" * (len(columns) + 1)]
    shown = results["settings"][:best]
    shown += [r for r in results["settings"] if r["dm_share"] in (0.0, 1.0) and r not in shown]
    for row in shown:
        cells = [f"{row['dev_ndcg@10'][c]:.4f} ({row['delta'][c]:+.4f}, p {row['p'][c]:.2f})" for c in columns]
        lines.append(f"| {row['keyword_weight']} | {row['dm_share']} | " + " | ".join(cells)
                     + f" | {row['mean']:.4f} |")
    return "\n".join(lines) + "\n"
