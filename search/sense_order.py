"""The Senses column's sense-aware order: among its first `DEPTH` hits, a
document whose passage uses a query word in the query's sense moves above
the others, and one whose passage uses it only in another sense moves below
them, by the explanation's verdicts (`search/explain.py`: the general sense
inventory read in context, or the collection's senses for words WordNet
lacks).

Consumes the column's hits, best first, with their explained passages;
produces them reordered, each moved hit saying why (`Hit.moved`). Only
verdicts count: a match read as "sense unclear" or "same word" keeps its
place, so a query whose words have one sense, or whose senses our biLM
cannot read, keeps the vector ranking. The depth is fixed, not k: the top
three must not depend on how many results were asked for.
"""
from __future__ import annotations

from dataclasses import replace

from search.hits import Hit

DEPTH = 10  # the hits whose passages are read for their verdicts: the page's default k


def sense_class(hit: Hit) -> int:
    """0: a query word met in the query's sense and none in another; 2: only
    in another sense; 1: no verdict, or both."""
    kinds = {h.kind for h in hit.passage.highlights} if hit.passage else set()
    same, other = "same sense" in kinds, "other sense" in kinds
    return 0 if same and not other else 2 if other and not same else 1


def by_sense(hits: list[Hit], depth: int = DEPTH) -> list[Hit]:
    """``hits`` (ranked, passages explained) with the first ``depth`` stably
    sorted by `sense_class`; ranks renumbered, moved hits annotated."""
    top = sorted(hits[:depth], key=sense_class)  # stable: the vector order within a class
    ordered = []
    for rank, hit in enumerate(top + hits[depth:], 1):
        if rank != hit.rank:
            moved = ""
            if sense_class(hit) != 1:  # it moved by its own verdicts, not because others did
                words = sorted({h.word for h in hit.passage.highlights if h.kind in ("same sense", "other sense")})
                sense = "the query's sense" if sense_class(hit) == 0 else "another sense"
                way = "up" if rank < hit.rank else "down"
                moved = f"moved {way} from #{hit.rank}: {', '.join(words)} here in {sense}"
            hit = replace(hit, rank=rank, moved=moved)
        ordered.append(hit)
    return ordered
