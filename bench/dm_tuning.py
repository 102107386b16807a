"""Tune Doc2Vec DM on dev data only: ``python -m bench dm [--configs N ...]``.

Consumes CISI and NFCorpus (their dev halves of the judged queries,
`bench.datasets.split_queries`) and gensim's Lee stories (the pairs among
the first 25 of the 50 rated stories are dev; the pairs among the last 25
are held out); produces, for every config of `DM_GRID`, dev nDCG@10 on
both collections and the dev-pair Pearson r on Lee, and the config chosen
by the mean of its three ranks (one setting for every collection). The
test figures are the quality benchmark's (`python -m bench quality`), run
once with the chosen config.

Why DM scored everything 0.92-0.99: its document vector is averaged with the
context words' into the hidden layer that predicts the next word, so every
document vector learns the same large component (the part of the
prediction all documents share, frequent words above all); `python -m bench
dm` prints the median cosine of random pairs of trained document vectors
before and after removing it (the mean trained vector), which is what
`Doc2VecConfig.centre` does.
"""
from __future__ import annotations

import logging
import tempfile
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
from scipy.stats import pearsonr

from bench.datasets import load_collection, split_queries
from bench.lee import _stories, human_ratings
from bench.runs import rank_all, score
from bench.retrievers import build_product
from indexing.doc2vec import DBOW_CONFIG, Doc2VecConfig, Doc2VecModel
from indexing.doc2vec_corpus import TaggedCorpus
from indexing.documents import StoredDocument
from indexing.text import words

logger = logging.getLogger(__name__)

LEE_DEV = 25  # pairs among the first 25 rated stories are dev, among the last 25 held out
# The rows name their changes from fixed bases, not from the product's
# DM_CONFIG, so each row stays what was measured when the default moves.
# DM before any tuning: window 5, 40 epochs, 50 inference epochs, mean of
# context vectors, negative sampling, not centred, all words inferred.
_BEFORE = Doc2VecConfig(dm=1, window=5, epochs=40, infer_epochs=50)
_CENTRED = replace(_BEFORE, centre=True, content_words_inference=True)
# The product from the second round until the third: inferred texts were
# then also centred on training snippets of their length (`centre_inferred`).
_SECOND = replace(_CENTRED, epochs=80, infer_epochs=100, centre_inferred=True)
# One change at a time from the centred DM; the Lee dev pairs first pointed
# at more epochs.
DM_GRID: dict[str, object] = {
    "before (not centred)": _BEFORE,
    "centred, content-word inference": _CENTRED,
    "centred, all words inferred": replace(_BEFORE, centre=True),
    "centred, 80 epochs": replace(_CENTRED, epochs=80),
    "centred, 80 epochs, 100 inference epochs": replace(_CENTRED, epochs=80, infer_epochs=100),
    "centred, 80 epochs, window 8": replace(_CENTRED, epochs=80, window=8),
    "centred, 80 epochs, hierarchical softmax": replace(_CENTRED, epochs=80, hs=1, negative=0),
    # Second round, around the best of the first (80 epochs, 100 inference epochs):
    "centred, 120 epochs, 100 inference epochs": replace(_CENTRED, epochs=120, infer_epochs=100),
    "centred, 80 epochs, 200 inference epochs": replace(_CENTRED, epochs=80, infer_epochs=200),
    "centred, 80 epochs, 100 inference epochs, window 10": replace(_CENTRED, epochs=80, infer_epochs=100, window=10),
    # DM is trained on word order: inferring from content words alone feeds it
    # contexts it never saw (a document's own text found itself 1 time in 33
    # on the test fixture, 29 in 33 from all its words).
    "centred, 80 epochs, 100 inference epochs, all words inferred": replace(
        _CENTRED, epochs=80, infer_epochs=100, content_words_inference=False),
    # Third round, from the second round's choice with inferred texts centred
    # on snippets: the document vector is one of 2 * window + 1 averaged
    # inputs, so a narrower window gives it a larger share of each
    # prediction; more negative samples and dimensions let it hold more.
    # Explored first with two trainings per setting (mean dev nDCG@10 over
    # CISI and NFCorpus; DBOW 0.273): this base 0.225, window 3 +0.012,
    # 200 dimensions +0.010, 15 negative samples +0.033, all three 0.254,
    # with window 2 instead 0.263, with 300 dimensions 0.257 (window 3);
    # 50 or 120 epochs, 200 inference epochs, 3 averaged inferences: no better.
    "third round base (snippet-centred inference)": _SECOND,
    "snippet-centred, 15 negative samples": replace(_SECOND, negative=15),
    "snippet-centred, window 3, 15 negative samples, 200 dimensions": replace(
        _SECOND, window=3, negative=15, vector_size=200),
    "snippet-centred, window 2, 15 negative samples, 200 dimensions": replace(
        _SECOND, window=2, negative=15, vector_size=200),
}


def lee_dev_pearson(config, seeds: int = 2) -> dict:
    """Pearson r of inferred vectors' cosines with the human ratings, on
    the dev pairs and the held-out pairs (mean over `seeds` trainings), and
    the median cosine of pairs of trained vectors, raw and centred."""
    corpus = TaggedCorpus([StoredDocument(i + 1, "", text, "", "", 0, "")
                           for i, text in enumerate(_stories("lee_background.cor"))])
    tests = _stories("lee.cor")
    human = human_ratings()  # (50, 50), upper triangle filled
    upper = np.triu_indices(len(tests), 1)
    dev = [(i, j) for i, j in zip(*upper) if j < LEE_DEV]
    held = [(i, j) for i, j in zip(*upper) if i >= LEE_DEV]
    found = []
    for seed in range(seeds):
        model = Doc2VecModel.train(corpus, replace(config, seed=config.seed + seed))
        vectors = np.stack([model.infer(words(text)) for text in tests])
        cosine = vectors @ vectors.T
        found.append([pearsonr([cosine[p] for p in pairs], [human[p] for p in pairs])[0] for pairs in (dev, held)]
                     + list(_median_pair_cosines(model)))
    dev_r, held_r, raw, centred = np.mean(found, axis=0)
    return {"dev": round(float(dev_r), 4), "held_out": round(float(held_r), 4),
            "median_pair_cosine_raw": round(float(raw), 3), "median_pair_cosine_centred": round(float(centred), 3)}


def _median_pair_cosines(model: Doc2VecModel) -> tuple[float, float]:
    trained = sorted(model.trained_ids)
    vectors = model.model.dv[trained]
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    centred = vectors - vectors.mean(axis=0)
    centred /= np.linalg.norm(centred, axis=1, keepdims=True)
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, len(trained), (2, 2000))
    return float(np.median((vectors[a] * vectors[b]).sum(1))), float(np.median((centred[a] * centred[b]).sum(1)))


def collection_dev(name: str, config, workdir: Path, half: str = "dev", method: str = "dm") -> float:
    """nDCG@10 of `method` with `config` on the `half` ("dev" or "test") of
    the judged queries, in an index of that method alone."""
    collection = load_collection(name)
    documents, members = collection.unique_documents()
    dev, test = split_queries(collection.judged_queries())
    qids = dev if half == "dev" else test
    retriever = build_product(documents, workdir, (method,), {method: config})
    runs, _ = rank_all(retriever, {q: collection.queries[q] for q in qids}, members)
    return score(collection, runs[method], qids)["ndcg@10"]


def test_chosen(results: dict) -> dict:
    """The chosen config's nDCG@10 on the test halves, once, beside the
    config before tuning and the product's DBOW, each in the same protocol
    (`python -m bench dm --test`)."""
    runs = {name: ("dm", DM_GRID[name]) for name in dict.fromkeys([results["chosen"], "before (not centred)"])}
    runs["DBOW (product default)"] = ("dbow", DBOW_CONFIG)
    with tempfile.TemporaryDirectory(prefix="bench-dm-test-") as tmp:
        found = {}
        for name, (method, config) in runs.items():
            found[name] = {c: collection_dev(c, config, Path(tmp) / f"{len(found)}-{c}", "test", method)
                           for c in ("cisi", "nfcorpus")}
    return {**results, "test": found}


def tune_dm(names: list[str] | None = None, previous: dict | None = None) -> dict:
    """Run the configs of `DM_GRID` named in `names` (all by default); rows
    of `previous` results not run again are kept and ranked with them."""
    rows = dict((previous or {}).get("grid", {})) if names else {}
    with tempfile.TemporaryDirectory(prefix="bench-dm-") as tmp:
        for number, (name, config) in enumerate(DM_GRID.items()):
            if names and name not in names:
                continue
            row = {"config": asdict(config), "lee": lee_dev_pearson(config)}
            for collection in ("cisi", "nfcorpus"):
                row[collection] = collection_dev(collection, config, Path(tmp) / f"{number}-{collection}")
            rows[name] = row
            logger.info("DM %s: %s", name, {k: v for k, v in row.items() if k != "config"})
    return choose(rows)


def choose(rows: dict) -> dict:
    """The config with the least sum of its ranks on the three dev figures."""
    ranks = {name: 0 for name in rows}
    for key in ("cisi", "nfcorpus", "lee"):
        value = (lambda r: r["lee"]["dev"]) if key == "lee" else (lambda r, key=key: r[key])
        for rank, name in enumerate(sorted(rows, key=lambda n: -value(rows[n])), 1):
            ranks[name] += rank
    chosen = min(ranks, key=lambda n: (ranks[n], n))
    return {"grid": rows, "rank_sum": ranks, "chosen": chosen,
            "protocol": "dev only: CISI and NFCorpus dev halves (nDCG@10); Lee pairs among the first "
                        f"{LEE_DEV} rated stories (Pearson r, mean of 2 trainings; the last {LEE_DEV}'s pairs "
                        "held out); chosen by the sum of the three ranks"}


def dm_markdown(results: dict) -> str:
    tested = [f"{name}: CISI {row['cisi']:.3f}, NFCorpus {row['nfcorpus']:.3f}"
              for name, row in results.get("test", {}).items()]
    lines = ["# Tuning DM on dev data", "", results["protocol"] + ".", "",
             *(["Test halves, after choosing (nDCG@10, each in an index of that method alone): " + "; ".join(tested) + ".", ""] if tested else []),
             "| config | CISI dev nDCG@10 | NFCorpus dev nDCG@10 | Lee dev r | Lee held-out r | "
             "median pair cosine raw / centred | rank sum |", "|---|---|---|---|---|---|---|"]
    for name, row in results["grid"].items():
        lee = row["lee"]
        mark = " **(chosen)**" if name == results["chosen"] else ""
        lines.append(f"| {name}{mark} | {row['cisi']:.3f} | {row['nfcorpus']:.3f} | {lee['dev']:.3f} | "
                     f"{lee['held_out']:.3f} | {lee['median_pair_cosine_raw']:.2f} / "
                     f"{lee['median_pair_cosine_centred']:.2f} | {results['rank_sum'][name]} |")
    return "\n".join(lines) + "\n"
