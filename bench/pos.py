"""The part of speech in a sense reading (`indexing.senses.pos`,
`dictionary.POS_WEIGHT`): ``python -m bench pos [--split train|test]``.

Two measures:
- **The probe alone**, on the Brown corpus (non-commercial: evaluation
  only; 40 of its 500 texts, fixed seed): among the uses of words WordNet
  gives both a noun and a verb sense, tagged NN* or VB* by Brown's
  annotators, how often the probe's noun-or-verb call is right, and how
  often it is right when it is at least 90% sure; beside the part of
  speech each word has most often in SemCor (WordNet's cntlist), which
  knows the word but not its context.
- **The weight**, as `bench glosses` measures the other weights (the same
  rows: CoarseWSD-20 accuracy, macro-F1 and pair verdicts at the shipped
  passage margin, the page's verdicts on WiC pairs), for each of
  ``WEIGHTS`` on CoarseWSD-20 train and WiC dev; ``--split test`` reads the
  test splits once, without the part of speech and with the shipped weight.
"""
from __future__ import annotations

import random
import re
import zipfile
from collections import defaultdict

import numpy as np

from bench.datasets import data_root
from bench.gloss_tuning import measure, read_split
from indexing.contextual import DISTILLED_MODEL, shared_reader
from indexing.senses.dictionary import english_senses
from indexing.senses.lexicon import english
from indexing.senses.pos import CLASSES
from indexing.senses.pos_build import parts_of_speech
from indexing.senses.wordnet import DEFAULT_DIR, tag_counts
from indexing.text import is_content_word

WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.4)
BROWN_TEXTS = 40
SURE = 0.9


def brown_uses(texts: int = BROWN_TEXTS, seed: int = 1) -> tuple[list[list[str]], list[list[tuple[int, str]]]]:
    """Sentences of ``texts`` Brown texts, each with its (position, "noun"
    or "verb") uses of words WordNet gives both parts of speech."""
    archive = zipfile.ZipFile(data_root() / "brown_nltk" / "brown.zip")
    names = sorted(n for n in archive.namelist() if re.search(r"brown/c[a-r]\d\d$", n))
    pos_of = parts_of_speech(DEFAULT_DIR)
    sentences, uses = [], []
    for name in random.Random(seed).sample(names, texts):
        for line in archive.read(name).decode("latin-1").splitlines():
            pairs = [part.rsplit("/", 1) for part in line.split() if "/" in part]
            if len(pairs) < 4:
                continue
            found = []
            for i, (word, tag) in enumerate(pairs):
                tag, norm = tag.upper().split("-")[0], word.lower()
                kind = "noun" if tag.startswith("NN") else "verb" if tag.startswith("VB") else None
                lemmas = {norm, *english().lemmas(norm)}
                both = {"noun", "verb"} <= set().union(*(pos_of.get(lemma, set()) for lemma in lemmas))
                if kind and is_content_word(norm) and both:
                    found.append((i, kind))
            sentences.append([word for word, _ in pairs])
            uses.append(found)
    return sentences, uses


def probe_on_brown() -> dict:
    """The probe's noun-or-verb calls on Brown against its tags, beside SemCor's most frequent part of speech."""
    general = english_senses()
    if general is None or general.pos_probe is None:
        raise SystemExit("no part-of-speech probe: python -m indexing.senses.pos_build --text FILE")
    sentences, uses = brown_uses()
    encoder = shared_reader(DISTILLED_MODEL).encoder
    counts: dict[tuple[str, int], float] = defaultdict(float)
    for (lemma, pos, _), n in tag_counts(DEFAULT_DIR).items():
        counts[(lemma, pos)] += n
    right, sure, sure_right, frequent = [], 0, 0, []
    noun, verb = CLASSES.index("noun"), CLASSES.index("verb")
    for layers, words, found in zip(encoder.encode_layers(sentences), sentences, uses):
        if not found:
            continue
        log_p = general.pos_probe.log_probabilities(layers, [i for i, _ in found])
        for (i, kind), row in zip(found, log_p):
            call = "noun" if row[noun] >= row[verb] else "verb"
            right.append(call == kind)
            if abs(row[noun] - row[verb]) >= np.log(SURE / (1 - SURE)):
                sure += 1
                sure_right += call == kind
            lemmas = english().lemmas(words[i].lower()) or [words[i].lower()]
            nouns, verbs = (sum(counts[(lemma, p)] for lemma in lemmas) for p in (1, 2))
            frequent.append(("noun" if nouns >= verbs else "verb") == kind)
    return {"uses": len(right), "nouns": sum(kind == "noun" for found in uses for _, kind in found),
            "probe accuracy": float(np.mean(right)), "sure share": sure / len(right),
            "sure accuracy": sure_right / max(sure, 1), "SemCor most frequent accuracy": float(np.mean(frequent))}


def tune_pos(split: str = "train") -> dict:
    """The probe on Brown, and the rows of `bench glosses` for each weight
    (train) or for none and the shipped one (test)."""
    general, read = english_senses(), read_split(split)
    shipped, rows = general.pos_weight, []
    try:
        for weight in WEIGHTS if split == "train" else (0.0, shipped):
            general.pos_weight = weight
            rows.append({"pos weight": weight, **measure(read)})
            print(rows[-1], flush=True)
    finally:
        general.pos_weight = shipped
    return {"split": split, "shipped weight": shipped, "brown": probe_on_brown(), "rows": rows}


def pos_markdown(result: dict) -> str:
    fmt = lambda x: "-" if x is None else f"{x:.3f}"  # noqa: E731
    brown, split = result["brown"], result["split"]
    wic_split = "dev" if split == "train" else "test"
    lines = ["# The part of speech in a sense reading", "",
             f"Brown ({BROWN_TEXTS} texts): {brown['uses']} uses of words WordNet gives a noun and a verb sense "
             f"({brown['nouns']} nouns). The probe's noun-or-verb call is right {100 * brown['probe accuracy']:.1f}% "
             f"of the time; it is at least {SURE:.0%} sure on {100 * brown['sure share']:.1f}% of them and right "
             f"on {100 * brown['sure accuracy']:.1f}% of those. The part of speech the word has most often in "
             f"SemCor: {100 * brown['SemCor most frequent accuracy']:.1f}%.", "",
             f"The weight (shipped {result['shipped weight']}), CoarseWSD-20 {split} and WiC {wic_split}, "
             "as `bench glosses` measures:", "",
             "| weight | CoarseWSD acc | macro-F1 | other-sense precision (rate) | same-sense precision (rate) | "
             f"WiC {wic_split} verdicts | right |", "|" + "---|" * 7]
    for row in result["rows"]:
        wic = row["wic"]
        lines.append(f"| {row['pos weight']} | {fmt(row['coarsewsd accuracy'])} | {100 * row['coarsewsd macro-F1']:.1f}"
                     f" | {fmt(row['other-sense precision'])} ({fmt(row['other-sense rate'])}) | "
                     f"{fmt(row['same-sense precision'])} ({fmt(row['same-sense rate'])}) | "
                     f"{wic['verdicts']} of {wic['pairs']} | {fmt(wic['accuracy of verdicts'])} |")
    return "\n".join(lines) + "\n"
