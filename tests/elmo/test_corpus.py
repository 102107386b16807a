"""Tokenizer, corpus readers and vocabulary for biLM training."""

from __future__ import annotations

from collections import Counter

from indexing.elmo.corpus import TextCorpus, TokenStream, write_text_corpus
from indexing.elmo.sources import wikitext_paragraphs
from indexing.elmo.tokenizer import split_sentences, tokenize
from indexing.elmo.vocab import Vocabulary


def test_tokenize_keeps_words_whole_and_splits_punctuation():
    assert tokenize("The well-known U.S. policy, don't (3.5) <unk>!") == [
        "The", "well-known", "U.S", ".", "policy", ",", "don't", "(", "3.5", ")", "<unk>", "!",
    ]


def test_split_sentences_respects_titles_and_quotes():
    text = 'He said "Stop." Then Mr. Smith left. J. S. Bach wrote it! Did he? Yes.'
    expected = ['He said "Stop."', "Then Mr. Smith left.", "J. S. Bach wrote it!", "Did he?", "Yes."]
    assert split_sentences(text) == expected


def test_text_corpus_joins_wrapped_lines_and_rereads(tmp_path):
    path = tmp_path / "t.txt"
    write_text_corpus(["First line\nwrapped here. Second one.", "New paragraph"], path)
    corpus = TextCorpus([path])
    expected = [["First", "line", "wrapped", "here", "."], ["Second", "one", "."], ["New", "paragraph"]]
    assert list(corpus) == expected and list(corpus) == expected


def test_token_stream_wraps_sentences_in_boundaries():
    stream = TokenStream.from_sentences([["a", "b"], ["b"]])
    assert [stream.types[i] for i in stream.token_types] == ["<S>", "a", "b", "</S>", "<S>", "b", "</S>"]
    assert stream.counts()["b"] == 2


def test_vocabulary_keeps_most_frequent_words_and_maps_the_rest_to_unk(tmp_path):
    counts = Counter({"the": 50, "<S>": 10, "</S>": 10, "cat": 5, "rare": 1, "odd": 1})
    vocab = Vocabulary.build(counts, size=5)
    assert vocab.words[0] == "the" and len(vocab) == 5
    assert set(vocab.words) == {"the", "<S>", "</S>", "cat", "<unk>"}
    assert vocab.id_of("rare") == vocab.unk_id
    vocab.save(tmp_path / "v.json")
    assert Vocabulary.load(tmp_path / "v.json") == vocab


def test_wikitext_cleaning(tmp_path):
    path = tmp_path / "wiki.txt"
    path.write_text(" \n = Title = \n \n A well @-@ known 1 @,@ 000 @.@ 5 <unk> . \n = = Sub = = \n")
    assert list(wikitext_paragraphs(path)) == ["A well-known 1,000.5 <unk> ."]
