"""Whether a word of a text may name one person or place, which the sense
inventory's proper senses are ("crane: United States writer"): a word in
lower case never does, and a word of a name of several capitalised words
is never struck through as another sense ("New York" is not new).

Consumes a text and a word's offsets in it; produces yes or no. Used by the
sense readings (`dictionary.Dictionary.read`'s ``names``) and the verdicts
(`search/explain.py`).
"""
from __future__ import annotations

import re


def may_be_name(text: str, start: int) -> bool:
    """Whether the occurrence of a word at ``start`` of ``text`` may name a
    person or place (the ``names`` of `Dictionary.read` and `compare`): only
    where it is capitalised ("Crane wrote", not "a crane lifts")."""
    return text[start : start + 1].isupper()


_CAPITALISED_BEFORE = re.compile(r"(?<![\w'’\-.])(\w)[\w'’\-]*[ \t]+$")  # a word, then spaces only
_CAPITALISED_AFTER = re.compile(r"^[ \t]+(\w)")
_NEAR = 40  # characters looked at either side


def in_name(text: str, start: int, end: int) -> bool:
    """Whether the word at ``start:end`` of ``text`` is one word of a name
    of several capitalised words ("New York", "Reserve Bank", "the State
    Library"): the name means one thing, so a word of it is never struck
    through as another sense ("new: not of long duration" against "New
    York"), though it may keep its sense ("Reserve Bank" is a bank). Its
    neighbour must follow or precede it with spaces only between: "in
    York. New laws" holds no name."""
    if not text[start : start + 1].isupper():
        return False
    before = _CAPITALISED_BEFORE.search(text[max(0, start - _NEAR) : start])
    after = _CAPITALISED_AFTER.match(text[end : end + _NEAR])
    return bool(before and before.group(1).isupper()) or bool(after and after.group(1).isupper())
