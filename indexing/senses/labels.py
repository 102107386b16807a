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
_ARTICLES = frozenset(("a", "an", "the"))
# Verbs that cannot end a label: "the number is" is no phrase ("the number
# is used in calling a particular telephone"), nor "side that goes last or is not".
_AUXILIARIES = frozenset("is are was were be been being has have had can could may might must not will would "
                         "should do does".split())
_LOOSE_END = frozenset("a an the and or of in on at to for from with by as into its your one's that which who "
                       "whose where when".split())
LABEL_WORDS = 7  # a longer phrase is cut to this many words or fewer ...
WHOLE_WORDS = 9  # ... unless it has at most this many: no phrase cut by a word or two


def label(definition: str) -> str:
    """A short label from a definition: its first phrase, no article, whole
    when it has at most ``WHOLE_WORDS`` words, else cut at ``LABEL_WORDS``
    words or before ("a financial institution that accepts deposits and
    ..." -> "financial institution"; "the person who is most outstanding ..."
    -> "person who is most outstanding or excellent"; "the number is used
    in calling a particular telephone" whole, since "used" there is no clause)."""
    text = _PARENTHESES.sub("", definition.split(";")[0]).strip()
    short = _trimmed(_first_phrase(text).split())
    return " ".join(short if len(short) >= 2 else _trimmed(text.split())) or definition[:40]


def _first_phrase(text: str) -> str:
    """``text`` up to its first clause marker (`_CLAUSE`) that does not follow
    an auxiliary ("is used" is a passive, not a clause), or all of it."""
    for marker in _CLAUSE.finditer(text):
        before = text[: marker.start()].split()
        if not before or before[-1].lower() not in _AUXILIARIES:
            return text[: marker.start()]
    return text


def _trimmed(words: list[str]) -> list[str]:
    """Without a leading article or a trailing function word; when longer
    than ``WHOLE_WORDS`` words, its first ``LABEL_WORDS`` not ending on an
    auxiliary either ("n-th moment of a distribution is the" -> "n-th
    moment of a distribution"; "deem to be", whole, keeps its "be")."""
    if words and words[0].lower() in _ARTICLES:
        words = words[1:]
    cut = len(words) > WHOLE_WORDS
    loose = _LOOSE_END | _AUXILIARIES if cut else _LOOSE_END
    words = words[:LABEL_WORDS] if cut else words
    while len(words) > 1 and words[-1].lower() in loose:
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
