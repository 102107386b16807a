"""Korean documents among English ones, end to end: each method trained on
both, Korean queries in other inflections find their texts, highlights mark
the characters that matched, and odd scripts get messages, not tracebacks.

The fixture (tests/data/korean) is sixteen short texts written for this
project, one query each (`queries.json`); `python -m bench korean` measures
the same among the 300 Lee stories."""
from __future__ import annotations

from pathlib import Path

import pytest

from bench.korean import evaluate_engine, korean_documents, korean_queries
from indexing.backup import copy_data_dir
from indexing.documents import Document
from indexing.errors import SenseSearchError
from indexing.index import Index
from indexing.text import KOREAN_ANALYSER, WORD_ANALYSER
from search.engine import SearchEngine


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory, corpus_documents: list[Document],
          tiny_configs: dict) -> SearchEngine:
    index = Index(tmp_path_factory.mktemp("korean-index"))
    index.build([*corpus_documents, *korean_documents()], configs=tiny_configs)
    return SearchEngine(index)


@pytest.fixture(scope="module")
def figures(mixed: SearchEngine) -> dict:
    return evaluate_engine(mixed)["methods"]


def test_keyword_search_finds_every_text_from_other_inflections(figures: dict) -> None:
    # Cut at spaces, 금리가 never met 금리를: the queries share stems, not word forms.
    assert figures["bm25"]["known_item"]["in_top_3"] == 16, figures["bm25"]["known_item"]
    assert figures["hybrid"]["known_item"]["in_top_3"] >= 15, figures["hybrid"]["known_item"]


def test_dbow_finds_three_texts_in_four(figures: dict) -> None:
    assert figures["dbow"]["known_item"]["in_top_3"] >= 12, figures["dbow"]["known_item"]


def test_korean_queries_find_korean_texts(figures: dict) -> None:
    for method in ("bm25", "hybrid", "dbow"):
        assert figures[method]["english_in_top_10"] <= 0.1, (method, figures[method])


def test_english_queries_still_find_english_documents(mixed: SearchEngine) -> None:
    # (DM's tiny test config ranks this corpus near noise even without Korean:
    # `python -m bench korean` measures it with the real one.)
    for method in ("bm25", "hybrid", "dbow"):
        hits = mixed.search("fishing on the river bank", method, k=3, passages=False)
        assert all(KOREAN_ANALYSER not in h.analysers for h in hits), (method, [h.title for h in hits])


def test_highlights_mark_the_matched_morphemes(mixed: SearchEngine) -> None:
    first = korean_queries()["known_item"][0]
    hit = mixed.search(first["query"], "bm25", k=1)[0]  # 대출의 이자가 오르자 가계는 부담을 느낀다
    assert hit.title == first["title"] and hit.analysers == [KOREAN_ANALYSER]
    passage = hit.passage
    marked = {passage.text[h.start - passage.start : h.end - passage.start] for h in passage.highlights}
    # "대출 금리도 함께 오르면서 가계의 이자 부담이 ...": the stems are marked, not their particles
    assert {"대출", "이자", "부담"} <= marked, marked
    assert not any(word.endswith(("도", "의", "이")) for word in marked), marked


def test_a_text_that_mixes_scripts_is_found_from_either(mixed: SearchEngine, tmp_path: Path) -> None:
    index = Index.open(copy_data_dir(mixed.index.directory, tmp_path / "data"))
    text = ("The central bank raised its policy rate again. 한국은행이 기준금리를 다시 올렸다. "
            "Borrowers face higher mortgage payments; 대출자들의 이자 부담이 커진다.")
    index.add_documents([Document("금리 bilingual note", text, "note.txt")])
    engine = SearchEngine(index)
    for query in ("borrowers face higher payments as the policy rate rises", "대출자 이자 부담"):
        hits = {h.title: h for h in engine.search(query, "bm25", k=3)}
        assert "금리 bilingual note" in hits, (query, list(hits))
        assert hits["금리 bilingual note"].analysers == [KOREAN_ANALYSER, WORD_ANALYSER]


@pytest.mark.parametrize("query", ["สวัสดีครับ", "東京の天気", "은 는 이 가", "ㅋㅋㅋ", "!!! ???"])
def test_queries_no_analyser_can_use_get_messages(mixed: SearchEngine, query: str) -> None:
    try:
        results = mixed.search_all(query)
    except SenseSearchError as error:  # the whole query refused (no word at all)
        assert str(error)
        return
    for method, found in results.items():
        assert isinstance(found, (str, list)), method
        if isinstance(found, str):
            assert found.strip(), method


def test_a_text_with_no_content_words_is_stored_and_the_rest_still_answers(mixed: SearchEngine,
                                                                           tmp_path: Path) -> None:
    index = Index.open(copy_data_dir(mixed.index.directory, tmp_path / "data"))
    report = index.add_documents([Document("particles", "은 는 이 가 을 를", "particles.txt")])
    assert report.added or report.errors
    assert SearchEngine(index).search("금리 인상", "bm25", k=1)[0].title == korean_queries()["known_item"][0]["title"]
