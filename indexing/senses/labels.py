"""What a coarse sense of the general inventory is called: a short label
and a definition, from its heaviest synset that a word in lower case may
mean, and whether it is a name (only a capitalised occurrence may mean it).
`dictionary_build.py` names each sense it groups with these, and
``--labels-only`` names a built inventory's senses again.

Consumes a lemma's coarse senses as dictionary.json holds them (their
"synsets", most frequent first) and WordNet's synsets (`wordnet.py`);
writes their "label", "definition" and "proper".
"""
from __future__ import annotations

import re

from indexing.senses.wordnet import Synset

_CLAUSE = re.compile(r",| that | which | who | whose | where | when | used | especially | usually | as in ")
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_LOOSE_END = frozenset("a an the and or of in on at to for from with by as into its your one's".split())
LABEL_WORDS = 7


def label(definition: str) -> str:
    """A short label from a definition: its first phrase, no article, at most
    ``LABEL_WORDS`` words ("a financial institution that accepts deposits and
    ..." -> "financial institution"; "the person who is most outstanding ..."
    -> "person who is most outstanding or excellent")."""
    text = _PARENTHESES.sub("", definition.split(";")[0]).strip()
    short = _trimmed(_CLAUSE.split(text, maxsplit=1)[0].split())
    return " ".join(short if len(short) >= 2 else _trimmed(text.split())) or definition[:40]


def _trimmed(words: list[str]) -> list[str]:
    """Without a leading article, at most ``LABEL_WORDS`` words, not ending on a function word."""
    if words and words[0].lower() in ("a", "an", "the"):
        words = words[1:]
    words = words[:LABEL_WORDS]
    while len(words) > 1 and words[-1].lower() in _LOOSE_END:
        words = words[:-1]
    return words


def name_sense(lemma: str, sense: dict, by_pos: dict[str, dict[str, Synset]],
               weight_of: dict[tuple[str, str], float]) -> None:
    """Give a coarse sense of ``lemma`` (with its "synsets", most frequent
    first) the label and definition of its heaviest synset (``weight_of``:
    (pos, offset) -> weight), the first of equals; of its heaviest that is
    not a name (`Synset.names`), when it has one, since a word in lower case
    may mean the sense and never the name: the animal grouped with the Navy
    SEAL is "seal: any of numerous marine mammals", the harbour grouped with
    the city in Alaska "anchorage: place for vessels to anchor"."""
    keys = [tuple(key.split(":")) for key in sense["synsets"]]
    common = [key for key in keys if not by_pos[key[0]][key[1]].names(lemma)] or keys
    pos, offset = max(common, key=lambda key: weight_of[key])  # max keeps the first of equals
    sense["label"], sense["definition"] = label(by_pos[pos][offset].definition), by_pos[pos][offset].definition


def mark_names(lemma: str, senses: list[dict], by_pos: dict[str, dict[str, Synset]]) -> None:
    """Mark "proper" the coarse senses of ``lemma`` (with their "synsets")
    whose every synset is a name for it (`Synset.names`): a text in lower
    case does not mean them ("crane" is not the writer Stephen Crane, and
    "rebels" are not Confederate soldiers)."""
    for sense in senses:
        sense.pop("proper", None)
        if all(by_pos[pos][offset].names(lemma) for pos, offset in (key.split(":") for key in sense["synsets"])):
            sense["proper"] = True
