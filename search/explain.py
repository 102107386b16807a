"""Explain a hit down to word senses: align the query's words with the words
of the passage that matched, and say for each pair whether the two met in
the same sense.

Consumes the query, a document with the sentence and the span of it shown,
the index's `SensesMethod` (our biLM, the corpus's sense inventory and its
word2vec context vectors) and the general sense inventory; produces `Highlight`s whose `kind` is
- "same sense": the same word, in the same sense of a word that has senses
  worth a verdict (below); with the general inventory, another form of the
  word too ("cranes" for "crane");
- "other sense": the same word in another sense: "bank" of a river met
  "bank" of a loan, which is a false match the page must show;
- "same word": the same word, with no verdict on its sense;
- "related": another word, closer in topic than 99% of random word pairs
  (the collection's word2vec vectors).

A wrong red strike through a right match is worse than none, so a verdict
needs evidence. Where it comes from depends on the word:
- A word the general sense inventory gives two senses or more of one part
  of speech (`indexing.senses.dictionary`, from WordNet): the inventory's
  verdict, read from the words either side of both occurrences
  (`general_verdicts.py`).
- A word WordNet does not know (a name, jargon): the collection's senses,
  when its split is clear (silhouette gain of at least `MIN_SPLIT_GAIN`,
  beyond the inventory's own bar). The query's sense is read from its
  context bag (`SensesMethod.topical_sense`). Without the general inventory
  (built with other biLM weights), every word goes this way, and WordNet must
  agree that it has coarse senses (`MIN_COARSE_AMBIGUITY`).
- Any other word: no verdict ("same word").

Cost is what bounds this design: a biLM's cost grows with every token it
reads, and reading ten whole passages would dominate a query's time (the
benchmark's latency rows measure it). So only the occurrences whose sense is
at stake are read in context: the passage's occurrences of query words
that may get a verdict (for the general inventory, see `general_verdicts.py`:
indexing already read them). A collection sense verdict's similarity is the cosine of the two
contexts; a same word without a verdict shows 1.0, a related word its
word2vec cosine. What is read now is `occurrences.py`'s reading,
cached across queries by the `OccurrenceReader` the engine keeps. An
`Explainer` is made per query: the query is read once (its windows sliced
from the reading the ranking shares), and each occurrence once, however
many methods' hits show it.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from indexing.contextual import content_mask, query_sentences, sentence_tokens
from indexing.documents import Sentence, Span, StoredDocument, Token
from indexing.errors import InvalidQueryError
from indexing.senses.dictionary import Dictionary, english_senses
from indexing.senses.lexicon import english
from indexing.senses.method import SensesMethod, TaggedToken
from indexing.store import DocumentStore
from indexing.text import is_content_word
from search.general_verdicts import GeneralVerdicts
from search.hits import Highlight
from search.meanings import QueryMeaning
from search.occurrences import OccurrenceReader, cache_keys, job_lists
from search.sense_rank import QueryWord

CONTEXT_RADIUS = 8  # tokens either side of an occurrence that the biLM reads its sense from
# Evidence a sense verdict needs (see the module docstring), chosen on the
# dev queries of `python -m bench verdicts` (demo index), apart from its
# evaluation queries: the fewest wrong verdicts there. A split gain of 0.5
# without the dictionary did about as well on the demo, but asks for a split
# as clear as only large collections give (not the 33-document test
# fixture's planted "bank": bench/results/decisions.md), so the dictionary
# does the work.
MIN_SPLIT_GAIN = 0.30  # the inventory splits a word from a gain of 0.20 (cluster.MIN_SILHOUETTE)
MIN_COARSE_AMBIGUITY = 0.30  # "bank" 0.53, "test" 0.52; "union" 0.20, "police" 0.12, "year" 0.00


def gives_verdict(senses: SensesMethod, word: str, general: Dictionary | None = None) -> bool:
    """Whether the collection's senses may give `word` a verdict. With the
    general inventory (``general``), only words WordNet does not know (names,
    jargon) go by the collection: the others get theirs from the inventory,
    or none when it gives them one sense."""
    ambiguity = english().ambiguity(word)
    if general is not None:
        return ambiguity is None and senses.split_gain(word) >= MIN_SPLIT_GAIN
    return senses.split_gain(word) >= MIN_SPLIT_GAIN and (ambiguity is None or ambiguity >= MIN_COARSE_AMBIGUITY)


class Explainer:
    def __init__(self, senses: SensesMethod, query: str, occurrences: OccurrenceReader | None = None,
                 store: DocumentStore | None = None, meanings: Mapping[str, str] | None = None) -> None:
        """``occurrences`` reads (and caches) the passages' occurrences in
        context; by default a reader of this query's alone. ``store``: where
        indexing kept the documents' readings (`readings.kept_readings`);
        without it every occurrence is read now. ``meanings``: the senses the
        user says query words mean (`meanings.choose_meanings`);
        InvalidQueryError when the index has no general inventory to choose from."""
        self.senses = senses
        self.occurrences = occurrences or OccurrenceReader(senses)
        sentences = query_sentences(query)
        self.query = [t for sentence in sentences for t in sentence if is_content_word(t.norm)]
        self._words = {t.norm for t in self.query}
        general = english_senses() if self.occurrences.general is not None else None
        self._tokens: dict[tuple, list[Token]] = {}  # a sentence's tokens, for prefetch and for its highlights
        if meanings and general is None:
            raise InvalidQueryError("This index reads senses without a dictionary, so a word's meaning cannot be set.")
        self._general = (GeneralVerdicts(general, self.occurrences, store, query, self.query, self._sentence_tokens,
                                         meanings) if general is not None else None)
        general_words = self._general.words if self._general is not None else set()
        self._read = {word for word in self._words - general_words if gives_verdict(senses, word, general)}
        # The biLM reads the query (as the ranking methods do, sharing that
        # reading) only when a word of it may get a verdict: the query's
        # contextual vectors and senses serve those words alone.
        tagged = {t.token.start: t for t in senses.tag_query(query)} if self._read else {}
        self._query_vectors = {q: senses.centred(tagged[t.start].vector)[0]
                               for q, t in enumerate(self.query) if t.start in tagged}
        self._query_senses = [senses.topical_sense(tagged[t.start]) if t.norm in self._read and t.start in tagged
                              else None for t in self.query]
        self._readings: dict[tuple, TaggedToken] = {}

    def meanings(self) -> list[QueryMeaning]:
        """`GeneralVerdicts.meanings`; none without the general inventory."""
        return self._general.meanings() if self._general is not None else []

    def query_words(self, temperature: float) -> list[QueryWord]:
        """`GeneralVerdicts.query_words`; none without the general inventory."""
        return self._general.query_words(temperature) if self._general is not None else []

    def occurrence_probabilities(self, jobs: list[tuple[StoredDocument, QueryWord]],
                                 sentences_of: Callable[[StoredDocument], list[Sentence]]) -> list[np.ndarray]:
        """`GeneralVerdicts.occurrence_probabilities` (only asked of the query's `query_words`)."""
        return self._general.occurrence_probabilities(jobs, sentences_of)

    def prefetch(self, passages: list[tuple[StoredDocument, Span, Span]]) -> None:
        """Read, in one batch, the occurrences the given passages will need:
        each is (document, its sentence, the part of it shown)."""
        wanted = {}
        for document, sentence, shown in passages:
            tokens = self._sentence_tokens(document, sentence)
            for i, token in enumerate(tokens):
                key = (document.id, sentence.start, sentence.end, token.start)
                if (token.norm in self._read and key not in self._readings
                        and shown.start <= token.start and token.end <= shown.end):
                    wanted.setdefault(key[:3], (document, tokens, []))[2].append(i)
        if wanted:
            readings = self.occurrences.read(*job_lists(wanted), CONTEXT_RADIUS, cache_keys(wanted))
            for (doc_id, start, end), found in zip(wanted, readings):
                self._readings.update(((doc_id, start, end, t.token.start), t) for t in found.values())
        if self._general is not None:
            self._general.prefetch(passages)

    def __call__(self, document: StoredDocument, sentence: Span, shown: Span | None = None) -> list[Highlight]:
        """Highlights for the words of `sentence` within `shown` (default: all of it)."""
        shown = shown or sentence
        if not self.query:
            return []
        self.prefetch([(document, sentence, shown)])
        every = self._sentence_tokens(document, sentence)
        tokens = [t for t, keep in zip(every, content_mask(every))
                  if keep and shown.start <= t.start and t.end <= shown.end]
        if not tokens:
            return []
        # A query word meets itself, and another form of itself where the general inventory reads it.
        forms = [self._general.forms_of(t.norm) if self._general is not None else frozenset() for t in tokens]
        related = self.senses.topical_similarity([t.norm for t in self.query], [t.norm for t in tokens])  # (q, n)
        themselves = [i for i, t in enumerate(tokens) if t.norm in self._words or forms[i]]
        related[:, themselves] = -1.0  # they meet as themselves
        best: dict[int, Highlight] = {}
        for q, query_token in enumerate(self.query):
            same = [i for i, t in enumerate(tokens) if t.norm == query_token.norm or query_token.norm in forms[i]]
            if same:
                found = [self._exact(document, sentence, q, tokens[i]) for i in same]
            else:
                i = int(related[q].argmax())
                found = ([self._related(document, query_token, tokens[i], float(related[q, i]))]
                         if related[q, i] >= self.senses.topical_threshold else [])
                same = [i] if found else []
            for i, highlight in zip(same, found):
                if i not in best or _rank(highlight) > _rank(best[i]):
                    best[i] = highlight
        return [best[i] for i in sorted(best)]

    def _sentence_tokens(self, document: StoredDocument, sentence: Span) -> list[Token]:
        key = (document.id, sentence.start, sentence.end)
        if key not in self._tokens:
            self._tokens[key] = sentence_tokens(document.text, sentence)
        return self._tokens[key]

    def _exact(self, document: StoredDocument, sentence: Span, q: int, token: Token) -> Highlight:
        word, sense = self.query[q].norm, self._query_senses[q]
        if self._general is not None and word in self._general.words:
            return self._general.highlight(document, sentence, q, token)
        reading = self._readings.get((document.id, sentence.start, sentence.end, token.start))
        if reading is None or sense is None or reading.sense is None:
            return Highlight(token.start, token.end, document.text[token.start : token.end], word, 1.0, "same word")
        similarity = float(self._query_vectors[q] @ self.senses.centred(reading.vector)[0])
        kind = "same sense" if sense == reading.sense else "other sense"
        return Highlight(token.start, token.end, document.text[token.start : token.end], word, round(similarity, 3),
                         kind, self.senses.sense_name(word, sense), self.senses.sense_name(word, reading.sense))

    def _related(self, document: StoredDocument, query: Token, token: Token, similarity: float) -> Highlight:
        return Highlight(token.start, token.end, document.text[token.start : token.end], query.norm,
                         round(similarity, 3), "related")


def _rank(highlight: Highlight) -> tuple[bool, float]:
    """An exact word beats a related one; then the more similar wins."""
    return highlight.kind != "related", highlight.similarity
