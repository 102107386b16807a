"""Occurrences read in context for the explanation (search/occurrences.py),
with the shipped biLM and the session index's sense inventory."""
from __future__ import annotations

import numpy as np
import pytest

from indexing.contextual import DISTILLED_MODEL, document_sentences, query_sentences, shared_reader
from indexing.index import Index
from search.engine import SearchEngine
from indexing.senses.dictionary import english_senses
from search.occurrences import OccurrenceReader, noun_positions, query_contexts, query_terms


@pytest.fixture
def bank_sentences(index: Index) -> tuple[list[str], list[list], list[list[int]]]:
    """The corpus's sentences that say "bank", with the positions of it."""
    documents = [d for d in index.store if " bank " in d.text]
    texts, token_lists, _ = document_sentences(documents, index.store.sentences_of([d.id for d in documents]))
    found = [(text, tokens, [i for i, t in enumerate(tokens) if t.norm == "bank"])
             for text, tokens in zip(texts, token_lists)]
    found = [f for f in found if f[2]]
    assert len(found) >= 4
    return [f[0] for f in found], [f[1] for f in found], [f[2] for f in found]


@pytest.fixture
def sentences_read(index: Index, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The token count of every sentence (or window) the biLMs read from now
    on: the LM-only one the collection's senses read with, and the distilled
    one the general sense inventory reads with."""
    read = []
    for reader in {id(r): r for r in (index.methods["senses"].reader, shared_reader(DISTILLED_MODEL))}.values():
        def counting(texts, token_lists, *args, encode=reader.encode_layers, **kwargs):
            read.extend(len(tokens) for tokens in token_lists)
            return encode(texts, token_lists, *args, **kwargs)

        monkeypatch.setattr(reader, "encode_layers", counting)
    return read


def test_a_window_as_wide_as_the_sentence_reads_as_the_whole_sentence_is_tagged(index: Index,
                                                                               bank_sentences) -> None:
    senses = index.methods["senses"]
    texts, token_lists, positions = bank_sentences
    read = OccurrenceReader(senses).read(texts, token_lists, positions, radius=200)
    for tokens, wanted, found, tagged in zip(token_lists, positions, read, senses.tag(texts, token_lists)):
        whole = {t.token.start: t for t in tagged}
        assert sorted(found) == wanted
        for i in wanted:
            assert found[i].sense == whole[tokens[i].start].sense
            np.testing.assert_allclose(found[i].vector, whole[tokens[i].start].vector, atol=1e-5)


def test_a_narrow_window_reads_fewer_tokens_and_a_cached_occurrence_none(index: Index, bank_sentences,
                                                                        sentences_read: list[int]) -> None:
    texts, token_lists, positions = bank_sentences
    reader = OccurrenceReader(index.methods["senses"])
    keys = [(s, text[:40]) for s, text in enumerate(texts)]
    first = reader.read(texts, token_lists, positions, radius=2, keys=keys)
    assert sentences_read and max(sentences_read) <= 5 * max(map(len, positions))  # 2 either side of each
    sentences_read.clear()
    again = reader.read(texts, token_lists, positions, radius=2, keys=keys)
    assert sum(sentences_read) == 0 and again == first
    reader.forget()
    reader.read(texts, token_lists, positions, radius=2, keys=keys)
    assert sum(sentences_read) > 0


def test_passages_that_indexing_read_are_not_read_again_at_query_time(index: Index,
                                                                     sentences_read: list[int]) -> None:
    engine = SearchEngine(index)
    query = "Anglers waited on the muddy bank of the river for the bass to bite."
    hits = engine.search(query, "bm25", k=10)
    assert any(h.kind in ("same sense", "other sense") for hit in hits for h in hit.passage.highlights)
    assert sum(sentences_read) == 0  # the query's own reading (`BiLMReader.read_query`) is not counted here


def test_the_engine_keeps_readings_across_queries_until_told_to_forget(index: Index, sentences_read: list[int],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("search.general_verdicts.kept_readings", lambda store, doc_ids, general: {})  # as if never read
    engine = SearchEngine(index)
    query = "The bank raised its mortgage interest rates."
    engine.search(query, "dbow", k=10)
    assert sum(sentences_read) > 0
    sentences_read.clear()
    engine.search(query, "dbow", k=10)  # the query's own reading is cached by the biLM's reader
    assert sum(sentences_read) == 0
    engine.forget_readings()
    engine.search(query, "dbow", k=10)
    assert sum(sentences_read) > 0


def test_a_short_query_word_is_read_for_the_general_inventory_as_a_passage_window_would_be(index: Index) -> None:
    reader = OccurrenceReader.with_general_inventory(index.methods["senses"])
    assert reader.general is not None
    query = "fishing from the river bank"
    [tokens] = query_sentences(query)
    sliced = reader.query_contexts(query, {"bank", "river"}, radius=16)
    [read] = reader.read_contexts([query], [tokens], [[3, 4]], radius=16, keys=[("q",)])
    assert sorted(sliced) == [tokens[3].start, tokens[4].start]
    np.testing.assert_allclose(sliced[tokens[4].start].vector, read[4].vector, atol=1e-5)
    np.testing.assert_allclose(sliced[tokens[4].start].pos, read[4].pos, atol=1e-5)
    np.testing.assert_array_equal(read[3].vector, read[4].vector)  # one window, the whole sentence: read once


@pytest.mark.parametrize("query, nouns, not_nouns", [
    ("split nail after manicure", {"nail", "manicure"}, {"split"}),
    ("repotting a leggy spider plant", {"plant"}, {"repotting"}),
    ("how to plant tomatoes", {"tomatoes"}, {"plant"}),
    ("we nail the boards", {"boards"}, {"nail"}),
    ("the company plants trees", {"company", "trees"}, {"plants"}),
    ("lambs huddled in the pen", {"pen"}, {"lambs"}),
])
def test_a_query_word_stands_where_a_noun_stands_after_another_word_not_after_a_verb_cue(
        query: str, nouns: set[str], not_nouns: set[str]) -> None:
    found = {query[start:].split()[0] for start in noun_positions(query)}
    assert nouns <= found and not (not_nouns & found)


def test_a_query_word_where_a_noun_stands_is_read_among_the_nouns() -> None:
    general = english_senses()
    [tokens] = query_sentences("split nail after manicure")
    at = next(t.start for t in tokens if t.norm == "nail")
    context = query_contexts(shared_reader(DISTILLED_MODEL), "split nail after manicure", {"nail"}, 16)[at]
    terms = query_terms("split nail after manicure", 16)[at]
    assert general.read("nail", context, query=True, terms=terms, noun=True).best.pos == "noun"
    verbs_too = general.read("nail", context, query=True, terms=terms)
    assert {s.pos for s in general.senses("nail")} == {"noun", "verb"} and verbs_too is not None
