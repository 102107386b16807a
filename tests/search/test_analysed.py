"""The words of stored documents the query path keeps (search/analysed.py)."""
from __future__ import annotations

from dataclasses import replace

from indexing.documents import Sentence, StoredDocument
from indexing.text import split_sentences
from search.analysed import DocumentAnalyses
from search.passages import sentence_content_words
from search.rm3 import feedback_terms

TEXT = "The river bank flooded after the storm. Anglers moved their boats upstream."


def document(text: str = TEXT, content_hash: str = "h1") -> StoredDocument:
    return StoredDocument(1, "t", text, "t.txt", content_hash, len(text.split()), "2024-01-01")


def sentences(text: str = TEXT) -> list[Sentence]:
    return [Sentence(i, 1, i, span.start, span.end) for i, span in enumerate(split_sentences(text))]


def test_a_document_is_analysed_once_and_served_as_it_would_be_analysed(monkeypatch) -> None:
    analyses, calls = DocumentAnalyses(), []
    import search.analysed as analysed

    def counting(doc, spans):
        calls.append(doc.id)
        return sentence_content_words(doc, spans)

    monkeypatch.setattr(analysed, "sentence_content_words", counting)
    first = analyses.sentence_words(document(), sentences())
    assert first == sentence_content_words(document(), sentences()) == [["river", "bank", "flooded", "storm"],
                                                                         ["anglers", "moved", "boats", "upstream"]]
    assert analyses.sentence_words(document(), sentences()) == first and calls == [1]
    assert analyses.feedback_terms(document(), 10_000, "english") == feedback_terms(TEXT, 10_000)
    analyses.forget()
    analyses.sentence_words(document(), sentences())
    assert calls == [1, 1]


def test_another_text_under_the_same_id_is_analysed_afresh() -> None:
    analyses = DocumentAnalyses()
    analyses.sentence_words(document(), sentences())
    analyses.feedback_terms(document(), 10_000, "english")
    other = "Bass guitar solos filled the hall."
    changed = replace(document(other, "h2"))
    assert analyses.sentence_words(changed, sentences(other)) == [["bass", "guitar", "solos", "filled", "hall"]]
    assert analyses.feedback_terms(changed, 10_000, "english") == feedback_terms(other, 10_000)
