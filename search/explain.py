"""Explain a hit down to word senses: align the query's words with the words
of the passage that matched, by contextual similarity, and say for each pair
whether the two met in the same sense.

Consumes the query, a document with the sentence shown for it, and the
index's `SensesMethod` (our biLM and the corpus's sense inventory); produces
`Highlight`s whose `kind` is
- "same sense": the same word, and the inventory puts both occurrences in the
  same sense (a word with one sense always agrees);
- "other sense": the same word in another sense: "bank" of a river met
  "bank" of a loan, which is a false match the page must show;
- "same word": the same word, which the inventory has no senses for (rare);
- "related": another word, closer in context than 99% of random word pairs.
An `Explainer` is made per query: it encodes the query once and each sentence
once, however many methods' hits show it.
"""
from __future__ import annotations

import numpy as np

from indexing.contextual import sentence_tokens
from indexing.documents import Sentence, Span, StoredDocument
from indexing.senses.method import SensesMethod, TaggedToken
from search.hits import Highlight


class Explainer:
    def __init__(self, senses: SensesMethod, query: str) -> None:
        self.senses = senses
        [self.query] = senses.tag([query], [sentence_tokens(query, Span(0, len(query)))])
        self._query_vectors = senses.centred(np.stack([t.vector for t in self.query])) if self.query else None
        self._sentences: dict[tuple[int, int, int], list[TaggedToken]] = {}

    def prefetch(self, pairs: list[tuple[StoredDocument, Sentence]]) -> None:
        """Encode the sentences that will be explained, in one batch."""
        wanted = {(d.id, s.start, s.end): (d, s) for d, s in pairs}
        missing = [(key, d, s) for key, (d, s) in wanted.items() if key not in self._sentences]
        if missing:
            tagged = self.senses.tag([d.text for _, d, _ in missing],
                                     [sentence_tokens(d.text, s) for _, d, s in missing])
            self._sentences.update((key, t) for (key, _, _), t in zip(missing, tagged))

    def __call__(self, document: StoredDocument, sentence: Sentence) -> list[Highlight]:
        self.prefetch([(document, sentence)])
        tagged = self._sentences[(document.id, sentence.start, sentence.end)]
        if not tagged or self._query_vectors is None:
            return []
        similarity = self._query_vectors @ self.senses.centred(np.stack([t.vector for t in tagged])).T  # (q, n)
        best: dict[int, Highlight] = {}
        for q, query_token in enumerate(self.query):
            same = [i for i, t in enumerate(tagged) if t.token.norm == query_token.token.norm]
            if same:
                candidates = same
            else:
                i = int(similarity[q].argmax())
                candidates = [i] if similarity[q, i] >= self.senses.context_threshold else []
            for i in candidates:
                highlight = self._highlight(document, query_token, tagged[i], float(similarity[q, i]))
                if i not in best or _rank(highlight) > _rank(best[i]):
                    best[i] = highlight
        return [best[i] for i in sorted(best)]

    def _highlight(self, document: StoredDocument, query: TaggedToken, found: TaggedToken,
                   similarity: float) -> Highlight:
        word = query.token.norm
        if found.token.norm != word:
            kind = "related"
        elif query.sense is None or found.sense is None:
            kind = "same word"
        else:
            kind = "same sense" if query.sense == found.sense else "other sense"
        return Highlight(found.token.start, found.token.end, document.text[found.token.start : found.token.end],
                         word, round(similarity, 3), kind, self.senses.sense_name(word, query.sense),
                         self.senses.sense_name(found.token.norm, found.sense))


def _rank(highlight: Highlight) -> tuple[bool, float]:
    """An exact word beats a related one; then the more similar wins."""
    return highlight.kind != "related", highlight.similarity
