"""The general English sense inventory: a word's coarse senses from WordNet
3.0, each with a label a person recognises, its definition and a vector in
the distilled biLM's sentence space (built by ``dictionary_build.py`` into
``data/``; the WordNet licence ships beside it).

Consumes a normalised word and the unit head vector of the text around one
of its occurrences (the distilled biLM reading that text, as the ELMo column
reads a query); produces a `Reading`: the nearest coarse sense, or none when
the nearest is not clearly nearer than the runner-up ("sense unclear"). A
collection is often a few documents, and a word's senses are a fact of the
language, so they come from a dictionary, not from clustering the collection.

Confidence is the margin between the best and the second-best sense's
score (`scoring.py`: the biLM's cosine, the gloss overlaps, the teacher's
word vectors, the prior, the part of speech, the collocation, the words
whose definitions use it and, in a document, the rest of it).
``MIN_MARGIN`` was chosen on the planted homonyms of
bench/data/homonyms_dev (the fewest wrong verdicts, then the most right),
checked on the everyday dev queries of ``python -m bench verdicts`` and on
CoarseWSD-20's train pairs; ``MIN_QUERY_MARGIN`` with
``QUERY_COSINE_WEIGHT`` (a query's window is short, and the biLM's cosine
counts half in its reading) on CoarseWSD-20 train's simulated queries
(``python -m bench query-readings``), checked on the same sets;
bench/results/decisions.md.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from indexing.contextual import DISTILLED_MODEL, weights_digest
from indexing.linalg import float_rows
from indexing.senses.collocations import FILE as COLLOCATIONS_FILE
from indexing.senses.collocations import Collocations
from indexing.senses.glosses import FILE as GLOSSES_FILE
from indexing.senses.glosses import Glosses, entries_digest
from indexing.senses.lexicon import english
from indexing.senses.mentions import FILE as MENTIONS_FILE
from indexing.senses.mentions import Mentions
from indexing.senses.occurrence import Context, Reading, Sense
from indexing.senses.pos import PosProbe, load_probe
from indexing.senses.scoring import (COLLOCATION_WEIGHT, DOCUMENT_WEIGHT, GLOSS_WEIGHT, MENTION_WEIGHT, POS_WEIGHT,
                                     PRIOR_WEIGHT, QUERY_COSINE_WEIGHT, RELATED_GLOSS_WEIGHT, TERM_WEIGHT, SenseScores)
from indexing.senses.term_vectors import FILE as TERMS_FILE
from indexing.senses.term_vectors import TermVectors

logger = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent / "data"
MIN_MARGIN = 0.3  # an occurrence in a document, read from the words either side of it
MIN_QUERY_MARGIN = 0.08  # a query's word (its biLM cosine weighed by QUERY_COSINE_WEIGHT)


class Dictionary(SenseScores):
    def __init__(self, entries: dict[str, list[Sense]], vectors: np.ndarray, model: str,
                 min_margin: float = MIN_MARGIN, prior_weight: float = PRIOR_WEIGHT,
                 min_query_margin: float = MIN_QUERY_MARGIN, glosses: Glosses | None = None,
                 gloss_weight: float = GLOSS_WEIGHT, related_gloss_weight: float = RELATED_GLOSS_WEIGHT,
                 term_vectors: TermVectors | None = None, term_weight: float = TERM_WEIGHT,
                 document_weight: float = DOCUMENT_WEIGHT, pos_probe: PosProbe | None = None,
                 pos_weight: float = POS_WEIGHT, collocations: Collocations | None = None,
                 collocation_weight: float = COLLOCATION_WEIGHT,
                 query_cosine_weight: float = QUERY_COSINE_WEIGHT, mentions: Mentions | None = None,
                 mention_weight: float = MENTION_WEIGHT) -> None:
        self.entries = entries
        self.vectors = vectors.astype(np.float32)
        self.model = model  # digest of the biLM weights the vectors were read with
        self.min_margin = min_margin
        self.min_query_margin = min_query_margin
        self.prior_weight = prior_weight
        self.glosses = glosses  # None: the cosine and the prior alone
        self.gloss_weight = gloss_weight
        self.related_gloss_weight = related_gloss_weight
        self.term_weight = term_weight
        self.document_weight = document_weight
        self.pos_probe = pos_probe  # None: senses are read without the part of speech
        self.pos_weight = pos_weight
        self.collocations = collocations  # None: neighbours name no sense
        self.collocation_weight = collocation_weight
        self.query_cosine_weight = query_cosine_weight  # of the biLM's cosine in a query word's reading
        self.mentions = mentions  # None: words whose definitions use a word name none of its senses
        self.mention_weight = mention_weight
        self.term_vectors = term_vectors if glosses is not None else None  # None: no teacher's word vectors
        # Each sense row's bag of its gloss terms and its kinds' in the teacher's word space (term_vectors.py).
        self.term_senses = term_vectors.senses(glosses) if self.term_vectors is not None else None

    @functools.cached_property
    def digest(self) -> str:
        """A digest of what an occurrence's kept cosines (`readings.py`) were
        computed against: each word's senses' rows in order, their vectors
        and the biLM weights these were read with, the word vectors of their
        gloss terms and the part-of-speech probe with its weight. Not their
        labels: a label written anew leaves every kept reading right."""
        rows = sorted((lemma, [sense.row for sense in senses]) for lemma, senses in self.entries.items())
        digest = hashlib.sha256(json.dumps([self.model, rows]).encode())
        digest.update(np.ascontiguousarray(self.vectors).tobytes())
        if self.term_senses is not None:  # what a document's evidence is read with (`in_document`)
            digest.update(np.ascontiguousarray(self.term_senses).tobytes())
        if self.pos_probe is not None:
            digest.update(f"pos {self.pos_weight} {self.pos_probe.digest}".encode())
        return digest.hexdigest()[:16]

    @classmethod
    def load(cls, directory: Path = DATA) -> Dictionary:
        meta = json.loads((directory / "dictionary.json").read_text())
        entries = {lemma: [Sense(lemma, s["label"], s["definition"], s["pos"], s["weight"], s["row"],
                                 s.get("proper", False)) for s in senses]
                   for lemma, senses in meta["entries"].items()}
        with np.load(directory / "dictionary_vectors.npz") as stored:  # int8 rows and their scales
            vectors = float_rows(stored["vectors"], stored["scales"])
        digest = entries_digest(meta["entries"])
        glosses = _for_entries(Glosses, directory, GLOSSES_FILE, digest, "gloss terms",
                               "dictionary_build --glosses-only")
        term_vectors = TermVectors.load(directory) if (directory / TERMS_FILE).exists() else None
        if term_vectors is None:
            logger.warning("no word vectors for the sense inventory; senses are read without them "
                           "(python -m indexing.senses.term_vectors_build)")
        collocations = _for_entries(Collocations, directory, COLLOCATIONS_FILE, digest, "collocations",
                                    "collocations_build")
        mentions = _for_entries(Mentions, directory, MENTIONS_FILE, digest, "defining words", "mentions_build")
        return cls(entries, vectors, meta["model"], glosses=glosses, term_vectors=term_vectors,
                   pos_probe=load_probe(meta["model"], directory), collocations=collocations, mentions=mentions)

    def senses(self, word: str, names: bool = True) -> list[Sense]:
        """The coarse senses of every lemma ``word`` may be a form of ("banks"
        -> bank's); without the senses that name one person or place unless
        ``names`` (an occurrence in lower case is no name: "a crane" is not
        Stephen Crane)."""
        return [sense for lemma in english().lemmas(word) for sense in self.entries.get(lemma, ())
                if names or not sense.proper]

    def has_senses(self, word: str) -> bool:
        """Whether ``word`` has two coarse senses or more of one part of
        speech: "Israeli" the person and the adjective are one meaning to a
        reader, and a verdict never sets a noun against a verb."""
        return _two_of_one_pos(self.senses(word))

    def read(self, word: str, context: Context, query: bool = False, names: bool = True,
             terms: frozenset[str] = frozenset(), noun: bool = False) -> Reading | None:
        """The sense of ``word`` in a context (a `Context`, and the
        keyword terms around it, `glosses.window_terms`), or None when the
        dictionary gives it no two senses of one part of speech. A query's
        word (``query``) is clear from ``min_query_margin``, an occurrence in
        a passage from ``min_margin``. ``names``: whether it may name a
        person or place (it is capitalised, or its case is not known).
        ``noun``: it stands where a noun stands (`search.occurrences.noun_positions`),
        so only its noun senses are weighed, and a word of one noun sense is read as it.
        None too where the word is used as none of its senses' parts of speech (`fits`).
        An unclear reading keeps the senses within that margin of the best
        (`Reading.plausible`), for `rule_out`."""
        every = self.senses(word)
        senses = every if names else [sense for sense in every if not sense.proper]
        if not _two_of_one_pos(every) or len(senses) < 2 or not self.fits(senses, context):
            return None
        if noun and any(sense.pos == "noun" for sense in senses):
            senses = [sense for sense in senses if sense.pos == "noun"]
            if len(senses) == 1:
                return Reading(senses[0], senses[0], 1.0, (senses[0],))
        scores = self.scores(senses, context, terms, query)
        order = np.argsort(-scores)
        margin = float(scores[order[0]] - scores[order[1]])
        best = senses[int(order[0])]
        least = self.min_query_margin if query else self.min_margin
        if margin >= least:
            return Reading(best, best, margin, (best,))
        return Reading(None, best, margin, tuple(senses[int(i)] for i in order if scores[order[0]] - scores[i] < least))

    def compare(self, sense: Sense, context: Context, names: bool = True, terms: frozenset[str] = frozenset(),
                also: Sequence[tuple[Context, frozenset[str]]] = ()) -> tuple[str | None, Sense, float]:
        """Whether an occurrence of ``sense.lemma``'s word (its `Context`
        and the terms around it) is used in ``sense`` (the query's):
        ("same sense", sense) when that sense beats every other by ``min_margin``; ("other sense", the
        other) when another sense of the same part of speech beats it by
        ``min_margin``; else (None, the nearest sense). Third, the margin
        between the query's sense and its strongest rival, the confidence.
        The margin that matters is against the query's sense, not between the
        occurrence's two best: "bank" has six senses, and a river bank need
        not be told from a bank of switches to be told from a financial
        institution. ``names``: as in `read`. ``also``: the word's other
        occurrences in the same document (their contexts and terms), read with
        this one as one (`scoring.SenseScores.pooled`)."""
        return self.verdict(sense, *self.sense_scores(sense, context, names, terms, also))

    def verdict(self, sense: Sense, senses: list[Sense], scores: np.ndarray) -> tuple[str | None, Sense, float]:
        """`compare`'s verdict from the scores of ``senses`` (`sense_scores`),
        for a caller that also needs the scores (`scoring.probabilities_of`)."""
        if len(senses) < 2:
            return "same sense", sense, 1.0
        at = senses.index(sense)
        rival = max((i for i in range(len(senses)) if i != at), key=lambda i: scores[i])
        margin = float(abs(scores[at] - scores[rival]))
        if scores[at] - scores[rival] >= self.min_margin:
            return "same sense", sense, margin
        if (other := _rules_out(senses, scores, [at], self.min_margin)) is not None:
            return "other sense", senses[other], margin
        return None, senses[int(np.argmax(scores))], margin

    def rule_out(self, plausible: Sequence[Sense], context: Context, names: bool = True,
                 terms: frozenset[str] = frozenset()) -> tuple[Sense, float] | None:
        """The sense an occurrence (as for `compare`) is clearly used in when
        it is none of ``plausible``, the senses an unclear query word may be
        (`Reading.plausible`), with its margin over the strongest of them:
        the sense outside them that scores best, when it is of their part of
        speech and beats each of them by ``min_margin``; else None. Whichever
        sense the query meant, the occurrence means another: "palm" in a
        query may be the hand's or the tree's, and a palm awarded for winning
        a championship is neither. `compare` with one plausible sense."""
        if not self.may_rule_out(plausible):
            return None
        senses = [s for s in self.entries[plausible[0].lemma] if names or not s.proper or s in plausible]
        inside = [i for i, s in enumerate(senses) if s in plausible]
        if len(inside) == len(senses):
            return None
        scores = self.scores(senses, context, terms)
        found = _rules_out(senses, scores, inside, self.min_margin)
        if found is None:
            return None
        return senses[found], float(scores[found] - max(scores[i] for i in inside))

    def may_rule_out(self, plausible: Sequence[Sense]) -> bool:
        """Whether `rule_out` can ever speak for these plausible senses:
        their word has another sense of one of their parts of speech, and
        they hold the heaviest of those (the names among them only when a
        plausible sense is a name). A query word read as rare senses only is
        likelier misread than not: of CoarseWSD-20's simulated queries read
        unclearly, the plausible senses held the gold one 69% of the time
        where they lacked the heaviest, 91% where they held it; and "the
        number of people in a country", unclear between "a select company
        of people" and a telephone's number, struck every passage in the
        quantity sense (bench/results/decisions.md)."""
        kinds = {sense.pos for sense in plausible}
        senses = [s for s in self.entries[plausible[0].lemma] if s.pos in kinds]
        names = any(sense.proper for sense in plausible)
        heaviest = max((s for s in senses if names or not s.proper), key=lambda s: s.weight)
        return heaviest in plausible and any(s not in plausible for s in senses)


def _for_entries(table, directory: Path, file: str, digest: str, what: str, build: str):
    """The evidence table (``table``: `Glosses`, `Collocations` or
    `Mentions`, each with its ``load(directory)`` and the ``entries_digest``
    it was built for) stored in ``directory`` as ``file``, when it was built for the
    inventory whose entries have ``digest``; else None, with a warning that
    names the ``build`` command (a module of `indexing.senses`) that makes it."""
    found = table.load(directory) if (directory / file).exists() else None
    if found is None or found.entries_digest != digest:
        logger.warning("no %s for this sense inventory; senses are read without them (python -m indexing.senses.%s)",
                       what, build)
        return None
    return found


def _rules_out(senses: list[Sense], scores: np.ndarray, inside: Sequence[int], margin: float) -> int | None:
    """The index of the best-scoring sense not ``inside`` when it is of the
    part of speech of a sense inside and beats every one of them by ``margin``; else None."""
    outside = [i for i in range(len(senses)) if i not in inside]
    rival = max(outside, key=lambda i: scores[i])
    if scores[rival] - max(scores[i] for i in inside) < margin:
        return None
    return rival if senses[rival].pos in {senses[i].pos for i in inside} else None


def _two_of_one_pos(senses: list[Sense]) -> bool:
    """Whether two of ``senses`` or more share a part of speech."""
    return any(n >= 2 for n in Counter(sense.pos for sense in senses).values())


def context_vectors(encoder, layers: list[np.ndarray]) -> np.ndarray:
    """Unit vectors ``(n, head_dim)`` of texts read by the distilled biLM
    (``encoder``), one per text's layers ``(n_layers, n_tokens, dim)``: the
    sentence head under the biLM's trained layer mix, as the ELMo column
    reads a query (`ElmoEncoder.head_vectors`). An empty text gives a zero vector."""
    return encoder.head_vectors(layers)


@functools.cache
def english_senses() -> Dictionary | None:
    """The shipped inventory, loaded once per process; None (with a warning)
    when its vectors were read with other biLM weights than the shipped
    distilled ones, whose sentence space its vectors live in."""
    dictionary = Dictionary.load()
    if dictionary.model != weights_digest(DISTILLED_MODEL):
        logger.warning("the sense inventory was built with other biLM weights; rebuild it "
                       "(python -m indexing.senses.dictionary_build)")
        return None
    return dictionary
