"""The Senses column's ranking: keywords that count where they are meant as
the query means them.

The Hybrid column's ranking (search/hybrid.py: BM25 with RM3 expansion and
DBOW, fused) orders the documents; in an index without Hybrid (no DBOW),
BM25's. Then each of its first `DEPTH` documents keeps, of each ambiguous
query word's share of its score (a word the general sense inventory gives
two senses or more, `indexing.senses.dictionary`), only the probability
that the document uses the word in the query's sense:

    P(same) = sum over senses s of P_query(s) * P_document(s)

A word's share is what the keyword run scores the document for that word
alone, weighted as the keyword run weighs it and, under Hybrid, as the
fusion weighs the keyword run (`fused_term_scores`); what DBOW adds is
left alone. Each P is the softmax at `TEMPERATURE` of the inventory's
scores for a reading: the query's word read from the words around it, the
document's from its first `OCCURRENCES` occurrences of the word, averaged.
A document keeps the share P(same) / the highest P(same) among the
documents weighed: the one likeliest to mean the word as the query does
keeps all of it, so a query the biLM reads unclearly (its probabilities
near even, every document's P(same) alike) changes little, and a word with
many senses is not weakened against words with few. It is keyword search
counting a word only where it is used in the query's sense (word sense
disambiguation for retrieval: Krovetz and Croft, 1992; Sanderson, 1994),
made soft because readings err: a query read clearly ("lambs huddled in
the pen") sends documents about writing pens below those about livestock.
Other words keep their share, and so does a document whose occurrences
could not be read.

A document's occurrences were read when it was indexed
(`indexing.senses.readings`), so weighing costs no biLM reading. Reading
them at query time instead (a document indexed with other models, or an
upload cut short) costs a sentence each: 16 in one batch added about 100
ms to a query on the demo index. So at most `MAX_WORDS` query words are
weighed, those the query reads most clearly, at most `OCCURRENCES` of a
word per document, and at most `READINGS` occurrences are read at query
time: every weighed document's first occurrence before any second one,
the clearest word's documents first, in the ranking's order. A document left
unread keeps its share. The settings were chosen on the
development twin of the planted homonyms (bench/data/homonyms_dev) and the
dev queries of CISI and NFCorpus (bench/results/decisions.md, "Sense-aware
ranking"); weighing Hybrid's ranking rather than BM25's was chosen there
too (2026-12-06).

Consumes a run (Hybrid's or BM25's: scores and store ids, best first), the
query words' sense probabilities, each document's share of the run's score
per word (`BM25Index.term_scores`, through `fused_term_scores` for
Hybrid) and a reader of a document's occurrences;
produces the run reordered with the weighted scores, and for each document
that its own readings moved down, why.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from indexing.contextual import sentence_tokens
from indexing.documents import Sentence, StoredDocument, Token
from indexing.senses.dictionary import Dictionary, Sense
from indexing.senses.glosses import window_terms
from indexing.senses.readings import Readings, document_topic
from indexing.senses.term_vectors import Topic
from indexing.text import token_terms
from search.hybrid import unit_scales

DEPTH = 20  # the ranking's first documents (Hybrid's, or BM25's) that are weighed by sense
TEMPERATURE = 0.2  # of the softmax over a reading's sense scores
OCCURRENCES = 2  # a document's occurrences of a word that are read
READINGS = 16  # occurrences read in all, per query
MAX_WORDS = 3  # query words weighed


@dataclass(frozen=True)
class QueryWord:
    word: str  # as the query has it, normalised ("banks")
    term: str  # its BM25 term ("bank")
    senses: list[Sense]
    probabilities: np.ndarray  # (len(senses),) how likely the query means each

    @property
    def clarity(self) -> float:
        return float(self.probabilities.max())


# [(document, word)] -> for each, (n, len(word.senses)) the probabilities of
# its occurrences read (n may be 0), all read in one batch
ReadOccurrences = Callable[[list[tuple[StoredDocument, QueryWord]]], list[np.ndarray]]
# (BM25 term, store ids) -> (len(ids),) each document's score for the term alone: its share of the run's
TermScores = Callable[[str, np.ndarray], np.ndarray]


def fused_term_scores(term_scores: TermScores, query: Mapping[str, float], keyword: tuple[np.ndarray, np.ndarray],
                      weight: float, norm: str) -> TermScores:
    """`term_scores` (each document's BM25 score for one term alone) as
    shares of the Hybrid column's fused score (search/hybrid.py). The
    keyword run scores a document by the sum over terms of the query's
    weight for the term (``query``: term -> weight; a term twice in a plain
    BM25 query weighs 2, RM3's expanded query gives its own) times the
    term's BM25 score, and the fusion adds that score normalised, times
    ``weight``. So a term's share of a fused score is weight x its query
    weight x its BM25 score x the run's unit scale at the document
    (`hybrid.unit_scales`); none where the keyword run (``keyword``: scores
    (n,) and store ids (n,), best first) did not return the document."""
    scores, ids = keyword
    scale = dict(zip(np.asarray(ids, np.int64).tolist(), (weight * unit_scales(scores, norm)).tolist()))

    def shares(term: str, some: np.ndarray) -> np.ndarray:
        factor = np.array([scale.get(i, 0.0) for i in np.asarray(some, np.int64).tolist()])
        return (term_scores(term, some) * query.get(term, 0.0) * factor).astype(np.float32)

    return shares


def weighed_words(words: Sequence[QueryWord], max_words: int = MAX_WORDS) -> list[QueryWord]:
    """The query words to weigh: one per BM25 term, the most clearly read first."""
    best: dict[str, QueryWord] = {}
    for word in words:
        if word.term not in best or word.clarity > best[word.term].clarity:
            best[word.term] = word
    return sorted(best.values(), key=lambda w: -w.clarity)[:max_words]


def by_sense_probability(scores: np.ndarray, ids: np.ndarray, documents: Sequence[StoredDocument | None],
                         words: Sequence[QueryWord], term_scores: TermScores, read: ReadOccurrences,
                         depth: int = DEPTH) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """A run (``scores`` (n,), ``ids`` (n,), best first, and the stored
    ``documents`` of its first ``depth``, None for one deleted since; each
    word's share of a score from ``term_scores``) with
    the first ``depth`` rescored and reordered by sense (module docstring);
    with, for each document that fell because of its own readings, what the
    page says ("moved down from #2: bank here probably in another sense
    than the query's (12% likely the same)")."""
    scores, ids = np.asarray(scores, np.float32).copy(), np.asarray(ids, np.int64)
    head = min(depth, len(ids))
    if not words or not head:
        return scores, ids, {}
    jobs = []  # (row, word, its BM25 share there)
    for word in words:
        shares = term_scores(word.term, ids[:head])  # (head,)
        jobs += [(i, word, float(shares[i])) for i in np.flatnonzero(shares > 0).tolist() if documents[i] is not None]
    read_all = read([(documents[i], word) for i, word, _ in jobs])
    same: dict[str, dict[int, tuple[float, float]]] = {}  # word -> row -> (P(same), share)
    for (i, word, share), occurrences in zip(jobs, read_all):
        if len(occurrences):
            same.setdefault(word.word, {})[i] = (float((occurrences @ word.probabilities).mean()), share)
    lowest: dict[int, tuple[float, float, QueryWord]] = {}  # doc id -> its least likely same sense
    for word in words:
        found = same.get(word.word, {})
        best = max((p for p, _ in found.values()), default=0.0)
        for i, (p, share) in found.items():
            kept = p / best if best > 0 else 1.0  # relative to the document likeliest to mean it
            scores[i] -= share * (1.0 - kept)
            if kept < lowest.get(int(ids[i]), (1.0,))[0]:
                lowest[int(ids[i])] = (kept, p, word)
    order = np.argsort(-scores[:head], kind="stable")
    before = {int(doc): rank for rank, doc in enumerate(ids[:head].tolist(), 1)}
    notes = {}
    for rank, i in enumerate(order.tolist(), 1):
        doc = int(ids[i])
        if rank > before[doc] and doc in lowest and max(lowest[doc][:2]) < 0.5:
            _, same, word = lowest[doc]
            notes[doc] = (f"moved down from #{before[doc]}: {word.word} here probably in another sense than "
                          f"the query's ({same:.0%} likely the same)")
    order = np.concatenate([order, np.arange(head, len(ids))])
    return scores[order], ids[order], notes


def occurrence_probabilities(general: Dictionary, jobs: Sequence[tuple[StoredDocument, QueryWord]],
                             sentences_of: Callable[[StoredDocument], Sequence[Sentence]], read_contexts,
                             radius: int, limit: int = OCCURRENCES, budget: int = READINGS,
                             kept: Mapping[int, Readings] | None = None,
                             tokens_of: Callable[[StoredDocument, Sentence], list[Token]] | None = None,
                             topic_of: Callable[[StoredDocument], Topic | None] | None = None,
                             ) -> list[np.ndarray]:
    """For each (document, word) of ``jobs``, (m, len(word.senses)) how
    likely each of the document's first m <= ``limit`` occurrences of the
    word's term is in each sense. A document its indexing read (``kept``:
    document id -> its `Readings`) costs nothing: its occurrences are
    scored from their kept cosines, and one whose form the inventory gives
    other senses than the query's word ("logical" for "logic") is left out
    rather than read (reading them cost the Senses column twice its median
    time for 0.001 of nDCG on dev; bench/results/decisions.md). The other
    documents' occurrences are read now, at most ``budget`` of them: every
    job's first occurrence, in the order of ``jobs``, then their second
    ones (an occurrence left unread is left out). They are read from ``radius`` tokens either side by
    ``read_contexts`` (as `OccurrenceReader.read_contexts`: texts, token
    lists, positions, radius, cache keys), all in one batch: the biLM
    steps through them together (one at a time cost three times more).
    ``tokens_of(document, sentence)``: its tokens (default
    `contextual.sentence_tokens`; the explanation passes its cache of them).
    ``topic_of(document)``: what a document read now is about, for
    `Dictionary.in_document` (default `readings.document_topic` of its
    ``sentences_of``; the explanation passes its cache, which its verdicts share)."""
    tokens_of = tokens_of or (lambda document, sentence: sentence_tokens(document.text, sentence))
    topic_of = topic_of or (lambda document: document_topic(general, document, sentences_of(document)))
    found: list[list[tuple[Sentence, list[Token], int]]] = []  # each job's occurrences: sentence, tokens, position
    for document, word in jobs:
        found.append([])
        for sentence in sentences_of(document):
            text = document.text[sentence.start : sentence.end].lower()
            if word.word not in text and word.term not in text:  # cheap: most sentences lack the word
                continue
            tokens = tokens_of(document, sentence)
            found[-1] += [(sentence, tokens, i) for i, t in enumerate(tokens) if token_terms(t.norm) == [word.term]]
            if len(found[-1]) >= limit:
                del found[-1][limit:]
                break
    rows: list[list[np.ndarray]] = [[] for _ in jobs]
    unread: list[list[tuple[Sentence, list[Token], int]]] = []
    for j, ((document, word), occurrences) in enumerate(zip(jobs, found)):
        unread.append([])
        readings = (kept or {}).get(document.id)
        for sentence, tokens, i in occurrences:
            context = readings.context(tokens[i], general) if readings is not None else None
            if context is not None and general.covers(word.senses, context):
                rows[j].append(general.probabilities(word.senses, context,
                                                     window_terms([t.norm for t in tokens], i, radius), TEMPERATURE))
            elif readings is None:  # a document indexing read is never read again
                unread[j].append((sentence, tokens, i))
    taken = [occurrences[:depth] for occurrences, depth in zip(unread, _shares(budget, [len(u) for u in unread]))]
    reads: dict[tuple[int, int], tuple[Sentence, list[Token], list[int]]] = {}  # (job, sentence start) -> ...
    for j, occurrences in enumerate(taken):
        for sentence, tokens, i in occurrences:
            reads.setdefault((j, sentence.start), (sentence, tokens, []))[2].append(i)
    texts = [jobs[j][0].text for j, _ in reads]
    keys = [(jobs[j][0].id, sentence.start, sentence.end, jobs[j][0].text[sentence.start : sentence.end])
            for (j, _), (sentence, _, _) in reads.items()]
    contexts = read_contexts(texts, [tokens for _, tokens, _ in reads.values()],
                             [at for _, _, at in reads.values()], radius, keys) if reads else []
    topics: dict[int, Topic | None] = {}  # document id -> what it is about, as its indexing would read it
    for ((j, _), (_, tokens, at)), windows in zip(reads.items(), contexts):
        (document, word), norms = jobs[j], [t.norm for t in tokens]
        if document.id not in topics:
            topics[document.id] = topic_of(document)
        for i in at:
            context = general.in_document(tokens[i].norm, windows[i], topics[document.id]) if i in windows else None
            if context is not None and general.covers(word.senses, context):
                rows[j].append(general.probabilities(word.senses, context, window_terms(norms, i, radius),
                                                     TEMPERATURE))
    return [np.array(r, dtype=np.float32).reshape(-1, len(word.senses)) for r, (_, word) in zip(rows, jobs)]


def _shares(budget: int, available: list[int]) -> list[int]:
    """How many of each job's ``available`` occurrences to read within
    ``budget``: one each in order while the budget lasts, then a second..."""
    taken = [0] * len(available)
    for round_ in range(max(available, default=0)):
        for j, n in enumerate(available):
            if n > round_ and budget > 0:
                taken[j] += 1
                budget -= 1
    return taken
