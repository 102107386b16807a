"""How each coarse sense of a word scores for one occurrence of it, the
part of `Dictionary` that weighs the evidence (`dictionary.py` reads and
compares with these scores; `Dictionary` inherits them).

A sense's score for an occurrence is its cosine with the biLM's reading of
the words around it (times ``QUERY_COSINE_WEIGHT`` for a query's word,
whose window of a few words the biLM reads worse), plus ``GLOSS_WEIGHT``
times the share of the words around the occurrence that the sense's
WordNet glosses hold ("lifting" beside "crane" is in the machine's), plus
``RELATED_GLOSS_WEIGHT`` times the share of those words' own definitions
that the glosses hold ("river", "a large natural stream of water", meets
the sloping land's "water"; `glosses.py`), plus
``TERM_WEIGHT`` times the cosine of the words around and the sense's gloss
words as bags of a teacher's word vectors ("willows" and "creek" are in no
gloss of "bank", but lean to land and water; `term_vectors.py`), plus
``PRIOR_WEIGHT`` times the log of the sense's share of SemCor use (so "bank"
leans to the institution when the context says little), plus ``POS_WEIGHT``
times the log-probability of the sense's part of speech where the word
stands (`pos.py`: "the nail" is no verb), plus ``COLLOCATION_WEIGHT`` for
the sense that the word right before or after names with it in a WordNet
phrase ("fountain pen", "holding pen": `collocations.py`), plus
``MENTION_WEIGHT`` times each sense's share of the words around whose
WordNet definitions use the word in that sense ("donor" for the body's
organ: `mentions.py`). An occurrence in a
document adds ``DOCUMENT_WEIGHT`` times the same bag cosine with the whole
rest of its document (`in_document`; one sense per discourse: a story about
herons means the river's bank even where a sentence does not say so). The
gloss and term weights were chosen on CoarseWSD-20's train split and WiC's
dev pairs (``python -m bench glosses``), the document's on the planted
development homonyms.
``COLLOCATION_WEIGHT`` and ``MENTION_WEIGHT`` on the planted development
homonyms, checked on CoarseWSD-20's train split and WiC's dev pairs.
``PRIOR_WEIGHT`` was chosen on CoarseWSD-20's train split (``python -m
bench dictionary``); bench/results/decisions.md.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from indexing.senses.glosses import WindowTerms
from indexing.senses.occurrence import Context, Cosines, Sense, Window
from indexing.senses.pos import CLASSES as POS_CLASSES
from indexing.senses.pos import share
from indexing.senses.term_vectors import Topic
from indexing.text import terms as text_terms

PRIOR_WEIGHT = 0.05
GLOSS_WEIGHT = 0.8
RELATED_GLOSS_WEIGHT = 1.0
TERM_WEIGHT = 1.0
# The rest of a passage occurrence's document: one sense per discourse (Gale, Church and Yarowsky, 1992).
DOCUMENT_WEIGHT = 1.0
# Added to the sense that an occurrence's neighbour names with it in a WordNet phrase ("fountain pen").
COLLOCATION_WEIGHT = 0.5
# Times each sense's share of the words around whose WordNet definitions use the word in that sense ("donor").
MENTION_WEIGHT = 0.3
POS_WEIGHT = 0.05  # times the log-probability of the sense's part of speech where the word stands
# The biLM's cosine in a query word's reading counts half: a query gives it a window of three to five words,
# which it reads worse than the sentence around a passage's word, and the glosses and the teacher's word
# vectors then say more. Chosen with the query margin on CoarseWSD-20 train's simulated queries (`python -m
# bench query-readings`); bench/results/decisions.md.
QUERY_COSINE_WEIGHT = 0.5
# A word whose senses' parts of speech together are less likely than this where it stands is used as
# none of them ("homes near Sydney": "near" has adjective and verb senses, and is neither there).
MIN_POS_SHARE = 0.5



class SenseScores:
    """The scoring half of `Dictionary`: it reads the weights, the sense
    vectors and the evidence tables (glosses, word vectors, part-of-speech
    probe, collocations, defining words) that `Dictionary.__init__` sets."""

    def covers(self, senses: list[Sense], context: Context) -> bool:
        """Whether ``context`` can be scored against ``senses``: a vector
        always; kept cosines when they hold each of their rows."""
        return not isinstance(context, Cosines) or context.of([sense.row for sense in senses]) is not None

    def fits(self, senses: list[Sense], context: Context) -> bool:
        """Whether the word of ``senses``, where it stands, is likely used as
        one of their parts of speech (at least ``MIN_POS_SHARE``, by the
        probe): "near" in "homes near Sydney" is neither its adjective nor
        its verb. True without the part of speech (a bare vector, kept cosines)."""
        pos = context.pos if isinstance(context, Window) else None
        return pos is None or share(pos, {sense.pos for sense in senses}) >= MIN_POS_SHARE

    def windows(self, vectors: np.ndarray, layers: np.ndarray, positions: Sequence[int]) -> list[Window]:
        """The occurrences at ``positions`` of a sentence the biLM read
        (``layers``), given their unit window vectors (``vectors``, one row
        each): each with its part of speech when the probe is shipped."""
        if self.pos_probe is None:
            return [Window(vector) for vector in vectors]
        found = self.pos_probe.log_probabilities(layers, positions)
        return [Window(vector, pos) for vector, pos in zip(vectors, found)]

    def topic(self, terms: frozenset[str]) -> Topic | None:
        """What a document whose keyword ``terms`` these are is about, for
        `in_document`; None without the teacher's word vectors."""
        return None if self.term_vectors is None else self.term_vectors.topic(terms, self.glosses)

    def in_document(self, word: str, context: np.ndarray | Window, topic: Topic | None) -> Cosines:
        """A passage occurrence of ``word`` read in its document (``context``
        its window, ``topic`` the document's, `topic`), as its indexing
        keeps it (`readings.py`): by the row of each of the word's senses,
        the window's cosine with its part of speech (`cosines`) plus
        ``document_weight`` times the cosine of the
        sense's gloss terms with the rest of the document (its bag of word
        vectors without the word's own terms). A query has no document: its
        words are read from the query alone."""
        senses = self.senses(word)
        rows = [sense.row for sense in senses]
        scores = self.cosines(senses, context)
        if topic is not None and self.document_weight and senses:
            own = [term for lemma in {sense.lemma for sense in senses} for term in text_terms(lemma.replace("_", " "))]
            bag = topic.without(own)
            if bag is not None:
                scores = scores + self.document_weight * (self.term_senses[rows] @ bag)
        return Cosines(dict(zip(rows, scores.tolist())))

    def scores(self, senses: list[Sense], context: Context, terms: frozenset[str] = frozenset(),
               query: bool = False) -> np.ndarray:
        """Each sense's score for an occurrence: its cosine with the
        ``context`` (times ``query_cosine_weight`` for a query's word,
        ``query``) with its part of speech (`cosines`), its two gloss
        overlaps with the ``terms`` around it (`glosses.py`), their bags of
        word vectors (`term_vectors.py`), its prior, and the collocation
        that the words right before and after it name (when ``terms`` are
        `glosses.WindowTerms`, which carry them; `collocations.py`), and the
        senses that the words around it point to (`mentions.py`)."""
        weights = np.array([sense.weight for sense in senses], dtype=np.float32)
        prior = np.log(weights / weights.sum())
        rows = [sense.row for sense in senses]
        weight = self.query_cosine_weight if query else 1.0
        scores = self.cosines(senses, context, weight) + self.prior_weight * prior
        if self.glosses is not None and terms:
            scores = scores + self.gloss_weight * self.glosses.overlap(rows, terms)
            if self.related_gloss_weight:
                scores = scores + self.related_gloss_weight * self.glosses.related_overlap(rows, terms)
        if self.term_senses is not None and self.term_weight and terms:
            around = terms.difference(text_terms(senses[0].lemma.replace("_", " ")))
            bag = self.term_vectors.context(around, self.glosses)
            if bag is not None:
                scores = scores + self.term_weight * (self.term_senses[rows] @ bag)
        if self.collocations is not None and self.collocation_weight and isinstance(terms, WindowTerms):
            named = self.collocations.rows({sense.lemma for sense in senses}, terms.before, terms.after)
            if len(named) == 1:
                scores = scores + self.collocation_weight * np.array([row in named for row in rows], np.float32)
        if self.mentions is not None and self.mention_weight and terms:
            if (shares := self.mentions.shares(senses, terms)) is not None:
                scores = scores + self.mention_weight * shares
        return scores

    def sense_scores(self, sense: Sense, context: Context, names: bool = True, terms: frozenset[str] = frozenset(),
                     also: Sequence[tuple[Context, frozenset[str]]] = ()) -> tuple[list[Sense], np.ndarray]:
        """The senses an occurrence of ``sense.lemma``'s word is weighed
        against when it is compared with ``sense`` (`Dictionary.compare`:
        all of its word's, names only where ``names``, ``sense`` always), and
        their scores for the occurrence (its `Context` and the ``terms``
        around it), averaged with its other uses ``also`` (`pooled`)."""
        senses = [s for s in self.entries[sense.lemma] if names or not s.proper or s == sense]
        return senses, self.pooled(senses, context, terms, also)

    def pooled(self, senses: list[Sense], context: Context, terms: frozenset[str],
               also: Sequence[tuple[Context, frozenset[str]]]) -> np.ndarray:
        """The senses' scores of an occurrence, averaged with those of the
        word's other occurrences ``also`` (one document's: one sense per
        discourse, Gale, Church and Yarowsky, 1992)."""
        return self.with_uses(senses, self.scores(senses, context, terms), also)

    def with_uses(self, senses: list[Sense], scores: np.ndarray,
                  also: Sequence[tuple[Context, frozenset[str]]]) -> np.ndarray:
        """`pooled`, from an occurrence's own ``scores`` for ``senses`` already scored."""
        for other, around in also:
            scores = scores + self.scores(senses, other, around)
        return scores / (1 + len(also))

    def probabilities(self, senses: list[Sense], context: Context, terms: frozenset[str], temperature: float,
                      query: bool = False, also: Sequence[tuple[Context, frozenset[str]]] = ()) -> np.ndarray:
        """How likely an occurrence (its context vector and the terms around
        it, as for `scores`; a query's word when ``query``) is in each of
        ``senses``: `probabilities_of` their scores. ``also``: a passage's
        other uses of the word, as in `pooled`."""
        scores = self.pooled(senses, context, terms, also) if also else self.scores(senses, context, terms, query)
        return probabilities_of(scores, temperature)

    def cosines(self, senses: list[Sense], context: Context, weight: float = 1.0) -> np.ndarray:
        """Each sense's cosine with an occurrence's window vector (times
        ``weight``), plus ``pos_weight`` times the log-probability of the
        sense's part of speech where the occurrence stands (a `Window` read
        with the probe); or the cosines its indexing kept (which hold both)."""
        rows = [sense.row for sense in senses]
        if isinstance(context, Cosines):
            if (kept := context.of(rows)) is None:
                raise ValueError("the kept cosines of this occurrence lack some of these senses")
            if weight != 1.0:  # only a passage's occurrence has kept cosines, and they count in full
                raise ValueError("kept cosines are a passage's: they cannot be weighed as a query's")
            return kept
        vector, pos = (context.vector, context.pos) if isinstance(context, Window) else (context, None)
        found = weight * (self.vectors[rows] @ vector)
        if pos is not None and self.pos_weight:
            found = found + self.pos_weight * pos[[POS_CLASSES.index(sense.pos) for sense in senses]]
        return found


def probabilities_of(scores: np.ndarray, temperature: float) -> np.ndarray:
    """The softmax of senses' scores (n,) at ``temperature``: how likely an
    occurrence is in each, (n,) summing to 1."""
    scaled = np.asarray(scores, dtype=np.float64) / temperature
    weights = np.exp(scaled - scaled.max())
    return weights / weights.sum()
