"""How well the general inventory reads a query's word: ``python -m bench
query-readings [--split train|test]``.

The planted development homonyms (bench/data/homonyms_dev) have 16
queries, too few to tell one setting of the query's reading from another.
This bench makes many: from each CoarseWSD-20 occurrence (non-commercial:
evaluation only) of a word that is not one of the planted evaluation
collection's (`PLANTED_WORDS`), a query of 3 to 5 consecutive words around
it, read as the page reads a query's word (`search.occurrences`: the
distilled biLM's window, the terms around it, the noun cue; then
`Dictionary.read` at the query's margin). Such a query is often short of
evidence ("the club was"), so the figures are lower than on written
queries; they compare settings, they are not the page's precision.

Produces, at each margin, the share of queries read clearly (coverage) and
the share of those read right (the read sense holds the gold synset); and,
of the queries read unclearly, the share whose plausible senses
(`Reading.plausible`, what `Dictionary.rule_out` rules out from) hold the
gold one, at each width. Settings are read on train; ``--split test`` once.
"""
from __future__ import annotations

import json
import random

import numpy as np
from tqdm import tqdm

from bench.datasets import coarse_wsd
from bench.dictionary_eval import gold_synsets
from indexing.contextual import DISTILLED_MODEL, query_sentences, shared_reader
from indexing.senses.dictionary import DATA, english_senses
from indexing.senses.dictionary_build import read_wordnet
from indexing.senses.wordnet import DEFAULT_DIR
from search.general_verdicts import GENERAL_RADIUS
from search.occurrences import noun_positions, query_contexts, query_terms

PLANTED_WORDS = frozenset({"bank", "bass", "bat", "crane", "mouse", "pitcher", "seal", "spring"})
PER_WORD = 120
LENGTHS = (3, 4, 5)
MARGINS = (0.0, 0.06, 0.08, 0.1, 0.15, 0.2, 0.3, 0.4)
SEED = 7


def simulated_queries(split: str) -> list[tuple]:
    """(word, query, gold synset offset, synsets by sense row, the word's
    norm, its window, the terms around it, whether a noun stands there), at
    most ``PER_WORD`` per word."""
    general, reader = english_senses(), shared_reader(DISTILLED_MODEL)
    _, senses_of, _ = read_wordnet(DEFAULT_DIR)
    gold = gold_synsets(senses_of)
    entries = json.loads((DATA / "dictionary.json").read_text())["entries"]
    rng = random.Random(SEED)
    found = []
    words = [c for c in coarse_wsd(split) if c.word not in PLANTED_WORDS and sum((c.word, s) in gold
                                                                                 for s in c.senses) >= 2]
    for coarse in tqdm(words, desc="reading simulated queries"):
        word = coarse.word
        members = {s["row"]: {key.split(":")[1] for key in s["synsets"]} for s in entries[word]}
        items = [item for item in coarse.items if (word, item[2]) in gold]
        rng.shuffle(items)
        for i, sentence, sense in items[:PER_WORD]:
            tokens = sentence.split()
            n = rng.choice(LENGTHS)
            start = rng.randint(max(0, i - n + 1), min(i, max(0, len(tokens) - n)))
            query = " ".join(tokens[start : start + n])
            norms = {t.norm for sentence_tokens in query_sentences(query) for t in sentence_tokens}
            contexts = query_contexts(reader, query, norms, GENERAL_RADIUS)
            at = [t for ts in query_sentences(query) for t in ts
                  if t.start in contexts and word in {t.norm, t.norm.rstrip("s")}]
            if at and general.has_senses(at[0].norm):
                token = at[0]
                found.append((word, query, gold[(word, sense)], members, token.norm, contexts[token.start],
                              query_terms(query, GENERAL_RADIUS)[token.start],
                              token.start in noun_positions(query)))
    return found


def measure(queries: list[tuple]) -> dict:
    """Coverage and precision of the query's reading at each margin, and how
    often an unclear reading's plausible senses hold the gold one."""
    general = english_senses()
    shipped = general.min_query_margin
    rows, plausible = [], []
    try:
        for margin in MARGINS:
            general.min_query_margin = margin
            read = [(reading, members, gold) for _, _, gold, members, norm, context, terms, noun in queries
                    if (reading := general.read(norm, context, query=True, terms=terms, noun=noun)) is not None]
            clear = [gold in members.get(r.sense.row, ()) for r, members, gold in read if r.sense is not None]
            rows.append({"margin": margin, "coverage": round(len(clear) / len(queries), 3),
                         "precision": round(float(np.mean(clear)), 3) if clear else None})
            unclear = [(r, members, gold) for r, members, gold in read if r.sense is None]
            if unclear:
                plausible.append({"width": margin, "unclear": len(unclear),
                                  "gold plausible": round(float(np.mean(
                                      [any(gold in members.get(s.row, ()) for s in r.plausible)
                                       for r, members, gold in unclear])), 3),
                                  "some ruled out": round(float(np.mean(
                                      [len(r.plausible) < len(general.senses(r.best.lemma)) for r, _, _ in unclear])),
                                      3)})
    finally:
        general.min_query_margin = shipped
    return {"rows": rows, "plausible": plausible}


def evaluate_query_readings(split: str = "train") -> dict:
    queries = simulated_queries(split)
    return {"split": split, "queries": len(queries), "words": sorted({q[0] for q in queries}),
            "shipped margin": english_senses().min_query_margin, **measure(queries),
            "examples": [q[1] for q in queries[:: max(1, len(queries) // 10)]]}


def query_readings_markdown(result: dict) -> str:
    lines = ["# The query's word read by the general inventory: simulated queries", "",
             f"CoarseWSD-20 {result['split']}: {result['queries']} queries of 3-5 consecutive words around an "
             f"occurrence of {', '.join(result['words'])} (not the planted evaluation words). "
             f"Shipped query margin {result['shipped margin']}. Examples: "
             + "; ".join(f"'{q}'" for q in result["examples"]) + ".", "",
             "| margin | read clearly | of those right |", "|---|---|---|"]
    lines += [f"| {r['margin']} | {r['coverage']} | {r['precision']} |" for r in result["rows"]]
    lines += ["", "Read unclearly at a margin: how often the senses within it of the best (`Reading.plausible`) "
              "hold the gold one, and how often they leave a sense out (so `Dictionary.rule_out` may speak).", "",
              "| width | unclear | gold among the plausible | some sense left out |", "|---|---|---|---|"]
    lines += [f"| {p['width']} | {p['unclear']} | {p['gold plausible']} | {p['some ruled out']} |"
              for p in result["plausible"]]
    return "\n".join(lines) + "\n"
