"""Train the part-of-speech probe the sense readings weigh (`pos.py` reads
it): ``python -m indexing.senses.pos_build --text FILE``.

Consumes running text (one paragraph a line: ``python -m indexing.elmo
prepare --sources lee wiki-dump wikitext2-valid gutenberg --out FILE``,
licensable text only), WordNet 3.0 (`wordnet.py`; build time only) and the
shipped distilled biLM. Each word WordNet gives exactly one part of speech
(through the shipped lexicon's forms: "governments" -> government, a noun)
is labelled with it, each stop word "other"; a word WordNet gives two is
never a training example, so the probe must learn the part of speech from
how a word is used, which is what an ambiguous word needs. A multinomial
logistic regression on the biLM's states of the word (`pos.token_states`),
standardised, with most "other" words left out (they outnumber the rest
three to one). Produces ``data/pos_probe.npz``.

Settings (``--tokens`` 700,000, ``--c`` 0.05): bench/results/decisions.md.
"""
from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from tqdm import tqdm

from indexing.contextual import DISTILLED_MODEL, sentence_tokens, shared_reader, surface, weights_digest
from indexing.senses.lexicon import english
from indexing.senses.pos import CLASSES, DATA, FILE, PosProbe, token_states
from indexing.senses.wordnet import DEFAULT_DIR, index
from indexing.text import is_content_word, split_sentences

TOKENS = 700_000
OTHER_SHARE = 0.2  # of the stop words kept as examples
C = 0.05
OTHER = CLASSES.index("other")
ABSENT = -30.0  # the logit of a class no training example had


def parts_of_speech(wordnet: Path) -> dict[str, set[str]]:
    """One-word lemma -> the parts of speech WordNet gives it."""
    found: dict[str, set[str]] = {}
    for pos in CLASSES[:4]:
        for lemma in index(wordnet, pos):
            if "_" not in lemma:
                found.setdefault(lemma, set()).add(pos)
    return found


def label(norm: str, pos_of: dict[str, set[str]]) -> int | None:
    """The class of a word (normalised) when it is certain without context:
    a stop word is "other", a word whose forms WordNet gives one part of
    speech is that; else None (punctuation, numbers, ambiguous or unknown words)."""
    if not any(c.isalpha() for c in norm):
        return None
    if not is_content_word(norm):
        return OTHER
    found = set().union(*(pos_of.get(lemma, set()) for lemma in {norm, *english().lemmas(norm)}))
    return CLASSES.index(found.pop()) if len(found) == 1 else None


def examples(paragraphs: Iterable[str], pos_of: dict[str, set[str]], tokens: int,
             seed: int = 0) -> tuple[list[list[str]], list[list[tuple[int, int]]]]:
    """Sentences (their words) of ``paragraphs`` up to about ``tokens``
    words, each with its labelled (position, class) pairs."""
    rng = random.Random(seed)
    sentences, labelled, seen = [], [], 0
    for text in paragraphs:
        for span in split_sentences(text):
            found = sentence_tokens(text, span)
            pairs = [(i, c) for i, t in enumerate(found) if (c := label(t.norm, pos_of)) is not None
                     and (c != OTHER or rng.random() < OTHER_SHARE)]
            if len(found) >= 4 and pairs:
                sentences.append(surface(text, found))
                labelled.append(pairs)
                seen += len(found)
        if seen >= tokens:
            break
    return sentences, labelled


def train(encoder, sentences: list[list[str]], labelled: list[list[tuple[int, int]]], c: float,
          model: str) -> tuple[PosProbe, dict]:
    """The probe fitted on ``encoder``'s states of the labelled words, and
    its accuracy on them."""
    from sklearn.linear_model import LogisticRegression

    states, classes = [], []
    batch = 2_048
    with tqdm(total=len(sentences), desc="reading with the biLM", unit="sentence") as bar:
        for start in range(0, len(sentences), batch):
            for layers, pairs in zip(encoder.encode_layers(sentences[start : start + batch]),
                                     labelled[start : start + batch]):
                states.append(token_states(layers)[[i for i, _ in pairs]])
                classes += [c for _, c in pairs]
            bar.update(min(batch, len(sentences) - start))
    x, y = np.concatenate(states), np.array(classes)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    fitted = LogisticRegression(C=c, max_iter=500).fit((x - mean) / scale, y)
    # A class no example had is never predicted (a tiny text may lack one).
    weights = np.zeros((len(CLASSES), x.shape[1]), dtype=np.float64)
    bias = np.full(len(CLASSES), ABSENT, dtype=np.float64)
    coef, intercept = fitted.coef_, fitted.intercept_
    if len(fitted.classes_) == 2:  # one row, for the second class against the first
        coef, intercept = np.stack([np.zeros_like(coef[0]), coef[0]]), np.array([0.0, intercept[0]])
    weights[fitted.classes_] = coef / scale
    bias[fitted.classes_] = intercept - weights[fitted.classes_] @ mean
    probe = PosProbe(weights.astype(np.float32), bias.astype(np.float32), model)
    counts = Counter(CLASSES[k] for k in y.tolist())
    return probe, {"examples": dict(counts), "training accuracy": float(fitted.score((x - mean) / scale, y))}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--text", type=Path, required=True, help="running text, one paragraph a line")
    parser.add_argument("--tokens", type=int, default=TOKENS)
    parser.add_argument("--c", type=float, default=C, help="inverse regularisation strength")
    parser.add_argument("--wordnet", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)

    paragraphs = [line for line in args.text.read_text().splitlines() if line.strip()]
    random.Random(0).shuffle(paragraphs)
    sentences, labelled = examples(paragraphs, parts_of_speech(args.wordnet), args.tokens)
    encoder = shared_reader(DISTILLED_MODEL).encoder
    probe, figures = train(encoder, sentences, labelled, args.c, weights_digest(DISTILLED_MODEL))
    args.out.mkdir(parents=True, exist_ok=True)
    probe.save(args.out)
    print(f"{figures} -> {args.out / FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
