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

from bench.dictionary_eval import gold_synsets, occurrences, score, wic_pairs, wic_verdicts
from indexing.contextual import DISTILLED_MODEL, shared_reader
from indexing.senses.dictionary import DATA, context_vectors, english_senses
from indexing.senses.dictionary_build import read_wordnet
from indexing.senses.wordnet import DEFAULT_DIR

WEIGHTS = ((0.0, 0.0, 0.0), (0.8, 0.0, 0.0), (0.8, 1.0, 0.0), (0.8, 2.0, 0.0), (0.0, 0.0, 1.0), (0.8, 1.0, 0.5),
           (0.8, 1.0, 1.0), (0.8, 1.0, 1.5), (0.8, 1.0, 2.0), (0.8, 1.0, 3.0), (0.8, 0.0, 1.0), (0.0, 0.0, 2.0))
# (gloss weight, related gloss weight, term weight)


def tune_glosses(split: str = "train") -> dict:
    """The rows for each of WEIGHTS on CoarseWSD-20 train and WiC dev; on
    CoarseWSD-20 test and WiC test when ``split`` is "test", for no
    glosses, the first overlap alone and the shipped weights."""
    general = english_senses()
    if general is None or general.glosses is None or general.term_vectors is None:
        raise SystemExit("the shipped inventory has no gloss terms or word vectors: "
                         "python -m indexing.senses.dictionary_build --glosses-only; "
                         "python -m indexing.senses.term_vectors_build")
    _, senses_of, _ = read_wordnet(DEFAULT_DIR)
    gold = gold_synsets(senses_of)
    items = occurrences(split, gold)
    words = sorted({word for word, _, _, _ in items})
    gold_of_word = {w: sorted({offset for (word, _), offset in gold.items() if word == w}) for w in words}
    entries = json.loads((DATA / "dictionary.json").read_text())["entries"]
    members = {(lemma, sense["row"]): {key.split(":")[1] for key in sense["synsets"]}
               for lemma in words for sense in entries[lemma]}
    encoder = shared_reader(DISTILLED_MODEL).encoder
    contexts = context_vectors(encoder, encoder.encode_layers([tokens for _, tokens, _, _ in items]))
    wic = wic_pairs("dev" if split == "train" else "test")  # read once, scored under every setting
    shipped = (general.gloss_weight, general.related_gloss_weight, general.term_weight)
    margin, rows = general.min_margin, []
    tested = ((0.0, 0.0, 0.0), (shipped[0], 0.0, 0.0), (*shipped[:2], 0.0), shipped)
    try:
        for weights in WEIGHTS if split == "train" else tested:
            general.gloss_weight, general.related_gloss_weight, general.term_weight = weights
            coarse = score(general, members, items, contexts, gold_of_word)
            general.min_margin = margin  # score() walks the margins
            at = coarse["margins"][margin]
            rows.append({"gloss weight": weights[0], "related gloss weight": weights[1], "term weight": weights[2],
                         "coarsewsd accuracy": coarse["accuracy"],
                         "coarsewsd macro-F1": coarse["macro-F1"],
                         "other-sense precision": at["other precision"], "other-sense rate": at["other rate"],
                         "same-sense precision": at["same precision"], "same-sense rate": at["same rate"],
                         "wic": wic_verdicts(pairs=wic)})
            print(json.dumps(rows[-1]), flush=True)
    finally:
        (general.gloss_weight, general.related_gloss_weight, general.term_weight), general.min_margin = shipped, margin
    return {"split": split, "occurrences": len(items), "words": words, "shipped weights": list(shipped),
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
