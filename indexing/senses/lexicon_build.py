"""Build the coarse-ambiguity lexicon the explanation consults, from
WordNet 3.0 (Princeton; Debian's `wordnet-base` puts it in
/usr/share/wordnet): ``python -m indexing.senses.lexicon_build [WORDNET_DIR]``.

Consumes WordNet's index files (a lemma's synsets per part of speech), its
data files (each synset's lexicographer file: noun.animal, noun.artifact,
verb.motion, ...) and cntlist.rev (how often each sense was tagged in
SemCor). Produces ``data/wordnet_coarse.json``: for every one-word lemma,
the share of its SemCor-weighted noun and verb senses that lie outside its
most common coarse sense, where a coarse sense is one lexicographer file of
one part of speech (so "bank" as sloping land, noun.object, and as an
institution, noun.group, are two; the four noun.time senses of "year" are
one). Each sense weighs its tag count plus one half, so untagged senses
count a little. Adjectives and adverbs are left out: their lexicographer
files say nothing about sense ("Israeli" the adjective and the person are
one meaning to a reader); a lemma that is only an adjective or adverb
scores 0. Plus WordNet's irregular forms (noun.exc, verb.exc, adj.exc).

Run at build time only; the product reads the JSON, never WordNet itself.
The WordNet licence (data/WORDNET_LICENSE) ships beside the JSON.
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from indexing.senses.wordnet import DEFAULT_DIR, POS, exceptions, index, synsets, tag_counts

SENSE_POS = ("noun", "verb")  # the parts of speech whose coarse senses count
SMOOTHING = 0.5
OUT = Path(__file__).resolve().parent / "data" / "wordnet_coarse.json"


def coarse_ambiguity(directory: Path) -> dict[str, float]:
    counts = tag_counts(directory)
    weights: dict[str, dict[tuple[str, int], float]] = defaultdict(lambda: defaultdict(float))
    for pos_number, pos in enumerate(POS, 1):
        lexfiles = {offset: s.lexfile for offset, s in synsets(directory, pos).items()} if pos in SENSE_POS else {}
        for lemma, offsets in index(directory, pos).items():
            if "_" in lemma:
                continue
            weights.setdefault(lemma, defaultdict(float))
            if pos not in SENSE_POS:
                continue
            for sense_number, offset in enumerate(offsets, 1):
                count = counts.get((lemma, pos_number, sense_number), 0)
                weights[lemma][(pos, lexfiles[offset])] += count + SMOOTHING
    return {lemma: round(1 - max(groups.values()) / sum(groups.values()), 3) if groups else 0.0
            for lemma, groups in weights.items()}


def main(argv: list[str]) -> int:
    directory = Path(argv[0]) if argv else DEFAULT_DIR
    data = {"source": "WordNet 3.0 (Princeton University), SemCor counts from cntlist.rev",
            "smoothing": SMOOTHING, "ambiguity": dict(sorted(coarse_ambiguity(directory).items())),
            "exceptions": exceptions(directory)}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, separators=(",", ":")))
    print(f"{len(data['ambiguity']):,} lemmas, {len(data['exceptions']):,} irregular forms -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
