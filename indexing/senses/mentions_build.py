"""Build the inventory's defining words (`mentions.py` reads them) from
WordNet 3.0's definitions: ``python -m indexing.senses.mentions_build``.

Each definition that uses a word of the inventory (the word of the synset
it defines aside) is read by the inventory, as a passage's words are read
(`Dictionary.scores`: the gloss overlaps, the teacher's word vectors, the
prior and the collocations of the definition's words; the biLM is not
run). When the reading is clear by ``MARGIN``, each one-word lemma of the
defined synset points to that sense: "donor" to the body's organ. Only
words of at most ``MAX_SYNSETS`` synsets point: a word of many senses
("begin", "cut", "call") is in the text in a sense other than the one
whose definition used the lemma more often than not. A word that two
definitions point to two senses of one lemma points to neither.

Settings chosen on CoarseWSD-20's train split (the table alone's precision
and coverage) and the development homonyms (bench/results/decisions.md,
"Defining words"). Consumes WordNet's files and ``data/``'s inventory;
produces ``data/dictionary_mentions.json`` (lemma -> keyword term of the
pointing word -> sense row, with the digest of the entries it was built
for). Build time only; the product reads the file.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from tqdm import tqdm

from indexing.senses.dictionary import Dictionary
from indexing.senses.dictionary_build import read_wordnet
from indexing.senses.glosses import entries_digest, window_terms
from indexing.senses.lexicon import english
from indexing.senses.mentions import DATA, FILE
from indexing.senses.readings import RADIUS
from indexing.senses.wordnet import DEFAULT_DIR, Synset
from indexing.text import terms, tokenize

MARGIN = 0.3  # a definition's reading must be this clear (the passage margin, `dictionary.MIN_MARGIN`)
MAX_SYNSETS = 3  # a word of more senses points to none


def mentions(dictionary: Dictionary, definitions: list[Synset], synset_counts: dict[str, int],
             margin: float = MARGIN, max_synsets: int = MAX_SYNSETS) -> dict[str, dict[str, int]]:
    """Lemma -> keyword term of a word that points to one of its senses ->
    that sense's row, from ``definitions`` (synsets) read by ``dictionary``
    (without the defining words themselves: `dictionary.mentions` is left
    out); ``synset_counts``: each WordNet lemma's number of synsets."""
    unread = np.zeros(dictionary.vectors.shape[1], dtype=np.float32)  # no biLM: the words alone
    pointed: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for synset in tqdm(definitions, desc="reading WordNet's definitions", unit=" synsets"):
        words = {found[0] for word in synset.words
                 if "_" not in word and synset_counts.get(word, 0) <= max_synsets
                 and len(found := terms(word)) == 1}
        if not words:
            continue
        norms = [token.norm for token in tokenize(synset.definition)]
        for i, norm in enumerate(norms):
            if not dictionary.has_senses(norm) or set(english().lemmas(norm)) & set(synset.words):
                continue  # a word with one sense, or the defined synset's own
            senses = dictionary.senses(norm, names=False)
            if len(senses) < 2:
                continue
            scores = dictionary.scores(senses, unread, window_terms(norms, i, RADIUS))
            best, second = np.argsort(-scores)[:2]
            if scores[best] - scores[second] < margin:
                continue
            for lemma in {sense.lemma for sense in senses}:
                for word in words.difference(terms(lemma.replace("_", " "))):
                    pointed[lemma][word].add(senses[best].row)
    return {lemma: found for lemma, words in pointed.items()
            if (found := {word: rows.pop() for word, rows in words.items() if len(rows) == 1})}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wordnet", type=Path, default=DEFAULT_DIR, help="WordNet 3.0's dict directory")
    parser.add_argument("--data", type=Path, default=DATA, help="the inventory's directory (dictionary.json)")
    args = parser.parse_args(argv)
    dictionary = Dictionary.load(args.data)
    dictionary.mentions = None  # read the definitions without the table being built
    by_pos, senses_of, _ = read_wordnet(args.wordnet)
    definitions = [synset for of_pos in by_pos.values() for synset in of_pos.values()]
    found = mentions(dictionary, definitions, {lemma: len(keys) for lemma, keys in senses_of.items()})
    entries = json.loads((args.data / "dictionary.json").read_text())["entries"]
    (args.data / FILE).write_text(json.dumps({"entries_digest": entries_digest(entries), "lemmas": found},
                                             sort_keys=True, separators=(",", ":")))
    count = sum(map(len, found.values()))
    print(f"{count:,} defining words of {len(found):,} lemmas -> {args.data / FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
