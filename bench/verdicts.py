"""Precision of the page's sense verdicts on everyday queries:
``python -m bench verdicts [--data-dir DIR]``.

Consumes the demo index (built into ``--data-dir`` if it is not there yet)
and two sets of topical queries written for it, each using its words in
their everyday sense: ``DEV_QUERIES`` check the evidence a sense verdict
needs (the least margin of the general inventory's reading of a query word,
`indexing.senses.dictionary.MIN_QUERY_MARGIN`, chosen on CoarseWSD-20's
simulated queries, `query_readings.py`; and, for words WordNet lacks,
`search.explain.MIN_SPLIT_GAIN`), and
``EVAL_QUERIES`` measure the chosen setting. Produces, per set and setting, how
many exact word matches the ten hits of every column show, how many of them
say "other sense", and, for every "other sense" verdict, its hand judgment
from ``JUDGMENTS`` (bench/data/verdict_judgments.json: "right" when the
document's word is indeed used in another sense than the query's, else
"wrong"). A verdict not yet judged is listed, so that a person judges it.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import search.explain
from indexing.demo import DemoCorpus
from indexing.index import Index
from indexing.senses.dictionary import MIN_QUERY_MARGIN, english_senses
from indexing.progress import TqdmProgress
from search.engine import SearchEngine

logger = logging.getLogger(__name__)

JUDGMENTS = Path(__file__).resolve().parent / "data" / "verdict_judgments.json"
K = 10
EXACT = ("same sense", "other sense", "same word")
# (least split gain, least coarse ambiguity, least margin of the general
# inventory's reading of a query word) tried on dev. The coarse ambiguity only counts when
# there is no general inventory (None: it is not asked); the split gain only
# for words WordNet lacks.
SETTINGS = tuple((0.3, 0.3, margin) for margin in (0.06, 0.08, 0.1, 0.15, 0.2))  # the query cosine at half

# Everyday queries on the demo's topics (Australian news of 2001, Wikipedia
# articles), one topic each. Dev: the setting is chosen on these.
DEV_QUERIES = [
    "Australian cricket team wins the test match", "interest rates and inflation",
    "police arrest suspects after the attack", "government announces a new budget",
    "bushfires burn homes in New South Wales", "Israeli and Palestinian leaders meet for peace talks",
    "airline workers lose their jobs", "history of the Roman empire", "scientists study the climate",
    "union members strike over pay",
    # Added in the twenty-first session, when the ten above had given only three "other sense" verdicts.
    "the economy of Angola depends on oil", "Abraham Lincoln and the civil war", "Aristotle's philosophy of logic",
    "Einstein's theory of relativity", "an acid reacts with a base", "the Atlantic Ocean and its currents",
    "frogs and other amphibians", "Apollo 11 landed on the moon", "Academy Award for best picture",
    "the appeals court reverses a decision", "farmers grow crops in the field", "algae grow in ponds and lakes",
    "alkali metals react with water", "Agassi wins a grand slam title", "refugees cross the border",
    "Qantas cuts flights and jobs", "the share market falls", "militants fire rockets at a settlement",
    "the weather turns hot and dry", "a train crash kills passengers", "Olympic swimming champion",
    "the opposition leader criticises the government", "an animated film wins an award", "atomic clocks keep time",
    "the army fights rebels in the north", "ASCII character codes", "the animal kingdom and its classification",
    "the minister resigns after a scandal", "rescue workers search for survivors", "a storm damages homes",
    "the doctor treats patients in hospital", "the capital city of Alberta", "the bank raises interest on loans",
    "Alaska's oil and natural resources", "autism affects children", "the Soviet invasion of Afghanistan",
    "a new species of fish is found", "water pollution in rivers", "the number of people in a country",
    "the players train before the game",
]
# Evaluation: measured once the setting is chosen.
EVAL_QUERIES = [
    "firefighters battle blazes near Sydney", "Taliban fighters in Afghanistan",
    "Ansett collapse leaves passengers stranded", "Reserve Bank cuts the cash rate",
    "suicide bombing in Jerusalem", "the prime minister calls an election", "asylum seekers arrive by boat",
    "cricket captain scores a century", "anarchism rejects the authority of the state",
    "the origin of the alphabet", "mathematical logic and proof", "volcano erupts and lava flows",
    "the company reports a profit", "court sentences the man to prison", "students and teachers at school",
    "drought hurts farmers and their crops", "space shuttle astronauts", "terrorist attacks in New York",
    "a new drug treatment for cancer", "tennis player wins the final",
]


def open_demo(directory: Path) -> Index:
    """The demo index in ``directory``, built there if missing, with every
    document's sense readings kept for the shipped inventory: an index built
    before the inventory changed reads them at query time, and it was
    measured that way unnoticed once (bench/results/decisions.md)."""
    index = Index(directory)
    progress = TqdmProgress()
    try:
        index.build_if_missing(lambda: list(DemoCorpus()), progress)
        if unread := index.unread_senses():
            logger.info("reading the senses of %d documents again for the shipped inventory", unread)
            index.read_senses(None, progress)
    finally:
        progress.close()
    return index


def _apply(setting: tuple[float, float | None, float]) -> None:
    gain, ambiguity, margin = setting
    search.explain.MIN_SPLIT_GAIN, search.explain.MIN_COARSE_AMBIGUITY = gain, -1.0 if ambiguity is None else ambiguity
    if (general := english_senses()) is not None:
        general.min_query_margin = margin


def verdicts(engine: SearchEngine, queries: list[str], setting: tuple[float, float | None, float]) -> dict:
    """Every exact word match the columns' top K show (each passage once),
    with the "other sense" verdicts among them, under `setting`."""
    _apply(setting)
    matches, same, other = 0, 0, []
    for query in queries:
        seen = set()
        for hits in engine.search_all(query, k=K).values():
            for hit in hits if isinstance(hits, list) else []:
                for h in hit.passage.highlights if hit.passage else []:
                    if h.kind not in EXACT or (hit.doc_id, h.start) in seen:
                        continue
                    seen.add((hit.doc_id, h.start))
                    matches += 1
                    same += h.kind == "same sense"
                    if h.kind == "other sense":
                        at = h.start - hit.passage.start
                        context = hit.passage.text[max(0, at - 60): at + len(h.word) + 60]
                        other.append({"key": f"{query} | {hit.title} | {h.word}@{h.start}", "query": query,
                                      "word": h.word, "query_sense": h.query_sense, "doc_sense": h.doc_sense,
                                      "context": " ".join(context.split())})
    return {"setting": list(setting), "exact_matches": matches, "same_sense": same, "other_sense": other}


def judged(found: dict, judgments: dict[str, str]) -> dict:
    right = sum(judgments.get(v["key"]) == "right" for v in found["other_sense"])
    wrong = sum(judgments.get(v["key"]) == "wrong" for v in found["other_sense"])
    n = len(found["other_sense"])
    return {"setting": found["setting"], "exact_matches": found["exact_matches"],
            "same_sense": found["same_sense"], "other_sense": n,
            "other_sense_rate": round(n / max(found["exact_matches"], 1), 4), "judged_right": right,
            "judged_wrong": wrong, "unjudged": n - right - wrong,
            "precision": round(right / n, 3) if n and right + wrong == n else None,  # only when all are judged
            "verdicts": [{**v, "judgment": judgments.get(v["key"], "?")} for v in found["other_sense"]]}


def evaluate_verdicts(directory: Path, settings: tuple = SETTINGS) -> dict:
    """Dev rows for every setting; evaluation rows for the product's setting."""
    chosen = (search.explain.MIN_SPLIT_GAIN, search.explain.MIN_COARSE_AMBIGUITY, MIN_QUERY_MARGIN)
    engine = SearchEngine(open_demo(directory))
    judgments = json.loads(JUDGMENTS.read_text()) if JUDGMENTS.exists() else {}
    try:
        dev = [judged(verdicts(engine, DEV_QUERIES, s), judgments) for s in settings]
        test = [judged(verdicts(engine, EVAL_QUERIES, chosen), judgments)]
    finally:
        _apply(chosen)
    return {"k": K, "chosen": list(chosen), "dev": dev, "eval": test,
            "dev_queries": DEV_QUERIES, "eval_queries": EVAL_QUERIES}


def verdicts_markdown(results: dict) -> str:
    lines = ["# Sense verdicts on everyday queries", "",
             f"Demo index; every column's top {results['k']}; exact word matches in the passages shown, each "
             "once per query. Setting: least split gain of the word in the collection (words WordNet lacks), least "
             "coarse ambiguity in WordNet ('-': not asked; only without the general inventory), least margin of "
             "the general inventory's reading of a query word. 'Other sense' verdicts judged by hand "
             f"(bench/data/verdict_judgments.json). Chosen on the {len(results['dev_queries'])} dev queries: "
             f"{results['chosen']}.", ""]
    for name in ("dev", "eval"):
        lines += [f"## {name} queries", "", "| setting | exact matches | same sense | other sense | rate | right | "
                  "wrong | unjudged | precision |", "|---|---|---|---|---|---|---|---|---|"]
        for row in results[name]:
            gain, ambiguity, margin = row["setting"]
            lines.append(f"| {gain} / {'-' if ambiguity is None or ambiguity < 0 else ambiguity} / {margin} | "
                         f"{row['exact_matches']} | {row.get('same_sense', '-')} | {row['other_sense']} | "
                         f"{row['other_sense_rate']:.1%} | "
                         f"{row['judged_right']} | {row['judged_wrong']} | {row['unjudged']} | "
                         f"{row['precision'] if row['precision'] is not None else '-'} |")
        lines.append("")
    for row in results["eval"]:
        lines += [f"## Every 'other sense' verdict on the evaluation queries, setting {row['setting']}", "",
                  "| query | word | query's sense | document's sense | context | judged |", "|---|---|---|---|---|---|"]
        lines += [f"| {v['query']} | {v['word']} | {v['query_sense']} | {v['doc_sense']} | {v['context']} | "
                  f"{v['judgment']} |" for v in row["verdicts"]]
        lines.append("")
    return "\n".join(lines)
