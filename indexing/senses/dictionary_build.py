"""Build the general English sense inventory (`dictionary.py` reads it) from
WordNet 3.0 and our distilled biLM:
``python -m indexing.senses.dictionary_build --text TRAINING_TEXT``.

Consumes WordNet's files (`wordnet.py`), a running text that says which
words people use (the biLM's training text, `python -m indexing.elmo
prepare`) and the distilled biLM (`indexing/elmo/distilled`). Produces
``data/dictionary.json`` (per lemma, its coarse senses: label, definition,
part of speech, SemCor weight, vector row), ``data/dictionary_vectors.npz``
(unit vectors, one row per coarse sense, stored as int8 with a scale per row:
a cosine moves by about 0.002, against verdict margins of 0.2) and
``data/dictionary_glosses.npz`` (each sense's gloss words, `glosses.py`).

- Which words: the lemmas (WordNet's morphy, `lexicon.py`) of the
  ``--words`` most frequent content words of the text that have at least two
  noun, verb or adjective synsets.
- Each synset is read by the biLM as a short text: its words, definition,
  examples, and its first two hypernyms' words and definitions. Its vector is
  the sentence head of the mean mixed vector (what the ELMo column ranks
  with), so it lives in the space where an occurrence's context is read.
- Synsets a person would not tell apart are grouped (`grouping.py`): average-linkage
  clustering of one lemma's synsets of one part of speech, by the larger of
  two cosine distances, below ``--merge-distance``: the biLM's vectors' and
  the teacher's (all-MiniLM-L6-v2, Apache-2.0, reading the same synset
  text; `teacher_vectors`). The biLM alone finds the factory and the
  flowering plant, the fingernail and the carpenter's nail, alike (cosine
  distance 0.22 and 0.28; the teacher 0.67 and 0.72), and merged them. The
  setting was chosen on CoarseWSD-20's train split (``python -m bench
  dictionary``) and the development homonyms (bench/results/decisions.md).
  A group's vector is the mean of its synsets' biLM vectors weighted by
  their SemCor counts plus one half; its label and definition are those of
  its most frequent synset (but see names, below).
- A group is a name ("proper": only a capitalised occurrence may mean it)
  when each of its synsets names one thing or writes the word capitalised
  only (`Synset.names`: "Crane" the writer, "Rebel" a Confederate soldier,
  "March" the month). A group's label and definition are its heaviest
  synset's that is not a name, when it has one (`labels.py`).
  ``--labels-only`` labels and marks them again in a built inventory.

Synset vectors are cached in ``--cache`` and ``--teacher-cache``
(resumable: a rerun reads what an earlier run encoded). Build time only:
the product never runs the teacher. The WordNet licence ships beside the
data (data/WORDNET_LICENSE), the teacher's too (data/MINILM_LICENSE).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

from indexing.linalg import int8_rows
from indexing.senses.glosses import Glosses, entries_digest
from indexing.senses.grouping import SENSE_POS, coarse_senses
from indexing.senses.labels import mark_names, name_sense
from indexing.senses.lexicon import english
from indexing.senses.wordnet import DEFAULT_DIR, POS, Synset, index, synsets, tag_counts
from indexing.text import terms

DATA = Path(__file__).resolve().parent / "data"
SMOOTHING = 0.5  # a sense's weight is its SemCor count plus this, so untagged senses count a little
MAX_TOKENS = 120
MERGE_DISTANCE = 0.65
# Related synsets whose words a synset's text lists: (title, pointer symbols, at most n synsets, words of each).
RELATED = (("Kinds", ("~", "~i"), 8, 2), ("Related", (";c", ";r", "#p", "#m", "%p", "%m", "%s", "#s"), 8, 2),
           ("Also", ("+",), 6, 1))


def synset_text(synset: Synset, by_pos: dict[str, dict[str, Synset]], lemma: str) -> str:
    """What the biLM reads of a synset as a sense of ``lemma``: its other
    words, definition and examples, its first two hypernyms, and the words of
    the synsets around it (kinds of it, its topic, parts and wholes, derived
    words), which say what it is about. The lemma itself is left out of the
    words: every sense of "bank" naming "bank" made them all alike (choice:
    ``python -m bench dictionary``, bench/results/decisions.md)."""
    others = ", ".join(w.replace("_", " ") for w in synset.words if w != lemma)
    parts = [f"{others}: {synset.definition}." if others else f"{synset.definition}."]
    parts += [f"{example}." for example in synset.examples]
    for offset in synset.hypernyms[:2]:
        hypernym = by_pos[synset.pos][offset]
        parts.append(f"{_words(hypernym, 3)}: {hypernym.definition}.")
    for title, symbols, n, n_words in RELATED:
        found = [by_pos[pos][offset] for pos, offset in synset.related(symbols)[:n] if pos in by_pos]
        if found:
            parts.append(f"{title}: {'; '.join(_words(s, n_words) for s in found)}.")
    return " ".join(parts)


def _words(synset: Synset, n: int | None = None) -> str:
    return ", ".join(w.replace("_", " ") for w in synset.words[:n])


def frequent_lemmas(text: Path, n_words: int, senses_of: dict[str, list[tuple[str, str]]]) -> list[str]:
    """The lemmas with two or more senses of the ``n_words`` most frequent content words of ``text``."""
    from tqdm import tqdm

    from indexing.text import is_content_word, tokenize

    counts: Counter[str] = Counter()
    with text.open(encoding="utf-8") as lines:
        for line in tqdm(lines, desc="counting words", unit=" lines"):
            counts.update(t.norm for t in tokenize(line) if is_content_word(t.norm))
    lexicon = english()
    found = []
    for word, _ in counts.most_common(n_words):
        found += [lemma for lemma in lexicon.lemmas(word) if len(senses_of.get(lemma, ())) >= 2]
    return list(dict.fromkeys(found))


def encode(texts: dict[tuple[str, ...], str], cache: Path, model: Path) -> dict[tuple[str, ...], np.ndarray]:
    """Unit head vectors of ``texts``, keyed as they are; cached in ``cache`` (an .npz)."""
    from tqdm import tqdm

    from indexing.contextual import query_sentences, surface
    from indexing.elmo.encoder import ElmoEncoder
    from indexing.senses.dictionary import context_vectors

    done: dict[tuple[str, ...], np.ndarray] = {}
    if cache.exists():
        with np.load(cache) as saved:
            done = {tuple(key.split("|")): row for key, row in zip(saved["keys"], saved["vectors"])}
    # In float, not the product's int8 (indexing/elmo/lstm_int8.py): the shipped
    # vectors are a reference the product's readings are measured against.
    encoder = ElmoEncoder.load(model)
    todo = [key for key in texts if key not in done]
    chunk = 2048
    for start in tqdm(range(0, len(todo), chunk), desc="reading synsets", unit=" chunks"):
        keys = todo[start : start + chunk]
        spelled = []
        for key in keys:
            tokens = [t for sentence in query_sentences(texts[key]) for t in sentence][:MAX_TOKENS]
            spelled.append(surface(texts[key], tokens))
        done.update(zip(keys, context_vectors(encoder, encoder.encode_layers(spelled))))
        np.savez(cache, keys=np.array(["|".join(k) for k in done]), vectors=np.stack(list(done.values())))
    return done


def teacher_vectors(keys: set[tuple[str, str, str]], by_pos: dict[str, dict[str, Synset]],
                    cache: Path) -> dict[tuple[str, str, str], np.ndarray]:
    """The teacher's (all-MiniLM-L6-v2, `teacher_reading.encode`) unit
    sentence vectors of what the biLM reads of each synset (``keys``: lemma,
    part of speech, offset; `synset_text`), cached in ``cache``."""
    from indexing.senses.teacher_reading import encode

    texts = {"|".join(key): synset_text(by_pos[key[1]][key[2]], by_pos, key[0]) for key in sorted(keys)}
    found = encode(texts, cache, "synsets with the teacher")
    return {tuple(key.split("|")): vector for key, vector in found.items()}


def read_wordnet(directory: Path) -> tuple[dict[str, dict[str, Synset]], dict[str, list[tuple[str, str]]],
                                           dict[str, list[float]]]:
    """Synsets by part of speech and offset; each lemma's senses ((pos,
    offset), most frequent first within a part of speech) and their weights."""
    by_pos = {pos: synsets(directory, pos) for pos in SENSE_POS}
    counts = tag_counts(directory)
    senses_of: dict[str, list[tuple[str, str]]] = {}
    weight_of: dict[str, list[float]] = {}
    for pos in SENSE_POS:
        pos_number = POS.index(pos) + 1
        for lemma, offsets in index(directory, pos).items():
            senses_of.setdefault(lemma, []).extend((pos, offset) for offset in offsets)
            weight_of.setdefault(lemma, []).extend(counts.get((lemma, pos_number, n), 0) + SMOOTHING
                                                   for n in range(1, len(offsets) + 1))
    return by_pos, senses_of, weight_of


def gloss_terms(entries: dict, by_pos: dict[str, dict[str, Synset]], senses_of: dict[str, list[tuple[str, str]]],
                weight_of: dict[str, list[float]]) -> Glosses:
    """The gloss terms of every coarse sense of ``entries`` (lemma -> senses
    with their "row" and "synsets", as dictionary.json holds them): the
    terms of what the biLM reads of each synset it groups, less the
    examples (WiC's sentences are WordNet's examples: glosses.py) and less
    the lemma's own. And each one-word lemma's own gloss terms, by its stem
    (`glosses.WordGlosses`): its synsets' definitions, weighted by their
    SemCor counts (``senses_of``, ``weight_of``: `read_wordnet`)."""
    by_row: dict[int, set[str]] = {}
    for lemma, senses in entries.items():
        own = set(terms(lemma.replace("_", " ")))
        for sense in senses:
            found: set[str] = set()
            for key in sense["synsets"]:
                pos, offset = key.split(":")
                found.update(terms(synset_text(replace(by_pos[pos][offset], examples=()), by_pos, lemma)))
            by_row[sense["row"]] = found - own
    definitions: dict[tuple[str, str], set[str]] = {}
    word_bags: dict[str, Counter[str]] = {}
    for lemma, keys in senses_of.items():
        stems = terms(lemma) if "_" not in lemma else []
        if len(stems) != 1:
            continue  # a phrase, or a word the analyser drops
        bag = word_bags.setdefault(stems[0], Counter())
        for key, weight in zip(keys, weight_of[lemma]):
            if key not in definitions:
                definitions[key] = set(terms(by_pos[key[0]][key[1]].definition))
            bag.update(dict.fromkeys(definitions[key], weight))
    return Glosses.of(by_row, max(by_row) + 1, entries_digest(entries), word_bags)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--text", type=Path, help="running text whose frequent words get senses")
    parser.add_argument("--glosses-only", action="store_true",
                        help="only rebuild the gloss terms of the inventory in --out (no biLM, no --text)")
    parser.add_argument("--labels-only", action="store_true",
                        help="only label the senses of the inventory in --out again and mark which are names "
                             "(no biLM, no --text)")
    parser.add_argument("--wordnet", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--merge-distance", type=float, default=MERGE_DISTANCE)
    parser.add_argument("--cache", type=Path, default=Path("dictionary-synsets.npz"))
    parser.add_argument("--teacher-cache", type=Path, default=Path("dictionary-teacher.npz"),
                        help="the teacher's reading of the synsets (`grouping.group`), cached here")
    parser.add_argument("--no-teacher", action="store_true", help="group by the biLM's vectors alone")
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)

    from indexing.contextual import DISTILLED_MODEL, weights_digest

    by_pos, senses_of, weight_of = read_wordnet(args.wordnet)
    if args.labels_only:
        path = args.out / "dictionary.json"
        meta = json.loads(path.read_text())
        for lemma, senses in meta["entries"].items():
            weights = dict(zip(senses_of[lemma], weight_of[lemma]))
            for sense in senses:
                name_sense(lemma, sense, by_pos, weights)
            mark_names(lemma, senses, by_pos)
        path.write_text(json.dumps(meta, separators=(",", ":")))
        names = sum(sense.get("proper", False) for senses in meta["entries"].values() for sense in senses)
        print(f"senses labelled again, {names:,} of them names -> {path}")
        return 0
    if args.glosses_only:
        glosses = gloss_terms(json.loads((args.out / "dictionary.json").read_text())["entries"], by_pos, senses_of,
                              weight_of)
        glosses.save(args.out)
        print(f"{len(glosses.offsets) - 1:,} senses, {len(glosses.term_ids):,} gloss terms -> {args.out}")
        return 0
    if args.text is None:
        parser.error("--text is required (unless --glosses-only)")
    lemmas = frequent_lemmas(args.text, args.words, senses_of)
    vectors = encode({(lemma, pos, offset): synset_text(by_pos[pos][offset], by_pos, lemma)
                      for lemma in lemmas for pos, offset in senses_of[lemma]},
                     args.cache, DISTILLED_MODEL)
    teacher = (None if args.no_teacher else
               teacher_vectors({(lemma, *key) for lemma in lemmas for key in senses_of[lemma]}, by_pos,
                               args.teacher_cache))
    entries, rows = {}, []
    for lemma in lemmas:
        keys = senses_of[lemma]
        found = coarse_senses(lemma, keys, weight_of[lemma], np.stack([vectors[(lemma, *key)] for key in keys]),
                              by_pos, args.merge_distance,
                              None if teacher is None else np.stack([teacher[(lemma, *key)] for key in keys]))
        if len(found) < 2:
            continue
        entries[lemma] = []
        for sense in found:
            sense["row"] = len(rows)
            rows.append(sense.pop("vector"))
            entries[lemma].append(sense)
    args.out.mkdir(parents=True, exist_ok=True)
    stored, scales = int8_rows(np.stack(rows).astype(np.float32))
    np.savez(args.out / "dictionary_vectors.npz", vectors=stored, scales=scales)
    meta = {"source": "WordNet 3.0 (Princeton University), SemCor counts from cntlist.rev",
            "model": weights_digest(DISTILLED_MODEL), "merge_distance": args.merge_distance,
            "grouped_by": "biLM" if teacher is None else "biLM and all-MiniLM-L6-v2",
            "words": args.words, "smoothing": SMOOTHING, "entries": entries}
    (args.out / "dictionary.json").write_text(json.dumps(meta, separators=(",", ":")))
    gloss_terms(entries, by_pos, senses_of, weight_of).save(args.out)  # the gloss overlaps' terms (glosses.py)
    print(f"{len(lemmas):,} lemmas with two senses or more, {len(entries):,} with two coarse senses or more, "
          f"{len(rows):,} coarse senses -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
