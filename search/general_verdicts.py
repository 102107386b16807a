"""The general sense inventory's side of an explanation (`explain.py`): the
verdict on a passage's occurrence of a query word that WordNet gives two
senses or more of one part of speech (`indexing.senses.dictionary`: a word's
senses are a fact of the language, not of a collection of a few documents).

Consumes the query, the shipped inventory, the `OccurrenceReader` (the
distilled biLM) and the store's kept readings; produces one `Highlight` per
passage occurrence, and the query's sense probabilities that the Senses
column ranks by (`sense_rank.py`).

The query's occurrence and the passage's are read from ``GENERAL_RADIUS``
tokens either side (by the distilled biLM, and as words: their gloss
overlaps and their bag of a teacher's word vectors, `dictionary.py`), and
the passage's is compared with the query word's sense (`Dictionary.compare`).
The verdict is given only when both readings are clear by their margins,
and "other sense" only within one part of speech; the names are the
dictionary's ("bank: sloping land"), and an unclear reading is named "sense
unclear". A query word read unclearly may still be one of a few senses
(`Reading.plausible`): a passage clearly in none of them is in another
sense whichever the query meant (`Dictionary.rule_out`), and the query's
side is named by them all ("palm: inner surface of the hand or award for
winning"). A sense that names one person or place ("crane: United States
writer") is a candidate only where the word is capitalised; a passage's
word in a name of several capitalised words ("New York") is never struck
through as another sense (`names.in_name`), though it may agree ("Reserve
Bank" is a bank). A passage's word meets the query's in another form of
it too ("cranes" for "crane": `GeneralVerdicts.forms_of`). A passage's
reading also hears the rest of its document
(`Dictionary.in_document`), and one unclear alone is read again with the
word's other uses in its document, their scores averaged (one sense per
discourse: `discourse.py`), to agree with the query's
sense only: a strike-through rests on the occurrence's own words. A
query's word that stands where a noun stands is read among its noun
senses (`occurrences.noun_positions`). A sense the user says a query
word means (`meanings.py`) stands for the reading of it, certain.

Cost: indexing already read every ambiguous word of every document
(`indexing.senses.readings`), so a passage costs nothing unless its
document was not read then; only the query is read by the biLM, and only
the passages of at most ``MAX_GENERAL_WORDS`` query words that may get a
verdict. A verdict's similarity is how likely the two occurrences mean the
same sense (`sense_rank`'s P(same), over the word's senses).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from indexing.documents import Sentence, Span, StoredDocument, Token
from indexing.senses.dictionary import Context, Dictionary, Reading, Sense
from indexing.senses.glosses import window_terms
from indexing.senses.lexicon import english
from indexing.senses.names import in_name, may_be_name
from indexing.senses.readings import RADIUS, Readings, document_topic, kept_readings
from indexing.senses.scoring import probabilities_of
from indexing.senses.term_vectors import Topic
from indexing.store import DocumentStore
from indexing.text import token_terms
from search.discourse import OtherUses, Use
from search.hits import Highlight
from search.meanings import QueryMeaning, choose_meanings, one_hot, query_meanings
from search.occurrences import OccurrenceReader, cache_keys, job_lists, noun_positions, query_terms
from search.sense_rank import TEMPERATURE, QueryWord, occurrence_probabilities

UNCLEAR = "sense unclear"  # the general inventory's reading is not clear enough for a verdict
GENERAL_RADIUS = RADIUS  # tokens either side of an occurrence that the general inventory reads its sense from
# Query words whose passages' occurrences the general inventory reads (cost). Three while passages were read
# by the biLM at query time; six since their readings are kept at indexing (bench/results/decisions.md).
MAX_GENERAL_WORDS = 6

SentenceTokens = Callable[[StoredDocument, Span], list[Token]]


class GeneralVerdicts:
    def __init__(self, general: Dictionary, occurrences: OccurrenceReader, store: DocumentStore | None,
                 query: str, tokens: list[Token], sentence_tokens: SentenceTokens,
                 meanings: Mapping[str, str] | None = None) -> None:
        """``tokens``: the query's content words, as the explainer numbers
        them; ``sentence_tokens``: the explainer's (cached) tokens of a
        document's sentence. ``store``: where indexing kept the documents'
        readings (`readings.kept_readings`); without it every occurrence is
        read now. ``meanings``: the senses the user says query words mean
        (`choose_meanings`), which stand for the page's reading of them."""
        self.general, self.occurrences, self._store = general, occurrences, store
        self.chosen = choose_meanings(general, tokens, meanings or {})
        self.query, self._query_text, self._sentence_tokens = tokens, query, sentence_tokens
        # Words the inventory gives two senses or more: their verdicts come
        # from it, the query's sense read as a document's is, from the words either side of it.
        self.words = {t.norm for t in tokens if general.has_senses(t.norm)}
        self._query_around = query_terms(query, GENERAL_RADIUS) if self.words else {}
        # A word with no other word of the query around it ("interest" alone)
        # is not read: the reading would be the dictionary's prior, and
        # "interest rates" in a passage would be ruled another sense than
        # the query's, which said none.
        read = occurrences.query_contexts(query, self.words, GENERAL_RADIUS) if self.words else {}
        self._query_contexts = {start: window for start, window in read.items() if self._query_around.get(start)}
        # Where a noun stands, the query's word is read among its noun senses:
        # the biLM read "split nail after manicure" nearest "to nail". Its
        # verdicts only; the Senses column weighs by all senses (dev P@3 fell).
        nouns = noun_positions(query) if self.words else set()
        # The page's own reading of each query word (listed beside the user's choice, `meanings`) ...
        self._page_readings = {q: general.read(t.norm, self._query_contexts[t.start], query=True,
                                               names=may_be_name(query, t.start), terms=self._query_around[t.start],
                                               noun=t.start in nouns)
                               for q, t in enumerate(tokens) if t.start in self._query_contexts}
        # ... and the reading the verdicts go by: the user's choice, certain, where there is one.
        self._readings = {**self._page_readings,
                          **{q: Reading(self.chosen[t.norm], self.chosen[t.norm], 1.0, (self.chosen[t.norm],))
                             for q, t in enumerate(tokens) if t.norm in self.chosen}}
        # Passages are read only for the query words that may get a verdict:
        # read clearly, or unclear among some of their senses only (a passage
        # in none of those is in another sense whichever the query meant).
        # At most MAX_GENERAL_WORDS of them, the most clearly read: each costs
        # a scoring per occurrence in every passage (a biLM window where its
        # document was not read at indexing), and a long query has many.
        open_ = sorted(((reading.confidence, tokens[q].norm) for q, reading in self._readings.items()
                        if reading and (reading.sense or general.may_rule_out(reading.plausible))), reverse=True)
        self._passage_words = {word for _, word in open_[:MAX_GENERAL_WORDS]}
        self._contexts: dict[tuple, Context] = {}  # a passage occurrence's reading, kept or read now
        self._kept: dict[int, Readings | None] = {}
        self._topics: dict[int, Topic | None] = {}  # document id -> its topic, for occurrences read now
        self._same_query: dict[tuple, np.ndarray] = {}  # (query word, lemma, names) -> its sense probabilities
        self._forms: dict[str, frozenset[str]] = {}  # a passage word -> the query words it is a form of
        # One sense per discourse: an occurrence unclear alone is read with its word's other uses.
        self._other_uses = OtherUses(general, store, lambda doc_id: self._kept_readings([doc_id]).get(doc_id),
                                     sentence_tokens, GENERAL_RADIUS)

    def forms_of(self, norm: str) -> frozenset[str]:
        """The query's words with senses (`words`) that a passage's word
        ``norm`` is a form of: itself, or a word with its stem (BM25's terms,
        so it is what BM25 matched) and a WordNet lemma in common ("cranes"
        and "crane", "batting" and "bat"; not "organic" and "organ", whose
        stems agree, nor "saw" and "see", whose lemmas do)."""
        if norm not in self._forms:
            terms = token_terms(norm)
            stemmed = [word for word in self.words if word != norm and token_terms(word) == terms]
            lemmas = set(english().lemmas(norm)) if stemmed else set()  # most words share no stem: no lemmas asked
            self._forms[norm] = frozenset([norm] if norm in self.words else []).union(
                word for word in stemmed if lemmas.intersection(english().lemmas(word)))
        return self._forms[norm]

    def meanings(self) -> list[QueryMeaning]:
        """Each query word the inventory gives two senses or more, once:
        its senses, the page's reading of it and the user's choice."""
        return query_meanings(self.general, self._query_text, self.query, self.words, self._page_readings,
                              self.chosen)

    def query_words(self, temperature: float) -> list[QueryWord]:
        """The query's words that the inventory gives two senses or more,
        each with how likely the query means each sense (read as for the
        verdicts, from the words around it; softmax at ``temperature``)."""
        found = []
        for token in self.query:
            terms = token_terms(token.norm)
            if (chosen := self.chosen.get(token.norm)) is not None and len(terms) == 1:
                senses = self.general.senses(token.norm)
                found.append(QueryWord(token.norm, terms[0], senses, one_hot(senses, chosen)))
                continue
            if token.start not in self._query_contexts or len(terms) != 1:
                continue
            senses = self.general.senses(token.norm, names=may_be_name(self._query_text, token.start))
            if len(senses) < 2:  # its other senses name people or places, and it is in lower case
                continue
            if not self.general.fits(senses, self._query_contexts[token.start]):
                continue  # used as none of its senses' parts of speech ("homes near Sydney")
            probabilities = self.general.probabilities(senses, self._query_contexts[token.start],
                                                       self._query_around[token.start], temperature, query=True)
            found.append(QueryWord(token.norm, terms[0], senses, probabilities))
        return found

    def occurrence_probabilities(self, jobs: list[tuple[StoredDocument, QueryWord]],
                                 sentences_of: Callable[[StoredDocument], list[Sentence]]) -> list[np.ndarray]:
        """`sense_rank.occurrence_probabilities` of each (document, word),
        read (and cached) as the verdicts' occurrences are."""
        kept = self._kept_readings([document.id for document, _ in jobs])
        return occurrence_probabilities(self.general, jobs, sentences_of, self.occurrences.read_contexts,
                                        GENERAL_RADIUS, kept=kept, tokens_of=self._sentence_tokens,
                                        topic_of=self._topic)

    def prefetch(self, passages: list[tuple[StoredDocument, Span, Span]]) -> None:
        """Read, in one batch, the occurrences of the query's words that the
        given passages (document, its sentence, the part of it shown) will
        need: from the readings indexing kept, else now."""
        if not self._passage_words:
            return
        kept = self._kept_readings([document.id for document, _, _ in passages])
        wanted = {}
        for document, sentence, shown in passages:
            tokens = self._sentence_tokens(document, sentence)
            for i, token in enumerate(tokens):
                key = (document.id, sentence.start, sentence.end, token.start)
                if (not self.forms_of(token.norm) & self._passage_words or key in self._contexts
                        or not (shown.start <= token.start and token.end <= shown.end)):
                    continue
                context = kept[document.id].context(token, self.general) if document.id in kept else None
                if context is not None:
                    self._contexts[key] = context
                else:
                    wanted.setdefault(key[:3], (document, tokens, []))[2].append(i)
        if wanted:
            contexts = self.occurrences.read_contexts(*job_lists(wanted), GENERAL_RADIUS, cache_keys(wanted))
            for (doc_id, start, end), (document, tokens, _), found in zip(wanted, wanted.values(), contexts):
                topic = self._topic(document)
                for i, window in found.items():
                    self._contexts[(doc_id, start, end, tokens[i].start)] = self.general.in_document(
                        tokens[i].norm, window, topic)

    def highlight(self, document: StoredDocument, sentence: Span, q: int, token: Token) -> Highlight:
        """The verdict on a passage's occurrence (``token`` of ``sentence``)
        of the query's word ``q``: the query's word read clearly, and the
        occurrence clearly in that sense or in another of the same part of
        speech (`Dictionary.compare`); an unclear query word's, when the
        occurrence is in none of its plausible senses (`_ruled_out`); else
        the same word, with the query's sense named when it is clear."""
        word, text = self.query[q].norm, document.text[token.start : token.end]
        context = self._contexts.get((document.id, sentence.start, sentence.end, token.start))
        ours = self._readings.get(q)
        if ours is None or context is None or not self.general.covers(self.general.entries[ours.best.lemma], context):
            # Not read; or another form of the word that is not a form of the query's lemma ("bake" for "baking").
            return Highlight(token.start, token.end, text, word, 1.0, "same word")
        tokens = self._sentence_tokens(document, sentence)
        at = next(i for i, t in enumerate(tokens) if t.start == token.start)
        around = window_terms([t.norm for t in tokens], at, GENERAL_RADIUS)
        if ours.sense is None:
            return self._ruled_out(document, token, q, ours, context, around)
        names = may_be_name(text, 0)
        senses, scores = self.general.sense_scores(ours.sense, context, names, around)
        kind, theirs, confidence = self.general.verdict(ours.sense, senses, scores)
        confidence = round(confidence, 3)
        if kind == "other sense" and in_name(document.text, token.start, token.end):
            kind = None  # "New York" is not new in another sense: a name's words are no senses
        also: list[Use] = []  # the other uses of the word its verdict was read with
        if kind is None and (others := self._other_uses(document, token)):
            # Unclear alone: read with the word's other uses in the document (one sense per discourse), for
            # agreement only. A strike-through rests on the occurrence's own words: the pooled strikes on the
            # everyday dev queries were 3 right, 7 wrong (bench/results/decisions.md).
            pooled_scores = self.general.with_uses(senses, scores, others)  # its own scores are read already
            pooled = self.general.verdict(ours.sense, senses, pooled_scores)
            if pooled[0] == "same sense":
                kind, theirs, confidence, also = pooled[0], pooled[1], round(pooled[2], 3), others
                scores = pooled_scores
        if kind is None:
            return Highlight(token.start, token.end, text, word, 1.0, "same word", ours.sense.name, UNCLEAR,
                             confidence=confidence, query_chosen=word in self.chosen)
        similarity = self._same_sense(q, ours.sense, senses, scores, names)
        return Highlight(token.start, token.end, text, word, round(similarity, 3), kind, ours.sense.name, theirs.name,
                         confidence=confidence, document_uses=len(also), query_chosen=word in self.chosen)

    def _ruled_out(self, document: StoredDocument, token: Token, q: int, ours: Reading, context: Context,
                   around: frozenset[str]) -> Highlight:
        """The verdict on a passage's occurrence of a query word read
        unclearly: "other sense" when the occurrence is clearly in none of the
        senses the query's may be (`Dictionary.rule_out`), the query's side
        named by them all ("palm: inner surface of the hand or any plant of
        the family Palmae"); else the same word, without a verdict."""
        word, text = self.query[q].norm, document.text[token.start : token.end]
        names = may_be_name(text, 0)
        found = self.general.rule_out(ours.plausible, context, names=names, terms=around)
        if found is None or in_name(document.text, token.start, token.end):
            return Highlight(token.start, token.end, text, word, 1.0, "same word")
        theirs, confidence = found
        similarity = self._same_sense(q, ours.best, *self.general.sense_scores(ours.best, context, names, around),
                                      names)
        query_sense = f"{ours.best.lemma}: " + " or ".join(sense.label for sense in ours.plausible)
        return Highlight(token.start, token.end, text, word, round(similarity, 3), "other sense", query_sense,
                         theirs.name, confidence=round(confidence, 3))

    def _same_sense(self, q: int, sense: Sense, senses: list[Sense], scores: np.ndarray, names: bool) -> float:
        """How likely the passage's occurrence, whose scores for ``senses``
        (``sense``'s word's: `Dictionary.sense_scores`, pooled with its
        document's other uses where its verdict was) are ``scores``, and the
        query's word ``q`` mean the same sense of that word: sum over its
        senses of the product of their probabilities (`sense_rank`'s
        P(same)). The highlight's similarity."""
        key = (q, sense.lemma, names)  # the query's side is the same for every passage
        if key not in self._same_query:
            token = self.query[q]
            self._same_query[key] = (one_hot(senses, sense) if token.norm in self.chosen else
                                     self.general.probabilities(senses, self._query_contexts[token.start],
                                                                self._query_around[token.start], TEMPERATURE,
                                                                query=True))
        return float(self._same_query[key] @ probabilities_of(scores, TEMPERATURE))

    def _kept_readings(self, doc_ids: list[int]) -> dict[int, Readings]:
        """The readings kept by the indexing of those of ``doc_ids`` that have them, fetched once per query."""
        missing = sorted(set(doc_ids).difference(self._kept))
        if missing:
            found = kept_readings(self._store, missing, self.general) if self._store is not None else {}
            self._kept.update((doc_id, found.get(doc_id)) for doc_id in missing)
        return {doc_id: self._kept[doc_id] for doc_id in doc_ids if self._kept[doc_id] is not None}

    def _topic(self, document: StoredDocument) -> Topic | None:
        """What ``document`` is about, for an occurrence read now as its indexing would (`readings.document_topic`)."""
        if document.id not in self._topics:
            sentences = self._store.sentences(document.id) if self._store is not None else None
            self._topics[document.id] = document_topic(self.general, document, sentences)
        return self._topics[document.id]
