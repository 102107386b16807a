"""The Korean analyser: morphemes with offsets into the original text, content
words by the analyser's tags, English untouched in mixed text."""
from __future__ import annotations

import functools
import json
import unicodedata

import pytest

from indexing.elmo.tokenizer import tokenize as elmo_tokens
from indexing.errors import UnsupportedFileError
from indexing.ingest import Columns, read_upload
from indexing.text import (KOREAN_ANALYSER, WORD_ANALYSER, analysers, is_content_word, split_sentences, terms,
                           token_terms, tokenize, words)

SENTENCE = "한국은행이 기준금리를 인상했다. 금리가 올랐고 대출 금리도 오르면서 부담이 커졌다."


def surfaces(text: str) -> list[tuple[str, str]]:
    return [(t.norm, text[t.start : t.end]) for t in tokenize(text)]


def test_a_noun_meets_itself_whatever_particle_it_carries():
    for text in ("금리가 올랐다", "금리를 올렸다", "기준금리는 그대로다", "금리"):
        assert "금리" in words(text), text
    assert "금리가" not in words(SENTENCE) and "금리를" not in words(SENTENCE)


def test_offsets_mark_exactly_the_stem():
    found = surfaces(SENTENCE)
    assert ("금리", "금리") in found  # of 기준금리를: the noun's own characters, not its particle
    assert ("인상", "인상") in found
    # 올랐고: the verb 오르다, marked on the stem's syllable 올
    assert ("오르다", "올") in found
    for token in tokenize(SENTENCE):
        assert 0 <= token.start < token.end <= len(SENTENCE)
        assert not SENTENCE[token.start : token.end].isspace()


def test_content_words_follow_the_tags():
    content = [w for w in words(SENTENCE) if is_content_word(w)]
    assert {"한국은행", "기준", "금리", "인상", "오르다", "대출", "부담", "커지다"} <= set(content)
    # particles and endings are not words Doc2Vec trains on, nor content
    assert not any(w in ("이", "를", "가", "다", "고") for w in words(SENTENCE))
    function = [t.norm for t in tokenize(SENTENCE) if not is_content_word(t.norm)]
    assert "를/JKO" in function and "가/JKS" in function
    # the verb that works as "do" is a stop word, as "do" is in English
    assert not is_content_word("하다") and is_content_word("오르다")


def test_keyword_terms_meet_across_inflections():
    assert set(terms("금리를 올렸고 금리가 올랐다")) & set(terms("금리가 오르면")) == {"금리", "오르다"}
    assert "올리다" in terms("금리를 올렸다")  # to raise: another verb than 오르다, to rise
    # a token's norm is not analysed again: its terms are what running text gives
    assert token_terms("오르다") == ["오르다"] and token_terms("가/JKS") == []


def test_english_text_reads_as_before():
    text = "The well-known U.S. bank's rates rose 3.5% in 2024."
    assert [t.norm for t in tokenize(text)] == ["the", "well-known", "u.s", "bank's", "rates", "rose", "3.5", "in",
                                                "2024"]
    assert words(text) == [t.norm for t in tokenize(text)]
    assert elmo_tokens("The well-known U.S. policy, don't (3.5) <unk>!") == [
        "The", "well-known", "U.S", ".", "policy", ",", "don't", "(", "3.5", ")", "<unk>", "!"]


def test_mixed_scripts_read_each_part_with_its_analyser():
    text = "The Bank of Korea (한국은행) raised 기준금리를 by a quarter point."
    found = surfaces(text)
    assert ("bank", "Bank") in found and ("raised", "raised") in found and ("quarter", "quarter") in found
    assert ("한국은행", "한국은행") in found and ("금리", "금리") in found
    assert analysers(text) == [KOREAN_ANALYSER, WORD_ANALYSER]
    assert analysers("금리가 올랐다") == [KOREAN_ANALYSER] and analysers("rates rose") == [WORD_ANALYSER]
    assert analysers("2024 12 31") == []


def test_decomposed_hangul_reads_as_composed_with_offsets_into_the_original():
    composed = "금리가 올랐다"
    decomposed = unicodedata.normalize("NFD", composed)
    assert len(decomposed) > len(composed)
    assert words(decomposed) == words(composed)
    noun = next(t for t in tokenize(decomposed) if t.norm == "금리")
    assert unicodedata.normalize("NFC", decomposed[noun.start : noun.end]) == "금리"


def test_offsets_survive_characters_outside_the_basic_plane():
    text = "😀😀 금리가 올랐다"
    noun = next(t for t in tokenize(text) if t.norm == "금리")
    assert text[noun.start : noun.end] == "금리"


def test_punctuation_is_a_token_only_when_asked():
    text = "금리, 물가와 환율이 올랐다!"
    assert all(is_content_word(t.norm) or "/" in t.norm or not t.norm.isalnum() for t in tokenize(text))
    with_punct = [text[t.start : t.end] for t in tokenize(text, keep_punct=True)]
    assert "," in with_punct and "!" in with_punct
    assert "," not in [text[t.start : t.end] for t in tokenize(text)]


def test_korean_sentences_split_at_their_ends():
    spans = split_sentences(SENTENCE)
    assert [SENTENCE[s.start : s.end] for s in spans] == [
        "한국은행이 기준금리를 인상했다.", "금리가 올랐고 대출 금리도 오르면서 부담이 커졌다."]
    # a one-syllable Korean word before a full stop is not an initial ("J. S. Bach")
    text = "그것은 책. 이것은 펜이다."
    assert len(split_sentences(text)) == 2


@pytest.mark.parametrize("text", ["", "   ", "은 는 이 가", "ㅋㅋㅋ", "…", "🙂", "\u200b한\u200b국"])
def test_odd_korean_input_never_fails(text):
    for token in tokenize(text, keep_punct=True):
        assert 0 <= token.start <= token.end <= len(text)
    words(text)
    terms(text)


# Korean uploads, in every format the page takes.
NEWS = "한국은행이 기준금리를 올렸다.\n대출 금리도 함께 오르면서 이자 부담이 커졌다."


@pytest.mark.parametrize("name, data", [
    ("news.txt", NEWS.encode("utf-8")),
    ("news.md", ("# 금리 소식\n\n" + NEWS).encode("utf-8-sig")),
    ("news_utf16.txt", NEWS.encode("utf-16")),
    ("news_cp949.txt", NEWS.encode("cp949")),  # what older Windows software saves
    ("news.csv", ("제목,본문\n금리 소식,\"" + NEWS + "\"\n").encode("utf-8")),
    ("news.jsonl", (json.dumps({"title": "금리 소식", "text": NEWS}, ensure_ascii=False) + "\n").encode("utf-8")),
])
def test_korean_uploads_are_read_in_every_format(name: str, data: bytes) -> None:
    columns = Columns(text="본문", title="제목") if name.endswith(".csv") else None
    (document,) = read_upload(name, data, columns)
    assert "기준금리를" in document.text and "이자 부담이" in document.text
    assert {"금리", "오르다", "이자"} <= set(words(document.text))


def test_a_korean_pdf_is_read_from_its_text_layer(make_pdf) -> None:
    (document,) = read_upload("news.pdf", make_pdf([NEWS]))
    assert "기준금리를" in document.text.replace("\n", " ")
    assert {"금리", "오르다", "이자"} <= set(words(document.text))


def test_a_legacy_encoding_that_is_not_korean_is_still_refused() -> None:
    with pytest.raises(UnsupportedFileError, match="not valid UTF-8"):
        read_upload("menu.txt", "Café crème brûlée".encode("cp1252"))


def test_korean_senses_come_from_the_collection_labelled_with_korean_words(tmp_path) -> None:
    """No Korean dictionary ships: a Korean word's senses are the collection's
    clusters of its occurrences, named by Korean neighbours (배: ship, pear)."""
    import random

    from indexing.documents import Document
    from indexing.index import Index
    from indexing.senses.method import SensesConfig

    ship = ["어부들이 새벽에 배를 타고 바다로 나갔다.", "항구에 정박한 배에서 선원들이 그물을 내렸다.",
            "거센 파도 때문에 배가 항구로 돌아왔다.", "선장은 배의 엔진을 점검하고 바다로 출항했다.",
            "작은 어선 배 한 척이 섬 근처에서 고기를 잡았다.", "배가 부두에 닿자 선원들이 생선을 옮겼다."]
    pear = ["과수원에서 딴 배는 달고 시원하다.", "추석 선물로 사과와 배를 상자에 담았다.",
            "껍질을 깎은 배를 접시에 담아 손님에게 냈다.", "올해 배 수확이 늘어 과일 가격이 내렸다.",
            "배를 갈아 고기 양념에 넣으면 맛이 부드럽다.", "시장에서 배와 감을 한 바구니 샀다."]
    documents = []
    for i in range(6):
        rng = random.Random(i)
        documents += [Document(f"ship {i}", " ".join(rng.sample(ship, 4)), "ship.txt"),
                      Document(f"pear {i}", " ".join(rng.sample(pear, 4)), "pear.txt")]
    index = Index(tmp_path / "data")
    index.build(documents, methods=("senses", "bm25"), configs={"senses": SensesConfig(min_count=5, per_word=60)})
    senses = index.method("senses").inventory.senses("배")
    assert len(senses) >= 2
    labels = [set(s.label) for s in senses]
    assert all(is_content_word(w) and any("\uac00" <= c <= "\ud7a3" for c in w) for label in labels for w in label)
    at_sea = [i for i, label in enumerate(labels) if label & {"바다", "항구", "정박", "선원", "선장", "어부", "출항"}]
    fruit = [i for i, label in enumerate(labels) if label & {"과일", "사과", "과수원", "수확", "껍질", "접시"}]
    assert at_sea and fruit and set(at_sea) != set(fruit), labels


def test_the_analyser_is_warmed_up_only_where_a_collection_holds_korean(monkeypatch) -> None:
    from indexing import korean

    analysed = []
    monkeypatch.setattr(korean, "_analyse_now", analysed.append)
    monkeypatch.setattr(korean, "_kiwi", functools.lru_cache(maxsize=1)(object))  # not loaded yet
    korean.warm_up_in_background(lambda: False).join(timeout=10)
    assert analysed == []
    korean.warm_up_in_background(lambda: True).join(timeout=10)
    assert len(analysed) == 1 and korean.has_hangul(analysed[0])

    def gone() -> bool:
        raise RuntimeError("the store was closed")

    korean.warm_up_in_background(gone).join(timeout=10)  # says nothing, analyses nothing
    assert len(analysed) == 1

    asked = []
    korean._kiwi()  # loaded: the store is not read again
    korean.warm_up_in_background(lambda: asked.append(1) or True).join(timeout=10)
    assert asked == [] and len(analysed) == 1
