"""The general sense inventory (`indexing.senses.dictionary`) on CoarseWSD-20
(Loureiro et al., 2021): ``python -m bench dictionary [--split train|test]``.

Consumes the synset vectors that ``dictionary_build`` cached (``--cache``),
WordNet, the distilled biLM and CoarseWSD-20 (non-commercial: evaluation
only; nothing is trained on it). Its senses map to WordNet synsets
(``wn_mappings.tsv``, by synset name); the 16 words with two or more mapped
senses are scored, on their instances whose gold sense is mapped (Apple Inc.
and the Java language are not in WordNet 3.0). Each occurrence's context is
``RADIUS`` tokens either side, read as the explanation reads a passage.

For each way of grouping synsets (``MERGE_DISTANCES``) and each prior weight
(``PRIOR_WEIGHTS``):
- separation: of the pairs of a word's gold senses, the share whose synsets
  land in different coarse senses (a merge that joins two gold senses can
  never tell them apart); and coarse senses per lemma, on these words and on
  every lemma in the cache;
- per occurrence: accuracy of the nearest coarse sense (right when it holds
  the gold sense's synset), and, at each margin threshold, the share read
  clearly and the precision of those;
- per pair of occurrences of one word (``PAIRS`` random pairs per word), as
  the page judges them: the first read clearly, the second compared with its
  sense (`Dictionary.compare`: "same sense" or "other sense" by the margin);
  precision and rate of each.

The train split chooses how synsets are grouped and how much the prior
counts (`dictionary_build.MERGE_DISTANCE`, `dictionary.PRIOR_WEIGHT`). The
first rule, the most accurate setting that keeps at least
``MIN_SEPARATION`` of the gold sense pairs apart, chose the biLM's grouping
at 0.5; but accuracy grows with every merge, and the biLM merged homonyms
(the factory and the flowering plant). Since the teacher's view was added
(``--teacher-cache``): the highest macro-F1 among the settings that keep
``MIN_SEPARATION`` apart and are no less accurate than that first choice
(`FIRST_CHOICE`; bench/results/decisions.md). The margins (`dictionary.MIN_MARGIN`,
`MIN_QUERY_MARGIN`) are chosen on the planted development homonyms
(bench/data/homonyms_dev) and checked here and on the everyday dev queries
of ``python -m bench verdicts``. The test split is read once.
"""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.datasets import coarse_wsd, data_root
from indexing.normalize import normalize
from indexing.senses.dictionary import Dictionary, Sense, context_vectors
from indexing.senses.dictionary_build import gloss_terms, read_wordnet
from indexing.senses.grouping import coarse_senses
from indexing.senses.glosses import window_terms
from indexing.senses.occurrence import Window
from indexing.senses.wordnet import DEFAULT_DIR
from search.general_verdicts import GENERAL_RADIUS
from search.occurrences import noun_positions

RADIUS = GENERAL_RADIUS  # as the page reads a passage's occurrence
MIN_SEPARATION = 0.7
FIRST_CHOICE = ("biLM", 0.5, 0.05)  # grouped by, merge distance, prior weight
PER_WORD = 150  # occurrences sampled per word and split
PAIRS = 300
MERGE_DISTANCES = (0.3, 0.4, 0.5, 0.6, 0.65, 0.7)
PRIOR_WEIGHTS = (0.0, 0.02, 0.05)
MARGINS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3)


def gold_synsets(index_of: dict[str, list[tuple[str, str]]]) -> dict[tuple[str, str], str]:
    """(word, CoarseWSD sense) -> WordNet noun offset, by synset name ("bank.n.02")."""
    found = {}
    for line in (data_root() / "coarsewsd20" / "wn_mappings.tsv").read_text().splitlines()[1:]:
        word, sense, _offset, name, _key = line.split("\t")
        if name != "UNK":
            lemma, _pos, number = name.rsplit(".", 2)
            nouns = [offset for pos, offset in index_of[lemma] if pos == "noun"]
            found[(word, sense)] = nouns[int(number) - 1]
    return found


def occurrences(split: str, gold: dict[tuple[str, str], str],
                seed: int = 0) -> list[tuple[str, list[str], str, frozenset[str], int]]:
    """(word, context tokens, gold offset, the context's terms for the gloss
    overlap, the word's position in the context tokens), at most PER_WORD per word."""
    rng = random.Random(seed)
    found = []
    for coarse in coarse_wsd(split):
        word = coarse.word
        if sum((word, sense) in gold for sense in coarse.senses) < 2:
            continue
        items = [item for item in coarse.items if (word, item[2]) in gold]
        rng.shuffle(items)
        for i, sentence, sense in items[:PER_WORD]:
            tokens = sentence.split()
            found.append((word, tokens[max(0, i - RADIUS) : i + RADIUS + 1], gold[(word, sense)],
                          window_terms([normalize(t) for t in tokens], i, RADIUS), min(i, RADIUS)))
    return found


def _dictionary(words, senses_of, weight_of, by_pos, vectors, merge_distance, glosses: bool = True,
                teacher: dict | None = None):
    """The inventory of `words` grouped at `merge_distance` (prior weight 0:
    set it on the result), with its gloss terms unless not `glosses`; the
    synsets grouped by the teacher's vectors too when given (`grouping.group`)."""
    entries, rows, members, grouped = {}, [], {}, {}
    for lemma in words:
        keys = senses_of[lemma]
        found = coarse_senses(lemma, keys, weight_of[lemma], np.stack([vectors[(lemma, *k)] for k in keys]), by_pos,
                              merge_distance,
                              None if teacher is None else np.stack([teacher[(lemma, *k)] for k in keys]))
        entries[lemma], grouped[lemma] = [], []
        for sense in found:
            members[(lemma, len(rows))] = {s.split(":")[1] for s in sense["synsets"]}
            entries[lemma].append(Sense(lemma, sense["label"], sense["definition"], sense["pos"], sense["weight"],
                                        len(rows)))
            grouped[lemma].append({"row": len(rows), "synsets": sense["synsets"]})
            rows.append(sense["vector"])
    return Dictionary(entries, np.stack(rows), "bench", prior_weight=0.0,
                      glosses=gloss_terms(grouped, by_pos, senses_of, weight_of) if glosses else None), members


def score(dictionary: Dictionary, members, items, contexts, gold_of_word, seed: int = 0) -> dict:
    raw = []
    for (word, _tokens, gold, terms, _at), context in zip(items, contexts):
        senses = dictionary.entries[word]
        scores = dictionary.scores(senses, context, terms)
        order = np.argsort(-scores)
        best = senses[int(order[0])]
        margin = float(scores[order[0]] - scores[order[1]]) if len(senses) > 1 else 1.0
        raw.append((word, best.row, gold in members[(word, best.row)], margin, gold, best, context, terms))
    separation = []
    for word, golds in gold_of_word.items():
        group_of = {offset: row for (lemma, row), offsets in members.items() if lemma == word for offset in offsets}
        separation += [group_of[a] != group_of[b] for i, a in enumerate(golds) for b in golds[i + 1:]]
    from sklearn.metrics import f1_score

    macro = []
    for word, golds in gold_of_word.items():
        rows = [r for r in raw if r[0] == word]
        inside = {row: [g for g in golds if g in offsets] for (lemma, row), offsets in members.items() if lemma == word}
        predicted = [inside[r[1]][0] if len(inside[r[1]]) == 1 else "none" for r in rows]
        macro.append(f1_score([r[4] for r in rows], predicted, labels=golds, average="macro", zero_division=0))
    figures = {"accuracy": float(np.mean([r[2] for r in raw])), "separation": float(np.mean(separation)),
               "macro-F1": float(np.mean(macro)),
               "senses per word": float(np.mean([len(dictionary.entries[w]) for w in gold_of_word])), "margins": {}}
    rng = random.Random(seed)
    by_word: dict[str, list] = {}
    for r in raw:
        by_word.setdefault(r[0], []).append(r)
    pairs = [tuple(rng.sample(rs, 2)) for rs in by_word.values() for _ in range(PAIRS) if len(rs) > 1]
    for margin in MARGINS:
        dictionary.min_margin = margin
        clear = [r for r in raw if r[3] >= margin]
        # As the page judges: the first read clearly (the query's word), the
        # second compared with its sense (`Dictionary.compare`).
        kinds = [(dictionary.compare(a[5], b[6], terms=b[7])[0], a[4] == b[4]) for a, b in pairs if a[3] >= margin]
        other = [not same for kind, same in kinds if kind == "other sense"]
        same = [same for kind, same in kinds if kind == "same sense"]
        figures["margins"][margin] = {
            "clear": len(clear) / len(raw), "precision": float(np.mean([r[2] for r in clear])) if clear else None,
            "other rate": len(other) / len(pairs), "other precision": float(np.mean(other)) if other else None,
            "same rate": len(same) / len(pairs), "same precision": float(np.mean(same)) if same else None}
    return figures


def evaluate_dictionary(split: str, cache: Path, wordnet: Path = DEFAULT_DIR,
                        teacher_cache: Path | None = None) -> dict:
    """Every setting of the grouping and the prior (module docstring); with
    ``teacher_cache``, each grouping both by the biLM's synset vectors alone
    and by the larger of its and the teacher's distances (`grouping.group`)."""
    from indexing.senses.dictionary_build import teacher_vectors

    by_pos, senses_of, weight_of = read_wordnet(wordnet)
    with np.load(cache) as saved:
        vectors = {tuple(key.split("|")): row for key, row in zip(saved["keys"], saved["vectors"])}
    gold = gold_synsets(senses_of)
    items = occurrences(split, gold)
    words = sorted({item[0] for item in items})
    gold_of_word = {w: sorted({offset for (word, _), offset in gold.items() if word == w}) for w in words}
    contexts = read_windows([item[1] for item in items], [item[4] for item in items])
    cached_lemmas = [lemma for lemma, keys in senses_of.items()
                     if len(keys) >= 2 and all((lemma, *k) in vectors for k in keys)]
    views: dict[str, dict | None] = {"biLM": None}
    if teacher_cache is not None:
        views["biLM and teacher"] = teacher_vectors({(lemma, *key) for lemma in [*words, *cached_lemmas[::20]]
                                                     for key in senses_of[lemma]}, by_pos, teacher_cache)
    results = {"split": split, "occurrences": len(items), "words": words, "settings": []}
    for (view, teacher), merge_distance in itertools.product(views.items(), MERGE_DISTANCES):
        everyone, _ = _dictionary(cached_lemmas[::20], senses_of, weight_of, by_pos, vectors, merge_distance,
                                  glosses=False, teacher=teacher)  # counted, never read
        per_lemma = float(np.mean([len(s) for s in everyone.entries.values()]))
        dictionary, members = _dictionary(words, senses_of, weight_of, by_pos, vectors, merge_distance,
                                          teacher=teacher)
        for prior_weight in PRIOR_WEIGHTS:  # the grouping does not depend on the prior
            dictionary.prior_weight = prior_weight
            figures = score(dictionary, members, items, contexts, gold_of_word)
            figures.update({"grouped by": view, "merge distance": merge_distance, "prior weight": prior_weight,
                            "senses per lemma (every 20th cached lemma)": per_lemma})
            results["settings"].append(figures)
            print(f"{view} merge {merge_distance} prior {prior_weight}: acc {figures['accuracy']:.3f} "
                  f"F1 {figures['macro-F1']:.3f} sep {figures['separation']:.2f} "
                  f"senses/word {figures['senses per word']:.1f} per lemma {per_lemma:.1f}", flush=True)
    results["wic"] = wic_verdicts("dev" if split == "train" else "test")
    first = next((s for s in results["settings"] if (s["grouped by"], s["merge distance"], s["prior weight"])
                  == FIRST_CHOICE), None)
    kept = [s for s in results["settings"] if s["separation"] >= MIN_SEPARATION
            and (first is None or s["accuracy"] >= first["accuracy"])]
    best = max(kept, key=lambda s: s["macro-F1"] if first else s["accuracy"]) if kept else None
    results["chosen"] = None if best is None else [best["grouped by"], best["merge distance"], best["prior weight"]]
    return results


@dataclass(frozen=True)
class WicPairs:
    """WiC pairs read once, scored under any setting of the inventory:
    each pair's lemma, gold label ("T"/"F") and whether neither sentence is
    a WordNet example; each sentence's window (`Window`: context vector and
    part of speech) and terms (rows 2n, 2n + 1 of pair n)."""

    split: str
    lemmas: list[str]
    labels: list[str]
    clean: list[bool]
    contexts: list[Window]
    terms: list[frozenset[str]]
    nouns: list[bool]  # whether the first sentence's target stands where a noun stands, as a query's word is read


def wic_pairs(split: str) -> WicPairs:
    """WiC's `split` (Pilehvar and Camacho-Collados, 2019; CC BY-NC,
    evaluation only), each target read by the distilled biLM as a passage's
    occurrence is read."""
    folder = data_root() / "wic" / split
    lines = (folder / f"{split}.data.txt").read_text().splitlines()
    labels = (folder / f"{split}.gold.txt").read_text().split()
    windows, positions, terms, clean, examples, nouns = [], [], [], [], wordnet_examples(), []
    for line in lines:
        _lemma, _pos, at, first, second = line.split("\t")
        words = first.split()
        i = int(at.split("-")[0])
        nouns.append(len(" ".join(words[:i])) + (1 if i else 0) in noun_positions(" ".join(words)))
        for i, sentence in zip(map(int, at.split("-")), (first, second)):
            tokens = sentence.split()
            windows.append(tokens[max(0, i - RADIUS) : i + RADIUS + 1])
            positions.append(min(i, RADIUS))
            terms.append(window_terms([normalize(t) for t in tokens], i, RADIUS))
        clean.append(_plain(first) not in examples and _plain(second) not in examples)
    contexts = read_windows(windows, positions)
    return WicPairs(split, [line.split("\t")[0] for line in lines], labels, clean, contexts, terms, nouns)


def read_windows(windows: list[list[str]], positions: list[int]) -> list[Window]:
    """Each window of words read by the distilled biLM as the explanation
    reads an occurrence: its context vector and the part of speech at
    ``positions`` (its word's, one per window; `Dictionary.windows`)."""
    from indexing.contextual import DISTILLED_MODEL, shared_reader
    from indexing.senses.dictionary import english_senses

    encoder, general = shared_reader(DISTILLED_MODEL).encoder, english_senses()
    layers = encoder.encode_layers(windows)
    vectors = context_vectors(encoder, layers)
    return [general.windows(vectors[k : k + 1], layers[k], [at])[0] for k, at in enumerate(positions)]


def wic_verdicts(split: str = "test", pairs: WicPairs | None = None, rule_out: bool = True) -> dict:
    """The page's verdict on WiC pairs (`pairs`, else `split` read now) with
    the shipped inventory as it is set: the first sentence's target read as
    a query word, the second's compared with its sense (or, when it is
    unclear, ruled out of the senses it may be: `Dictionary.rule_out`, as
    the page does unless ``rule_out`` is False). "Same sense"
    predicts T, "other sense" F; no verdict is counted apart, and as T (the
    page then shows the same word, unmarked)."""
    from indexing.senses.dictionary import english_senses

    general = english_senses()
    pairs = pairs or wic_pairs(split)
    contexts, around = pairs.contexts, pairs.terms
    outcomes = []  # (verdict or None, gold, whether neither sentence is a WordNet example)
    for n, (lemma, label, clean) in enumerate(zip(pairs.lemmas, pairs.labels, pairs.clean)):
        reading = general.read(lemma, contexts[2 * n], query=True, terms=around[2 * n], noun=pairs.nouns[n])
        kind = None
        if reading and reading.sense:
            kind = general.compare(reading.sense, contexts[2 * n + 1], terms=around[2 * n + 1])[0]
        elif reading and rule_out and general.rule_out(reading.plausible, contexts[2 * n + 1],
                                                       terms=around[2 * n + 1]) is not None:
            kind = "other sense"
        outcomes.append((kind, label, clean))
    found = {"split": pairs.split, "pairs": len(outcomes),
             "in inventory": sum(1 for lemma in pairs.lemmas if general.has_senses(lemma))}
    for name, chosen in (("", outcomes), (", neither sentence a WordNet example", [o for o in outcomes if o[2]])):
        judged = [(kind == "same sense") == (label == "T") for kind, label, _ in chosen if kind]
        found.update({f"pairs{name}": len(chosen), f"verdicts{name}": len(judged),
                      f"accuracy of verdicts{name}": float(np.mean(judged)) if judged else None,
                      f"accuracy, no verdict as T{name}": float(np.mean([(kind == "other sense") == (label == "F")
                                                                         for kind, label, _ in chosen]))})
    return found


def wordnet_examples(wordnet: Path = DEFAULT_DIR) -> frozenset[str]:
    """WordNet's example sentences, letters and digits only (`_plain`): WiC
    took most of its sentences from them (73% of dev), and the inventory's
    sense vectors read them, so WiC is also scored on the pairs that are not."""
    by_pos = read_wordnet(wordnet)[0]
    return frozenset(_plain(example) for synsets in by_pos.values() for synset in synsets.values()
                     for example in synset.examples)


def _plain(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def dictionary_markdown(results: dict) -> str:
    lines = [f"# General sense inventory on CoarseWSD-20, {results['split']} split",
             "", f"{results['occurrences']} occurrences of {len(results['words'])} words "
             f"({', '.join(results['words'])}), context ±{RADIUS} tokens. Chosen (grouped by, merge distance, "
             f"prior weight): {results.get('chosen')}, the highest macro-F1 among the settings keeping "
             f"{MIN_SEPARATION:.0%} of gold sense pairs apart and no less accurate than {FIRST_CHOICE} (module "
             "docstring). The figures read senses without the teacher's word vectors.",
             "",
             "| grouped by | merge distance | prior weight | senses / word | senses / lemma | separation | accuracy | "
             "macro-F1 | margin | clear | precision | other-sense rate | other-sense precision | same-sense rate | "
             "same-sense precision |", "|" + "---|" * 15]
    fmt = lambda x: "-" if x is None else f"{x:.3f}"  # noqa: E731
    wic = results.get("wic")
    if wic:
        lines[2:2] = [f"WiC {wic['split']} with the shipped inventory and margins: {wic['pairs']} pairs, "
                      f"{wic['in inventory']} of whose word has two senses or more, {wic['verdicts']} verdicts, "
                      f"right for {fmt(wic['accuracy of verdicts'])}; every pair, no verdict counted as the same "
                      f"sense: {fmt(wic['accuracy, no verdict as T'])} (chance 0.5).", ""]
    for s in results["settings"]:
        for margin, m in s["margins"].items():
            lines.append(f"| {s.get('grouped by', 'biLM')} | {s['merge distance']} | {s['prior weight']} | "
                         f"{s['senses per word']:.1f} | {s['senses per lemma (every 20th cached lemma)']:.1f} | "
                         f"{s['separation']:.2f} | "
                         f"{s['accuracy']:.3f} | {100 * s['macro-F1']:.1f} | {margin} | {m['clear']:.2f} | "
                         f"{fmt(m['precision'])} | {m['other rate']:.3f} | {fmt(m['other precision'])} | "
                         f"{m['same rate']:.3f} | {fmt(m['same precision'])} |")
    return "\n".join(lines) + "\n"
