"""Read WordNet 3.0's database files (Princeton; Debian's `wordnet-base` puts
them in /usr/share/wordnet), for the build-time scripts only: the product
reads what they write into ``data/``, never WordNet itself.

Consumes the index files (a lemma's synsets per part of speech, most
frequent sense first), the data files (each synset's lexicographer file,
words, pointers and gloss), cntlist.rev (how often each sense was tagged in
SemCor) and the exception lists (irregular forms). File formats: WordNet's
wndb(5) and cntlist(5) manual pages.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DIR = Path("/usr/share/wordnet")
POS = ("noun", "verb", "adj", "adv")  # cntlist's part-of-speech numbers are 1-4 in this order
HYPERNYM = ("@", "@i")  # pointer symbols of a hypernym and an instance hypernym
POS_OF = {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}


@dataclass(frozen=True)
class Synset:
    pos: str
    offset: str
    lexfile: int
    words: tuple[str, ...]  # lower case, "_" between the words of a phrase
    written: tuple[str, ...]  # ``words`` as WordNet writes them ("Rebel", "Johnny_Reb", "greyback")
    pointers: tuple[tuple[str, str, str], ...]  # (symbol, offset, part of speech): "@" hypernym, "~" hyponym, ...
    definition: str
    examples: tuple[str, ...]

    def related(self, symbols: tuple[str, ...]) -> list[tuple[str, str]]:
        """(part of speech, offset) of the synsets this one points to with ``symbols``."""
        return [(POS_OF[pos], offset) for symbol, offset, pos in self.pointers if symbol in symbols]

    @property
    def instance(self) -> bool:
        """Whether it names one thing (a person, a place: "Crane, Stephen
        Crane"), an instance of its hypernym rather than a kind."""
        return any(symbol == "@i" for symbol, _, _ in self.pointers)

    def names(self, lemma: str) -> bool:
        """Whether it is a name when it is ``lemma``: it names one thing
        (`instance`: "Crane" the writer) or writes ``lemma`` capitalised
        ("Rebel", a Confederate soldier; "SEAL"; "Java" the language), and
        never in lower case ("Earth, earth" the planet is no name). A text
        in lower case means something else ("rebels fought", "a cup of java")."""
        return lemma not in self.written and (self.instance or lemma in self.words)

    @property
    def hypernyms(self) -> list[str]:
        """Offsets of its hypernyms (instance hypernyms included), same part of speech."""
        return [offset for symbol, offset, pos in self.pointers if symbol in HYPERNYM and POS_OF[pos] == self.pos]


def synsets(directory: Path, pos: str) -> dict[str, Synset]:
    """Offset -> synset, for one part of speech (adjective satellites included)."""
    found = {}
    for line in (directory / f"data.{pos}").open(encoding="latin-1"):
        if line.startswith("  "):  # the licence, at the top of the file
            continue
        head, _, gloss = line.partition(" | ")
        fields = head.split()
        n_words = int(fields[3], 16)
        # "(a)" after an adjective marks its position.
        written = [fields[4 + 2 * i].split("(")[0] for i in range(n_words)]
        words = tuple(word.lower() for word in written)
        at = 4 + 2 * n_words
        n_pointers = int(fields[at])
        pointers = [fields[at + 1 + 4 * i : at + 5 + 4 * i] for i in range(n_pointers)]
        parts = [part.strip() for part in gloss.strip().split(";")]
        found[fields[0]] = Synset(
            pos=pos, offset=fields[0], lexfile=int(fields[1]), words=words,
            written=tuple(written),
            pointers=tuple((symbol, offset, target_pos) for symbol, offset, target_pos, _ in pointers),
            definition="; ".join(part for part in parts if part and not part.startswith('"')),
            examples=tuple(part.strip('"') for part in parts if part.startswith('"')))
    return found


def index(directory: Path, pos: str) -> dict[str, list[str]]:
    """Lemma -> its synsets' offsets, most frequent sense first."""
    found = {}
    for line in (directory / f"index.{pos}").open(encoding="latin-1"):
        if line.startswith("  "):
            continue
        fields = line.split()
        found[fields[0]] = fields[-int(fields[2]):]
    return found


def tag_counts(directory: Path) -> dict[tuple[str, int, int], int]:
    """(lemma, part-of-speech number, sense number) -> SemCor tag count."""
    counts = {}
    for line in (directory / "cntlist.rev").open(encoding="latin-1"):
        key, sense_number, count = line.split()
        lemma, rest = key.split("%", 1)
        counts[(lemma, int(rest.split(":")[0]), int(sense_number))] = int(count)
    return counts


def exceptions(directory: Path) -> dict[str, list[str]]:
    """Irregular form -> the lemmas it may be a form of (one-word forms only)."""
    found: dict[str, set[str]] = defaultdict(set)
    for pos in ("noun", "verb", "adj"):
        for line in (directory / f"{pos}.exc").open(encoding="latin-1"):
            form, *lemmas = line.split()
            if "_" not in form:
                found[form].update(lemma for lemma in lemmas if "_" not in lemma)
    return {form: sorted(lemmas) for form, lemmas in sorted(found.items()) if lemmas}
