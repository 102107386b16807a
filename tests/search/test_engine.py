"""The search engine: ranked hits that agree with brute force, homonyms told
apart by their context, repeatable results, and clear refusals."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from indexing.errors import InvalidQueryError, NoGoodMatchError, SenseSearchError
from indexing.index import Index
from indexing.methods import DEFAULT_METHODS
from search.engine import MAX_K, MAX_QUERY_CHARS, SearchEngine, check_query

RIVERSIDE = {"river_bank_fishing", "flood_erosion", "canoe_trip", "heron_watch", "crane_migration",
             "Council approves footbridge over the river", "A cosy riverside cafe", "Disappointing boat tour"}
FINANCE = {"mortgage_rates", "small_business_loan", "savings_account", "central_bank_inflation",
           "Central bank holds interest rates steady"}


VECTOR_METHODS = [m for m in DEFAULT_METHODS if m not in ("bm25", "senses")]  # scores are cosines
# (the Senses column ranks by BM25 weighed by sense: tests/search/test_sense_rank.py)


@pytest.mark.parametrize("method", VECTOR_METHODS)
def test_hits_are_ranked_and_complete(method: str, engine: SearchEngine, index: Index) -> None:
    hits = engine.search("fishing on the river bank", method, k=7)
    assert [h.rank for h in hits] == list(range(1, 8))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.doc_id for h in hits}) == 7
    for hit in hits:
        stored = index.store.get(hit.doc_id)
        assert (hit.title, hit.source, hit.method) == (stored.title, stored.source, method)
        assert -1.0 <= hit.score <= 1.0


@pytest.mark.parametrize("method", VECTOR_METHODS)
@pytest.mark.parametrize("query", ["fishing on the river bank", "bank loan interest", "bass guitar"])
def test_hits_and_scores_equal_brute_force_cosine(method: str, query: str, engine: SearchEngine,
                                                  index: Index) -> None:
    encoder = index.method(method)
    documents = list(index.store)
    ids, vectors = encoder.encode_documents(documents, index.store.sentences_of([d.id for d in documents]))
    cosine = vectors @ encoder.encode_query(query)  # (n,)
    if encoder.unit == "sentence":  # a document scores by its best sentence
        owner = index.store.sentence_documents(ids.tolist())
        best = {}
        for sentence_id, score in zip(ids.tolist(), cosine.tolist()):
            best[owner[sentence_id]] = max(best.get(owner[sentence_id], -2.0), score)
        ids, cosine = np.array(list(best)), np.array(list(best.values()))
    order = np.argsort(-cosine, kind="stable")[:10]
    hits = engine.search(query, method, k=10, passages=False)
    assert [h.doc_id for h in hits] == ids[order].tolist()
    # Scores are rounded to 4 decimals, and the biLM's int8 recurrence
    # (indexing/elmo/lstm_int8.py) reproduces a vector to about 1e-4: a float
    # difference of 1e-7 in its input can round one int8 step the other way.
    np.testing.assert_allclose([h.score for h in hits], cosine[order], atol=2e-4)


def test_sense_aware_ranking_puts_the_query_sense_first(engine: SearchEngine) -> None:
    # "bank" in the query's sense counts; "bank" in the river sense does not.
    # A sentence, not three words: on 33 documents the sense of a 3-word query is a coin toss.
    money = [h.title for h in engine.search("bank loan interest", "senses", k=4, passages=False)]
    river = [h.title for h in engine.search("We sat on the grassy river bank and watched the water.", "senses",
                                            k=3, passages=False)]
    assert set(money) <= FINANCE, money
    assert set(river) <= RIVERSIDE, river


def test_dbow_tells_the_river_bank_from_the_bank_loan(engine: SearchEngine) -> None:
    river = [h.title for h in engine.search("river bank fishing willow", "dbow", k=3, passages=False)]
    money = [h.title for h in engine.search("bank loan interest mortgage", "dbow", k=3, passages=False)]
    assert set(river) <= RIVERSIDE, river
    assert set(money) <= FINANCE, money


@pytest.mark.parametrize("method", DEFAULT_METHODS)
def test_the_same_query_twice_gives_the_same_vector_and_hits(method: str, engine: SearchEngine,
                                                             index: Index) -> None:
    encoder = index.method(method)
    np.testing.assert_array_equal(encoder.encode_query("a heron by the river"),
                                  encoder.encode_query("a heron by the river"))
    first = [h.to_dict() for h in engine.search("a heron by the river", method)]
    assert [h.to_dict() for h in engine.search("  a heron by the river\n", method)] == first


def test_concurrent_searches_match_sequential_ones(engine: SearchEngine) -> None:
    # Streamlit sessions share one engine.
    queries = [("fishing on the river bank", "dm"), ("bank loan interest", "dbow"),
               ("bass guitar", "dm"), ("crane migration wetlands", "dbow")] * 3
    expected = [[h.to_dict() for h in engine.search(q, m)] for q, m in queries]
    results: list = [None] * len(queries)

    def run(i: int) -> None:
        results[i] = [h.to_dict() for h in engine.search(*queries[i])]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(queries))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == expected


def test_passages_can_be_left_out(engine: SearchEngine) -> None:
    assert all(h.passage is None for h in engine.search("bank loan", "dbow", passages=False))
    assert all(h.passage is not None for h in engine.search("bank loan", "dbow"))


def test_search_all_gives_each_method_its_hits(engine: SearchEngine) -> None:
    results = engine.search_all("bank loan interest", k=3)
    assert list(results) == ["hybrid", "bm25", "dm", "dbow", "elmo", "senses"]  # Hybrid first
    assert all(len(hits) == 3 and hits[0].method == name for name, hits in results.items())


def test_search_all_reports_each_method_s_refusal_as_a_message(engine: SearchEngine) -> None:
    results = engine.search_all("zzzqx blorft")
    assert results["dm"].startswith("None of the words of 'zzzqx blorft' occur in the Doc2Vec DM")
    assert results["dbow"].startswith("None of the words of 'zzzqx blorft' occur in the Doc2Vec DBOW")


# ---- refusals ------------------------------------------------------------------------

@pytest.mark.parametrize("query, message", [
    ("", "Type a query: it is empty."),
    ("   \n\t", "Type a query: it is empty."),
    ("?!? ...", "The query '?!? ...' has no words to search for."),
    ("x" * (MAX_QUERY_CHARS + 1), f"The query has {MAX_QUERY_CHARS + 1} characters; keep it under {MAX_QUERY_CHARS}."),
])
def test_unusable_queries_are_refused_with_a_message(query: str, message: str, engine: SearchEngine) -> None:
    with pytest.raises(InvalidQueryError) as caught:
        engine.search(query, "dbow")
    assert str(caught.value) == message


def test_check_query_strips() -> None:
    assert check_query("  river bank \n") == "river bank"


def test_unknown_words_are_refused(engine: SearchEngine) -> None:
    with pytest.raises(InvalidQueryError, match="None of the words of 'zzzqx' occur"):
        engine.search("zzzqx", "dm")


@pytest.mark.parametrize("k", [0, -1, MAX_K + 1])
def test_k_out_of_range_is_refused(k: int, engine: SearchEngine) -> None:
    with pytest.raises(InvalidQueryError, match=f"Ask for between 1 and {MAX_K} results, not {k}."):
        engine.search("river", "dbow", k=k)


def test_k_above_the_collection_size_returns_every_document(engine: SearchEngine) -> None:
    assert len(engine.search("river", "dbow", k=MAX_K, passages=False)) == 33


def test_an_unknown_method_is_named(engine: SearchEngine) -> None:
    with pytest.raises(SenseSearchError, match="This index has no 'lsa' method; it has dm, dbow, elmo, senses."):
        engine.search("river", "lsa")


def test_a_query_is_read_by_the_bilm_once_for_its_explanation_and_ranking(engine: SearchEngine,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Sentence by sentence, as documents are read; every method's ranking
    and the explanation share one reading per biLM (ELMo ranks with the
    distilled biLM, which also reads the query's senses; the collection's
    senses, when a word needs them, read with the LM-only one)."""
    from indexing import contextual

    query = "Erosion of the river bank after the spring flood. Volunteers filled sandbags."
    first, second = (contextual.surface(query, tokens) for tokens in contextual.query_sentences(query))
    assert first[-1] == "." and second[0] == "Volunteers"
    encoded, real = [], contextual._encode
    monkeypatch.setattr(contextual, "_encode", lambda encoder, spelled, progress: encoded.extend(
        (id(encoder), tuple(s)) for s in spelled) or real(encoder, spelled, progress))
    contextual.forget_recent()
    for method in ("elmo", "senses", "dm", "dbow"):
        hits = engine.search(query, method, k=5)
        assert any(h.passage and h.passage.highlights for h in hits)
    readers = {reader for reader, _ in encoded}
    assert 1 <= len(readers) <= 2
    for reader in readers:
        assert encoded.count((reader, tuple(first))) == 1 and encoded.count((reader, tuple(second))) == 1
    assert all(words != tuple(first + second) for _, words in encoded)


@pytest.mark.parametrize("method", ["hybrid", "dbow", "elmo", "senses"])
def test_interest_is_highlighted_as_a_query_word(engine: SearchEngine, method: str) -> None:
    """The app's example query: gensim's stop list dropped "interest", so no
    passage ever marked it."""
    hits = engine.search("interest rates and inflation", method, k=5)
    marked = {h.query_word for hit in hits if hit.passage for h in hit.passage.highlights}
    assert "interest" in marked


@pytest.mark.parametrize("query", ["qwzx vvkq", "금리 인상과 물가"])
def test_nonsense_or_another_language_gets_no_good_match(engine: SearchEngine, query: str) -> None:
    """ELMo reads any string and listed confident-looking neighbours (0.7-0.94)."""
    with pytest.raises(NoGoodMatchError, match="No good match"):
        engine.search(query, "elmo", k=3)
    assert "No good match" in engine.search_all(query, ["elmo"])["elmo"]
    # The Senses column ranks by keywords: it says so as BM25 does.
    assert "None of the words" in engine.search_all(query, ["senses"])["senses"]


@pytest.mark.parametrize(("method", "query"), [("elmo", "heron"), ("elmo", "herons"), ("elmo", "Riverside qwzx"),
                                               ("senses", "heron"), ("senses", "herons"), ("senses", "heron qwzx")])
def test_a_query_with_one_known_word_is_answered(engine: SearchEngine, method: str, query: str) -> None:
    assert engine.search(query, method, k=3)


def test_a_word_of_the_collection_that_no_dictionary_knows_is_known(engine: SearchEngine, index) -> None:
    from indexing.senses.lexicon import english

    vocabulary = index.method("elmo").document_frequency
    [name, *_] = sorted(w for w in vocabulary if w.isalpha() and len(w) > 4 and not english().lemmas(w))
    assert engine.search(name, "elmo", k=3)


def test_the_sources_are_listed_with_their_document_counts(engine: SearchEngine) -> None:
    sources = engine.sources()
    assert sources["news.jsonl"] == 4 and sources["reviews.csv"] == 4 and sources["bass_guitar.txt"] == 1
    assert sum(sources.values()) == 33 and list(sources) == sorted(sources)


@pytest.mark.parametrize("method", ["bm25", *VECTOR_METHODS])
def test_a_source_filter_keeps_the_ranking_of_those_sources(method: str, engine: SearchEngine) -> None:
    # Every document ranked, then the filter applied: what the filtered search must give.
    wanted = {"news.jsonl", "reviews.csv", "flood_erosion.txt"}
    query = "river bank and interest rates"
    everything = engine.search(query, method, k=MAX_K, passages=False)
    expected = [h.doc_id for h in everything if h.source in wanted][:5]
    hits = engine.search(query, method, k=5, passages=False, sources=wanted)
    assert [h.doc_id for h in hits] == expected and len(hits) == 5
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]


def test_a_source_filter_restricts_every_column(engine: SearchEngine) -> None:
    results = engine.search_all("river bank and interest rates", k=10, sources=["news.jsonl", "reviews.csv"])
    assert set(results) == set(engine.methods) and "hybrid" in results
    for name, hits in results.items():
        assert not isinstance(hits, str), f"{name}: {hits}"
        assert hits and {h.source for h in hits} <= {"news.jsonl", "reviews.csv"}, name
        assert len(hits) <= 8
