"""Retrieval with homonym queries: does each method rank documents that use
the query's word in the query's sense above documents that use it in another?

Consumes the 33-document fixture of tests/data/corpus, whose documents use
bank (money / river), bass (music / fish), crane (bird / machine) and mouse
(device / animal) in both senses; produces per method the mean precision@3 of
right-sense documents, how many wrong-sense documents reach the top 3, and the
mean reciprocal rank of the first right-sense document, over 8 queries (one per
sense). And the page's verdicts on the homonym itself: in every column's top
10, each highlighted occurrence of the query's homonym in a document of either
sense, counted as a right verdict ("same sense" in a right-sense document,
"other sense" in the other), a wrong one, or none. Every method is trained on
those 33 documents, with the test fixture's settings (below).
"""
from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from indexing.doc2vec import DBOW_CONFIG, DM_CONFIG
from indexing.documents import Document
from indexing.index import Index
from indexing.ingest import read_path
from indexing.methods import DEFAULT_METHODS
from indexing.progress import TqdmProgress
from indexing.senses.method import SensesConfig
from search.engine import SearchEngine

logger = logging.getLogger(__name__)

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "corpus"
MONEY = {"mortgage_rates", "small_business_loan", "savings_account", "central_bank_inflation",
         "Central bank holds interest rates steady"}
RIVER = {"river_bank_fishing", "flood_erosion", "canoe_trip", "heron_watch", "A cosy riverside cafe",
         "Council approves footbridge over the river"}
MUSIC, FISH = {"bass_guitar", "jazz_concert", "Orchestra opens its autumn season"}, {"bass_fishing"}
BIRD, MACHINE = {"crane_migration", "heron_watch"}, {"tower_crane"}
DEVICE, ANIMAL = {"computer_mouse"}, {"field_mouse"}
# query -> (documents using its word in its sense, documents using the word in another sense)
QUERIES = {
    "bank loan interest rates": (MONEY, RIVER),
    "fishing from the river bank": (RIVER, MONEY),
    "bass guitar in a band": (MUSIC, FISH),
    "bass fishing in a lake": (FISH, MUSIC),
    "cranes migrating over wetlands": (BIRD, MACHINE),
    "crane lifting steel beams": (MACHINE, BIRD),
    "wireless computer mouse": (DEVICE, ANIMAL),
    "mouse nest in the field": (ANIMAL, DEVICE),
}
K = 3
# The test fixture's settings: gensim's default downsampling (sample=1e-4)
# drops nearly every occurrence of every word of a 2,000-word corpus.
_SMALL = dict(vector_size=16, epochs=40, sample=0.0, workers=1, infer_epochs=40)
CONFIGS = {"dm": replace(DM_CONFIG, **_SMALL), "dbow": replace(DBOW_CONFIG, **_SMALL),
           "senses": SensesConfig(min_count=5, per_word=60)}


def evaluate_homonyms() -> dict:
    documents = [d for d in read_path(CORPUS) if isinstance(d, Document)]
    with tempfile.TemporaryDirectory() as directory:
        index = Index(directory)
        progress = TqdmProgress()
        started = time.perf_counter()
        index.build(documents, progress, configs=CONFIGS)
        progress.close()
        engine = SearchEngine(index)
        rows, per_query = {}, {}
        for method in DEFAULT_METHODS:
            scores = []
            for query, (right, wrong) in QUERIES.items():
                titles = [h.title for h in engine.search(query, method, k=len(documents), passages=False)]
                first = next((rank for rank, t in enumerate(titles, 1) if t in right), None)
                top = titles[:K]
                scores.append({"precision": sum(t in right for t in top) / K,
                               "wrong": sum(t in wrong for t in top),
                               "rr": 1 / first if first else 0.0, "top": top})
            per_query[method] = dict(zip(QUERIES, scores))
            rows[method] = {"precision_at_3": round(sum(s["precision"] for s in scores) / len(scores), 3),
                            "wrong_in_top_3": sum(s["wrong"] for s in scores),
                            "mrr": round(sum(s["rr"] for s in scores) / len(scores), 3)}
            logger.info("%s: %s", method, rows[method])
        return {"documents": len(documents), "queries": len(QUERIES), "k": K, "methods": rows,
                "per_query": per_query, "verdicts": verdicts(engine),
                "seconds": round(time.perf_counter() - started, 1)}


def verdicts(engine: SearchEngine, k: int = 10) -> dict:
    """Right, wrong and missing verdicts on the query's homonym, over every column's top ``k``."""
    tally = {"right": 0, "wrong": 0, "none": 0, "examples": []}
    for query, (right, wrong) in QUERIES.items():
        word = next(w for w in ("bank", "bass", "crane", "mouse") if w in query)
        for method, hits in engine.search_all(query, k=k).items():
            for hit in hits if isinstance(hits, list) else []:
                if hit.title not in right | wrong or hit.passage is None:
                    continue
                for h in hit.passage.highlights:
                    if not h.word.lower().startswith(word):
                        continue
                    expected = "same sense" if hit.title in right else "other sense"
                    outcome = "none" if h.kind not in ("same sense", "other sense") else (
                        "right" if h.kind == expected else "wrong")
                    tally[outcome] += 1
                    tally["examples"].append([query, method, hit.title, h.word, h.kind, h.query_sense, h.doc_sense])
    return tally


def homonyms_markdown(result: dict) -> str:
    lines = ["# Homonym queries: right sense first?", "",
             f"{result['queries']} queries, one per sense of bank, bass, crane and mouse, over the "
             f"{result['documents']}-document fixture (tests/data/corpus). Precision@{result['k']}: share of the top "
             f"{result['k']} that use the word in the query's sense; wrong: documents using it in the other sense "
             f"that reach a top {result['k']} (out of {result['queries'] * result['k']} places); MRR of the first "
             "right-sense document.", "",
             "| method | precision@3 | wrong in top 3 | MRR |", "|---|---|---|---|"]
    lines += [f"| {m} | {r['precision_at_3']:.3f} | {r['wrong_in_top_3']} | {r['mrr']:.3f} |"
              for m, r in result["methods"].items()]
    if "verdicts" in result:
        v = result["verdicts"]
        lines += ["", "## The page's verdict on the homonym", "",
                  f"Over every column's top 10, {v['right'] + v['wrong'] + v['none']} highlighted occurrences of "
                  f"the query's homonym in documents of either sense: {v['right']} right verdicts, "
                  f"{v['wrong']} wrong, {v['none']} without a verdict.", "",
                  "| query | column | document | word | verdict | query's sense | document's sense |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {' | '.join(str(x) for x in e)} |" for e in v["examples"]]
    return "\n".join(lines) + "\n"
