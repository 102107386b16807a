"""The Senses column's verdict order, after its sense weighing
(search/sense_rank.py): among its first `DEPTH` hits, a document whose
shown passage uses a query word only in another sense than the query's
moves below the others, by the explanation's verdicts
(`search/explain.py`: the general sense inventory read in context, or the
collection's senses for words WordNet lacks).

Consumes the column's hits, best first, with their explained passages;
produces them reordered, each demoted hit saying why (`Hit.moved`). Only an
"other sense" verdict moves a hit. "Same sense" moves nothing up: it says
the word is meant as the query means it, not that the document answers the
query, and a document whose own text is the query may get no verdict at
all (its reading clear enough for a query word, not for a passage). A query
whose words have one sense, or whose senses our biLM cannot read, keeps the
weighed ranking. The weighing reads whole documents softly; this order
reads the passage the page shows, by the verdict's margins, so that a red
strike never sits above a document without one; for words WordNet lacks, it
is the only sense order (the collection's senses). The depth is fixed, not
k: the top three must not depend on how many results were asked for.
"""
from __future__ import annotations

from dataclasses import replace

from search.hits import Hit

DEPTH = 10  # the hits whose passages are read for their verdicts: the page's default k


def sense_class(hit: Hit) -> int:
    """1: a query word met only in another sense (an "other sense" verdict
    and no "same sense"); 0 otherwise."""
    kinds = {h.kind for h in hit.passage.highlights} if hit.passage else set()
    return int("other sense" in kinds and "same sense" not in kinds)


def by_sense(hits: list[Hit], depth: int = DEPTH) -> list[Hit]:
    """``hits`` (ranked, passages explained) with the first ``depth`` stably
    sorted by `sense_class`; ranks renumbered, demoted hits annotated."""
    top = sorted(hits[:depth], key=sense_class)  # stable: the vector order within a class
    ordered = []
    for rank, hit in enumerate(top + hits[depth:], 1):
        if rank != hit.rank:
            moved = hit.moved  # why its sense weighing moved it, if it did (search/sense_rank.py)
            if sense_class(hit):  # it moved by its own verdicts, not because others did
                words = sorted({h.word for h in hit.passage.highlights if h.kind == "other sense"})
                moved = f"moved down from #{hit.rank}: {', '.join(words)} here in another sense"
            hit = replace(hit, rank=rank, moved=moved)
        ordered.append(hit)
    return ordered
