"""Mark the words BM25 matched literally: a passage word whose stem is one
of the query's terms (`indexing.text.terms`, the analyser BM25 indexes with),
so that "running" is marked for a query about "runs".

Consumes a `Passage` (with the sense-aware highlights, if any) and the
query's terms (a compound word matches if one of its parts does); produces the passage with those highlights flagged
`literal` and a "term" highlight for each matched word not yet marked.
"""
from __future__ import annotations

from dataclasses import replace

from indexing.text import token_terms, tokenize
from search.hits import Highlight, Passage


def mark_terms(passage: Passage, query_terms: list[str], query: str, language: str = "english") -> Passage:
    """`passage` with its literal (same stem) matches of `query_terms` marked."""
    wanted = set(query_terms)
    tokens = tokenize(passage.text)
    if not wanted or not tokens:
        return passage
    query_word = {stem: word for word, stem in _query_stems(query, language)}
    marked = {(h.start, h.end): h for h in passage.highlights}
    for token in tokens:
        matched = [stem for stem in token_terms(token.norm, language) if stem in wanted]  # a compound: any part
        if not matched:
            continue
        stem = matched[0]
        start, end = token.start + passage.start, token.end + passage.start
        found = marked.get((start, end))
        if found is not None:
            marked[(start, end)] = replace(found, literal=True)
        elif not any(h.start < end and start < h.end for h in marked.values()):
            marked[(start, end)] = Highlight(start, end, passage.text[token.start:token.end],
                                             query_word.get(stem, token.norm), 1.0, "term", literal=True)
    return replace(passage, highlights=sorted(marked.values(), key=lambda h: h.start))


def _query_stems(query: str, language: str) -> list[tuple[str, str]]:
    """(query word, one of its terms) pairs, to name the query word a term came from."""
    return [(t.norm, term) for t in tokenize(query) for term in token_terms(t.norm, language)]
