"""How much the gloss overlaps and the teacher's word vectors count in a
sense reading (`indexing.senses.dictionary.GLOSS_WEIGHT`,
`RELATED_GLOSS_WEIGHT`, `TERM_WEIGHT`): ``python -m bench glosses``.

Consumes the shipped sense inventory, WordNet, the distilled biLM, and two
development sets: CoarseWSD-20's train split (the 16 words whose senses map
to WordNet; `dictionary_eval.occurrences`) and WiC's dev pairs
(non-commercial: evaluation only; nothing is trained on either). Produces
per triple of weights (the context's own terms in the sense's glosses; the
context words' definitions in them, `glosses.WordGlosses`; the cosine of
the context's and the glosses' bags of the teacher's word vectors,
`term_vectors.py`): CoarseWSD train accuracy and macro-F1 of the nearest
coarse sense, the precision of the page's "other sense" and "same sense"
verdicts on pairs of its occurrences (at the shipped passage margin), and
the page's verdicts on WiC dev pairs, all of them and those whose sentences
are not WordNet examples. ``--split test`` reads the test splits once,
without glosses, with the first overlap alone, with both and with the
shipped weights.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from bench.dictionary_eval import WicPairs, gold_synsets, occurrences, read_windows, score, wic_pairs, wic_verdicts
from indexing.senses.dictionary import DATA, english_senses
from indexing.senses.dictionary_build import read_wordnet
from indexing.senses.wordnet import DEFAULT_DIR

WEIGHTS = ((0.0, 0.0, 0.0), (0.8, 0.0, 0.0), (0.8, 1.0, 0.0), (0.8, 2.0, 0.0), (0.0, 0.0, 1.0), (0.8, 1.0, 0.5),
           (0.8, 1.0, 1.0), (0.8, 1.0, 1.5), (0.8, 1.0, 2.0), (0.8, 1.0, 3.0), (0.8, 0.0, 1.0), (0.0, 0.0, 2.0))
# (gloss weight, related gloss weight, term weight)


@dataclass(frozen=True)
class Development:
    """A split read once, to be scored under any setting of the shipped
    inventory: CoarseWSD-20's occurrences (`dictionary_eval.occurrences`)
    with their windows, and WiC's pairs."""
    split: str
    items: list
    words: list[str]
    gold_of_word: dict[str, list[str]]
    members: dict[tuple[str, int], set[str]]
    contexts: list
    wic: WicPairs


def read_split(split: str) -> Development:
    """CoarseWSD-20 ``split`` and WiC's dev pairs (its test pairs for "test"), read by the distilled biLM."""
    general = english_senses()
    if general is None or general.glosses is None or general.term_vectors is None:
        raise SystemExit("the shipped inventory has no gloss terms or word vectors: "
                         "python -m indexing.senses.dictionary_build --glosses-only; "
                         "python -m indexing.senses.term_vectors_build")
    _, senses_of, _ = read_wordnet(DEFAULT_DIR)
    gold = gold_synsets(senses_of)
    items = occurrences(split, gold)
    words = sorted({item[0] for item in items})
    gold_of_word = {w: sorted({offset for (word, _), offset in gold.items() if word == w}) for w in words}
    entries = json.loads((DATA / "dictionary.json").read_text())["entries"]
    members = {(lemma, sense["row"]): {key.split(":")[1] for key in sense["synsets"]}
               for lemma in words for sense in entries[lemma]}
    contexts = read_windows([item[1] for item in items], [item[4] for item in items])
    return Development(split, items, words, gold_of_word, members, contexts,
                       wic_pairs("dev" if split == "train" else "test"))


def measure(read: Development) -> dict:
    """The shipped inventory, as it is set now, on ``read``: CoarseWSD-20
    accuracy, macro-F1 and pair verdicts at the passage margin, and the WiC verdicts."""
    general = english_senses()
    margin = general.min_margin
    try:
        coarse = score(general, read.members, read.items, read.contexts, read.gold_of_word)
    finally:
        general.min_margin = margin  # score() walks the margins
    at = coarse["margins"][margin]
    return {"coarsewsd accuracy": coarse["accuracy"], "coarsewsd macro-F1": coarse["macro-F1"],
            "other-sense precision": at["other precision"], "other-sense rate": at["other rate"],
            "same-sense precision": at["same precision"], "same-sense rate": at["same rate"],
            "wic": wic_verdicts(pairs=read.wic)}


def tune_glosses(split: str = "train") -> dict:
    """The rows for each of WEIGHTS on CoarseWSD-20 train and WiC dev; on
    CoarseWSD-20 test and WiC test when ``split`` is "test", for no
    glosses, the first overlap alone and the shipped weights."""
    read = read_split(split)
    general = english_senses()
    shipped = (general.gloss_weight, general.related_gloss_weight, general.term_weight)
    tested = ((0.0, 0.0, 0.0), (shipped[0], 0.0, 0.0), (*shipped[:2], 0.0), shipped)
    rows = []
    try:
        for weights in WEIGHTS if split == "train" else tested:
            general.gloss_weight, general.related_gloss_weight, general.term_weight = weights
            rows.append({"gloss weight": weights[0], "related gloss weight": weights[1], "term weight": weights[2],
                         **measure(read)})
            print(json.dumps(rows[-1]), flush=True)
    finally:
        general.gloss_weight, general.related_gloss_weight, general.term_weight = shipped
    return {"split": split, "occurrences": len(read.items), "words": read.words, "shipped weights": list(shipped),
            "rows": rows}


def glosses_markdown(result: dict) -> str:
    fmt = lambda x: "-" if x is None else f"{x:.3f}"  # noqa: E731
    split, wic_split = result["split"], "dev" if result["split"] == "train" else "test"
    lines = [f"# Gloss overlap weight, CoarseWSD-20 {split} and WiC {wic_split}", "",
             f"CoarseWSD-20 {split}: {result['occurrences']} occurrences of {len(result['words'])} words; verdicts "
             f"on pairs of them at the shipped passage margin. WiC {wic_split}: the page's verdict (first sentence "
             "read as a query word, second compared with its sense); \"clean\": pairs whose sentences are not "
             "WordNet examples. Weights: the context's terms in the sense's glosses, the context words' own "
             "definitions in them, and the cosine of the context's and the glosses' bags of the teacher's word "
             f"vectors; shipped: {' and '.join(map(str, result['shipped weights']))}.", "",
             "| weights | CoarseWSD acc | macro-F1 | other-sense precision (rate) | same-sense precision (rate) | "
             f"WiC {wic_split} verdicts | right | WiC {wic_split} clean verdicts | right |", "|" + "---|" * 9]
    for row in result["rows"]:
        wic = row["wic"]
        clean = ", neither sentence a WordNet example"
        weights = f"{row['gloss weight']}, {row['related gloss weight']}, {row.get('term weight', 0.0)}"
        lines.append(f"| {weights} | {fmt(row['coarsewsd accuracy'])} | "
                     f"{100 * row['coarsewsd macro-F1']:.1f} | {fmt(row['other-sense precision'])} "
                     f"({fmt(row['other-sense rate'])}) | {fmt(row['same-sense precision'])} "
                     f"({fmt(row['same-sense rate'])}) | {wic['verdicts']} of {wic['pairs']} | "
                     f"{fmt(wic['accuracy of verdicts'])} | {wic['verdicts' + clean]} of {wic['pairs' + clean]} | "
                     f"{fmt(wic['accuracy of verdicts' + clean])} |")
    return "\n".join(lines) + "\n"
