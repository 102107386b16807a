"""Build the inventory's collocations (`collocations.py` reads them) from
WordNet 3.0: ``python -m indexing.senses.collocations_build``.

One sense per collocation (Yarowsky, 1993): a word beside a given
neighbour is nearly always in one sense. WordNet lists thousands of
two-word phrases, and many of them are kinds of one sense of their words:
a "fountain pen" is a pen that writes, a "holding pen" one that holds
livestock, a "vampire bat" the animal, a "date palm" the tree. For each
lemma of the inventory (``data/dictionary.json``) and each WordNet phrase
of two words that holds it ("x_word" or "word_x"), the phrase's synsets and
their hypernyms up to ``DEPTH`` levels are searched for the lemma's
synsets; when they meet exactly one of its coarse senses, the neighbour
"x" (before or after) points to that sense. A phrase that meets two coarse
senses ("largemouth bass", the fish and its flesh, when the inventory
keeps them apart) or none ("organ donor": a donor, not an organ) points to
nothing.

Consumes WordNet's files (`wordnet.py`) and ``data/dictionary.json``;
produces ``data/dictionary_collocations.json`` (lemma -> "before" and
"after" neighbours -> sense row, with the digest of the entries it was
built for). Build time only; the product reads the file.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from indexing.senses.collocations import DATA, FILE
from indexing.senses.glosses import entries_digest
from indexing.senses.wordnet import DEFAULT_DIR, Synset, index, synsets

DEPTH = 4  # hypernym levels searched above a phrase's synsets ("vampire bat" -> "carnivorous bat" -> "bat")
PHRASE_POS = ("noun", "verb")


def ancestors(synset: Synset, by_offset: dict[str, Synset], depth: int = DEPTH) -> set[str]:
    """The offsets of ``synset`` and of its hypernyms up to ``depth`` levels above it."""
    found, frontier = {synset.offset}, [synset]
    for _ in range(depth):
        frontier = [by_offset[offset] for s in frontier for offset in s.hypernyms if offset not in found]
        found.update(s.offset for s in frontier)
    return found


def collocations(entries: dict, phrases: dict[str, dict[str, list[str]]],
                 by_pos: dict[str, dict[str, Synset]]) -> dict[str, dict[str, dict[str, int]]]:
    """Lemma -> {"before": {neighbour: row}, "after": {neighbour: row}}
    for the lemmas of ``entries`` (as dictionary.json holds them) with two
    coarse senses or more; ``phrases``: part of speech -> two-word WordNet
    lemma ("fountain_pen") -> its synsets' offsets."""
    found: dict[str, dict[str, dict[str, int]]] = {}
    for pos, of_pos in phrases.items():
        for phrase, offsets in of_pos.items():
            first, second = phrase.split("_")
            reached: set[str] = set()
            for offset in offsets:
                reached |= ancestors(by_pos[pos][offset], by_pos[pos])
            for lemma, side, neighbour in ((second, "before", first), (first, "after", second)):
                senses = entries.get(lemma, ())
                if len(senses) < 2 or neighbour == lemma:
                    continue
                rows = {sense["row"] for sense in senses for key in sense["synsets"]
                        if key.startswith(pos) and key.split(":")[1] in reached}
                if len(rows) == 1:
                    found.setdefault(lemma, {"before": {}, "after": {}})[side][neighbour] = rows.pop()
    return found


def two_word_phrases(directory: Path) -> dict[str, dict[str, list[str]]]:
    """Part of speech -> WordNet's lemmas of exactly two words ("fountain_pen") -> their synsets' offsets."""
    return {pos: {lemma: offsets for lemma, offsets in index(directory, pos).items()
                  if lemma.count("_") == 1 and all(part.isalpha() for part in lemma.split("_"))}
            for pos in PHRASE_POS}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wordnet", type=Path, default=DEFAULT_DIR, help="WordNet 3.0's dict directory")
    parser.add_argument("--data", type=Path, default=DATA, help="the inventory's directory (dictionary.json)")
    args = parser.parse_args(argv)
    entries = json.loads((args.data / "dictionary.json").read_text())["entries"]
    by_pos = {pos: synsets(args.wordnet, pos) for pos in PHRASE_POS}
    found = collocations(entries, two_word_phrases(args.wordnet), by_pos)
    (args.data / FILE).write_text(json.dumps({"entries_digest": entries_digest(entries), "lemmas": found},
                                             sort_keys=True, separators=(",", ":")))
    count = sum(len(sides[side]) for sides in found.values() for side in sides)
    print(f"{count:,} collocations of {len(found):,} lemmas -> {args.data / FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
