"""How many senses the word-senses view shows for each CoarseWSD-20 word,
against how many the collection holds: ``python -m bench senses-shown
[--split train|test]``.

Consumes CoarseWSD-20 (Loureiro et al., 2021; non-commercial: evaluation
only, nothing is trained on it): `PER_WORD` sentences of each of its 20
words, drawn at random from the split, stored as one collection of
one-sentence documents (an index with BM25 and Senses: the view reads the
store, and a word the dictionary lacks shows the Senses method's clusters).
Produces, per word, the senses the view lists for it (`search.word_senses`,
with no query: the senses its occurrences were read clearly in) and the
gold number: the distinct gold senses among that word's sentences. A word
is right when the two are equal.

The gold senses are CoarseWSD's, so a sense WordNet 3.0 lacks (Apple Inc.,
the Java language) can never be shown, and a word whose WordNet senses group
differently from CoarseWSD's is counted wrong too: the view names
dictionary senses, and the measure is whether a person sees as many as the
collection uses.
"""
from __future__ import annotations

import random
import tempfile
import time
from collections import Counter

from bench.datasets import coarse_wsd
from indexing.documents import Document
from indexing.index import Index
from search.general_verdicts import UNCLEAR
from search.word_senses import word_map, word_occurrences

PER_WORD = 150  # the view reads at most `word_senses.MAX_OCCURRENCES` (150) occurrences


def coarse_sentences(split: str, seed: int = 0) -> dict[str, list[tuple[str, str]]]:
    """word -> (sentence, gold sense name), at most PER_WORD drawn at random."""
    rng = random.Random(seed)
    found = {}
    for word in coarse_wsd(split):
        items = [(sentence, sense) for _position, sentence, sense in word.items]
        rng.shuffle(items)
        found[word.word] = items[:PER_WORD]
    return found


def evaluate_senses_shown(split: str) -> dict:
    started = time.perf_counter()
    sentences = coarse_sentences(split)
    documents = [Document(f"{word} {n}", text, source=word)
                 for word, items in sentences.items() for n, (text, _) in enumerate(items, 1)]
    words = {}
    with tempfile.TemporaryDirectory(prefix="bench-shown-") as directory:
        index = Index(directory)
        index.build(documents, methods=("bm25", "senses"))
        senses = index.methods["senses"]
        for word, items in sentences.items():
            shown = word_map(word_occurrences(index.store, senses, word), senses)
            gold = Counter(sense for _, sense in items)
            words[word] = {"gold": len(gold), "gold_senses": dict(gold.most_common()),
                           "shown": len(shown.senses),
                           "shown_senses": {s.name: s.count for s in shown.senses},
                           "unclear": sum(p.sense == UNCLEAR for p in shown.points),
                           "occurrences": len(shown.points)}
    return {"split": split, "per_word": PER_WORD, "words": words,
            "right": sum(w["gold"] == w["shown"] for w in words.values()),
            "seconds": round(time.perf_counter() - started, 1)}


def senses_shown_markdown(result: dict) -> str:
    words = result["words"]
    lines = [f"# Senses the word-senses view shows, CoarseWSD-20 {result['split']}", "",
             f"{result['per_word']} random {result['split']} sentences per word, stored as one collection. Shown: "
             "the dictionary senses the view lists (read clearly at least once); gold: CoarseWSD's senses among "
             f"those sentences. **Right for {result['right']} of {len(words)} words** (target: 12).", "",
             "| word | gold | shown | unclear | gold senses (sentences) | shown senses (clear readings) |",
             "|---|---|---|---|---|---|"]
    for word, w in words.items():
        gold = ", ".join(f"{name} {n}" for name, n in w["gold_senses"].items())
        shown = ", ".join(f"{name} {n}" for name, n in w["shown_senses"].items())
        lines.append(f"| {word} | {w['gold']} | {w['shown']} | {w['unclear']} of {w['occurrences']} | {gold} | "
                     f"{shown} |")
    return "\n".join(lines) + "\n"
