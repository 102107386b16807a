"""Explanations: each query word meets the passage's words, and the page is
told whether they met in the same sense. First on a hand-made sense model
whose similarities are known, then on the tiny corpus's planted homonym."""
from __future__ import annotations

import numpy as np
import pytest

from indexing.documents import Sentence, Span, StoredDocument
from indexing.senses.dictionary import Dictionary, Sense
from indexing.senses.readings import Readings
from indexing.text import split_sentences, tokenize
from search.explain import MIN_SPLIT_GAIN, Explainer, gives_verdict
from search.engine import SearchEngine
from search.hits import Highlight


class HandMadeSenses:
    """Tags "bank" with sense 1 (money) when "loan" or "rates" is in the same
    text, else sense 0 (river); no other word has senses. Vectors (contextual
    and topical alike): bank and shore are close (0.8), everything else is
    orthogonal. Counts the occurrences it was asked to read in context."""

    topical_threshold = 0.5
    VECTORS = {"bank": [1, 0, 0], "shore": [0.8, 0.6, 0], "loan": [0, 0, 1], "river": [0, 1, 0]}

    def __init__(self, gain: float = 1.0) -> None:
        self.read = []  # the occurrences `HandMadeOccurrences` read in context
        self.queries_read = []  # the queries read as the biLM would read them
        self.gain = gain  # how clearly the collection split "bank"

    def split_gain(self, word):
        return self.gain if word == "bank" else 0.0

    def topical_sense(self, tagged):
        return tagged.sense

    def topical_similarity(self, words_a, words_b):
        a, b = (self.centred(np.array([self.VECTORS.get(w, [0, 0, 0]) for w in ws], dtype=np.float32))
                for ws in (words_a, words_b))
        return a @ b.T

    def tag(self, texts, token_lists):
        from indexing.senses.method import TaggedToken

        out = []
        for text, tokens in zip(texts, token_lists):
            money = any(t.norm in ("loan", "rates") for t in tokens)
            out.append([TaggedToken(t, (1 if money else 0) if t.norm == "bank" else None,
                                    np.array(self.VECTORS.get(t.norm, [0, 0, 0]), dtype=np.float32), None)
                        for t in tokens if t.norm in self.VECTORS or t.norm == "rates"])
        return out

    def tag_query(self, text):
        from indexing.contextual import query_sentences

        self.queries_read.append(text)
        sentences = query_sentences(text)
        return [t for sentence in self.tag([text] * len(sentences), sentences) for t in sentence]

    def centred(self, vectors):
        vectors = np.atleast_2d(vectors)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-8)

    def sense_name(self, word, sense):
        return {0: "bank (river)", 1: "bank (money)"}.get(sense, "") if word == "bank" else ""


class HandMadeOccurrences:
    """Reads occurrences in context as `HandMadeSenses` tags whole sentences,
    and tells it which words it read."""

    general = None  # no general sense inventory: the collection's senses alone

    def __init__(self, senses: HandMadeSenses) -> None:
        self.senses = senses

    def read(self, texts, token_lists, positions, radius, keys=None):
        out = []
        for text, tokens, wanted in zip(texts, token_lists, positions):
            tagged = {t.token.start: t for t in self.senses.tag([text], [tokens])[0]}
            self.senses.read += [tokens[i].norm for i in wanted]
            out.append({i: tagged[tokens[i].start] for i in wanted})
        return out


def explainer_of(senses: HandMadeSenses, query: str) -> Explainer:
    return Explainer(senses, query, HandMadeOccurrences(senses))


TEXT = "We walked along the bank of the river. The bank approved my loan."


def explain(query: str, gain: float = 1.0) -> dict[str, list[tuple[str, str, str, str]]]:
    document = StoredDocument(1, "t", TEXT, "t.txt", "h", len(tokenize(TEXT)), "2024-01-01")
    explainer = explainer_of(HandMadeSenses(gain), query)
    found = {}
    for i, span in enumerate(split_sentences(TEXT)):
        highlights = explainer(document, Sentence(i, 1, i, span.start, span.end))
        found[TEXT[span.start:span.end]] = [(h.word, h.query_word, h.kind, h.doc_sense) for h in highlights]
    return found


def test_the_same_word_in_the_same_sense_agrees_and_in_another_sense_does_not() -> None:
    found = explain("bank loan")
    assert found["We walked along the bank of the river."] == [("bank", "bank", "other sense", "bank (river)")]
    assert found["The bank approved my loan."] == [("bank", "bank", "same sense", "bank (money)"),
                                                   ("loan", "loan", "same word", "")]


def test_a_split_the_collection_is_not_sure_of_gives_no_verdict() -> None:
    unsure = explain("bank loan", gain=MIN_SPLIT_GAIN - 0.01)
    assert unsure["We walked along the bank of the river."] == [("bank", "bank", "same word", "")]
    assert unsure["The bank approved my loan."][0] == ("bank", "bank", "same word", "")


class Split:
    """A collection that split every word, each as clearly as given."""

    def __init__(self, gains: dict[str, float]) -> None:
        self.gains = gains

    def split_gain(self, word: str) -> float:
        return self.gains.get(word, 0.0)


@pytest.mark.parametrize("word, verdict", [
    ("bank", False), ("police", False),  # WordNet knows them: the general inventory decides, not the collection
    ("zinni", True),  # a name WordNet does not know: the collection's clear split decides
])
def test_with_a_general_inventory_the_collection_decides_only_words_wordnet_lacks(word: str, verdict: bool) -> None:
    assert gives_verdict(Split({word: 0.9}), word, general=hand_made_dictionary()) is verdict


@pytest.mark.parametrize("word, gain, verdict", [
    ("bank", 0.5, True), ("banks", 0.5, True),  # WordNet: sloping land, institution
    ("bank", MIN_SPLIT_GAIN - 0.01, False),  # the collection's split is not clear enough
    ("police", 0.9, False), ("year", 0.9, False), ("said", 0.9, False),  # one coarse sense in WordNet
    ("zinni", 0.5, True),  # a name WordNet does not know: the collection decides
])
def test_a_verdict_needs_a_clear_split_and_a_dictionary_that_agrees(word: str, gain: float, verdict: bool) -> None:
    assert gives_verdict(Split({word: gain}), word) is verdict


def test_only_occurrences_of_words_with_senses_are_read_in_context() -> None:
    senses = HandMadeSenses()
    document = StoredDocument(1, "t", TEXT, "t.txt", "h", len(tokenize(TEXT)), "2024-01-01")
    explainer = explainer_of(senses, "bank loan")
    spans = split_sentences(TEXT)
    for i, span in enumerate(spans):
        explainer(document, Sentence(i, 1, i, span.start, span.end))
        explainer(document, Sentence(i, 1, i, span.start, span.end))  # read once per query
    assert senses.read == ["bank", "bank"]


def test_a_query_without_a_word_that_may_get_a_verdict_is_not_read_by_the_bilm() -> None:
    document = StoredDocument(1, "t", TEXT, "t.txt", "h", len(tokenize(TEXT)), "2024-01-01")
    unsure, sure = HandMadeSenses(gain=MIN_SPLIT_GAIN - 0.01), HandMadeSenses()
    for senses in (unsure, sure):
        explainer_of(senses, "bank loan")(document, Sentence(0, 1, 0, 0, len(TEXT)))
    assert unsure.queries_read == [] and unsure.read == []
    assert sure.queries_read == ["bank loan"] and sure.read == ["bank", "bank"]


def test_words_outside_the_shown_part_are_neither_read_nor_highlighted() -> None:
    senses = HandMadeSenses()
    document = StoredDocument(1, "t", TEXT, "t.txt", "h", len(tokenize(TEXT)), "2024-01-01")
    whole = Sentence(0, 1, 0, 0, len(TEXT))
    shown = Span(TEXT.index("The bank"), len(TEXT))
    highlights = explainer_of(senses, "bank")(document, whole, shown)
    assert [(h.start, h.kind) for h in highlights] == [(TEXT.index("bank approved"), "other sense")]
    assert senses.read == ["bank"]


def test_the_query_context_decides_the_query_word_sense() -> None:
    found = explain("river bank")
    assert ("bank", "bank", "same sense", "bank (river)") in found["We walked along the bank of the river."]
    assert found["The bank approved my loan."] == [("bank", "bank", "other sense", "bank (money)")]


def test_a_related_word_meets_a_query_word_the_passage_lacks() -> None:
    document = StoredDocument(1, "t", "Waves hit the shore.", "t.txt", "h", 4, "2024-01-01")
    [highlight] = explainer_of(HandMadeSenses(), "bank")(document, Sentence(0, 1, 0, 0, 20))
    assert (highlight.word, highlight.query_word, highlight.kind, highlight.similarity) == (
        "shore", "bank", "related", 0.8)


def test_unrelated_words_are_not_highlighted() -> None:
    document = StoredDocument(1, "t", "A loan was approved.", "t.txt", "h", 4, "2024-01-01")
    assert explainer_of(HandMadeSenses(), "river")(document, Sentence(0, 1, 0, 0, 20)) == []


# ---- on the tiny corpus, with the shipped biLMs and the general inventory -------------
# The fixture's documents use bank, bass, crane and mouse in two senses each.

HOMONYM_QUERIES = {  # query -> (its homonym, documents in the query's sense, documents in another)
    "fishing from the river bank": ("bank", {"river_bank_fishing", "flood_erosion", "canoe_trip", "heron_watch"},
                                    {"mortgage_rates", "small_business_loan", "savings_account",
                                     "central_bank_inflation"}),
    "bank loan interest rates": ("bank", {"mortgage_rates", "small_business_loan", "savings_account",
                                          "central_bank_inflation"}, {"river_bank_fishing", "flood_erosion"}),
    "bass guitar in a band": ("bass", {"bass_guitar", "jazz_concert"}, {"bass_fishing"}),
    "bass fishing in a lake": ("bass", {"bass_fishing"}, {"bass_guitar", "jazz_concert"}),
    "crane lifting steel beams": ("crane", {"tower_crane"}, {"crane_migration", "heron_watch"}),
    "mouse nest in the field": ("mouse", {"field_mouse"}, {"computer_mouse"}),
}


def homonym_verdicts(engine: SearchEngine, query: str) -> list[tuple[str, str, str]]:
    """(document, verdict, document's sense) of every highlighted occurrence of
    the query's homonym in a document of either sense, over every column."""
    word, right, wrong = HOMONYM_QUERIES[query]
    found = []
    for hits in engine.search_all(query, k=10).values():
        for hit in hits if isinstance(hits, list) else []:
            found += [(hit.title, h.kind, h.doc_sense) for h in (hit.passage.highlights if hit.passage else [])
                      if h.word.lower().startswith(word) and hit.title in right | wrong]
    return found


@pytest.mark.parametrize("query", HOMONYM_QUERIES)
def test_planted_homonyms_never_get_a_wrong_verdict(engine: SearchEngine, query: str) -> None:
    _word, right, wrong = HOMONYM_QUERIES[query]
    found = homonym_verdicts(engine, query)
    assert found, f"no occurrence of the homonym highlighted for {query!r}"
    assert [f for f in found if f[1] == "same sense" and f[0] in wrong] == []
    assert [f for f in found if f[1] == "other sense" and f[0] in right] == []


def test_homonyms_are_told_apart_on_the_page_with_dictionary_labels(engine: SearchEngine) -> None:
    fish = set(homonym_verdicts(engine, "bass fishing in a lake"))
    music = set(homonym_verdicts(engine, "bass guitar in a band"))
    river = set(homonym_verdicts(engine, "fishing from the river bank"))
    assert ("bass_guitar", "other sense", "bass: lowest part of the musical range") in fish
    assert ("bass_fishing", "other sense", "bass: lean flesh of a saltwater fish") in music
    assert ("river_bank_fishing", "same sense", "bank: sloping land") in river


def test_a_sense_verdict_says_how_likely_the_same_sense_is(engine: SearchEngine) -> None:
    likely = {}  # verdict -> how likely the same sense, on the homonym's occurrences
    for query, (word, _right, _wrong) in HOMONYM_QUERIES.items():
        for hit in engine.search(query, "bm25", k=10):
            for h in hit.passage.highlights if hit.passage else []:
                if h.word.lower().startswith(word) and h.kind in ("same sense", "other sense"):
                    likely.setdefault(h.kind, []).append(h.similarity)
    assert likely.keys() == {"same sense", "other sense"}
    assert all(0.0 <= p <= 1.0 for found in likely.values() for p in found)
    # Every "same sense" is likelier than every "other sense"; not each over a half: the query's own
    # reading spreads ("bank loan interest rates"), and an occurrence read with its document's other
    # uses may clear the margin with the least of them (0.46 for "mortgage_rates").
    assert max(likely["other sense"]) < min(likely["same sense"])
    assert max(likely["other sense"]) < 0.5 < sorted(likely["same sense"])[len(likely["same sense"]) // 2]


# Everyday queries over the fixture, each word in its everyday sense: the
# only words that may be struck through are the planted homonyms.
EVERYDAY = ["Bread dough rises overnight before baking.", "The runners finished the marathon in the rain.",
            "Engineers fixed a software bug that crashed the program.", "A warm tomato soup recipe.",
            "The council approved a new footbridge.", "The orchestra plays a concert this season.",
            "Flu cases rise every winter.", "Astronomers watched the lunar eclipse."]
HOMONYMS = {"bank", "bass", "crane", "cranes", "mouse"}
# Strikes of other words, each judged right by hand: the fixture uses them in another sense too.
RIGHT_STRIKES = {
    # "a refrigerated display case": a container, not an occurrence of flu (in the ELMo column's top 10
    # since it pools content words by idf squared).
    ("Flu cases rise every winter.", "small_business_loan", "case"),
}


def test_everyday_queries_strike_no_ordinary_word_through(engine: SearchEngine) -> None:
    struck = []
    for query in EVERYDAY:
        for method, hits in engine.search_all(query, k=10).items():
            for hit in hits if isinstance(hits, list) else []:
                struck += [(query, hit.title, h.word) for h in (hit.passage.highlights if hit.passage else [])
                           if h.kind == "other sense" and h.word.lower() not in HOMONYMS]
    assert set(struck) <= RIGHT_STRIKES, struck


# ---- the general sense inventory (indexing.senses.dictionary), hand-made --------------

def hand_made_dictionary() -> Dictionary:
    """bank: sloping land (vector x) and financial institution (vector y)."""
    senses = [Sense("bank", "sloping land", "sloping land", "noun", 10.5, 0),
              Sense("bank", "financial institution", "a financial institution", "noun", 20.5, 1)]
    return Dictionary({"bank": senses}, np.eye(3, dtype=np.float32)[:2], "test", prior_weight=0.0)


def _context(words: list[str]) -> np.ndarray:
    """x near "river", y near "loan", z near "switches", an even mix of x and y otherwise."""
    vector = np.array([1.0 if "river" in words else 0.0, 1.0 if "loan" in words else 0.0,
                       1.0 if "switches" in words else 0.0], dtype=np.float32)
    vector = vector if vector.any() else np.array([1.0, 1.0, 0.0], dtype=np.float32)
    return vector / np.linalg.norm(vector)


class GeneralOccurrences(HandMadeOccurrences):
    """Reads contexts for the general inventory from the words of the sentence."""

    general = "the distilled biLM"

    def __init__(self, senses: HandMadeSenses) -> None:
        super().__init__(senses)
        self.contexts_read = []

    def query_contexts(self, query, words, radius):
        self.contexts_read += [t.norm for t in tokenize(query) if t.norm in words]
        return {t.start: _context([u.norm for u in tokenize(query)]) for t in tokenize(query) if t.norm in words}

    def read_contexts(self, texts, token_lists, positions, radius, keys):
        self.contexts_read += [tokens[i].norm for tokens, wanted in zip(token_lists, positions) for i in wanted]
        return [{i: _context([t.norm for t in tokens]) for i in wanted}
                for tokens, wanted in zip(token_lists, positions)]


def explain_general(query: str, monkeypatch) -> tuple[dict, GeneralOccurrences]:
    monkeypatch.setattr("search.explain.english_senses", hand_made_dictionary)
    senses = HandMadeSenses()
    occurrences = GeneralOccurrences(senses)
    explainer = Explainer(senses, query, occurrences)
    document = StoredDocument(1, "t", TEXT, "t.txt", "h", len(tokenize(TEXT)), "2024-01-01")
    found = {}
    for i, span in enumerate(split_sentences(TEXT)):
        highlights = explainer(document, Sentence(i, 1, i, span.start, span.end))
        found[TEXT[span.start:span.end]] = [(h.kind, h.query_sense, h.doc_sense) for h in highlights
                                            if h.query_word == "bank"]
    return found, occurrences


def explain_general_highlights(query: str, monkeypatch) -> list:
    monkeypatch.setattr("search.explain.english_senses", hand_made_dictionary)
    senses = HandMadeSenses()
    explainer = Explainer(senses, query, GeneralOccurrences(senses))
    document = StoredDocument(1, "t", TEXT, "t.txt", "h", len(tokenize(TEXT)), "2024-01-01")
    return [h for i, span in enumerate(split_sentences(TEXT))
            for h in explainer(document, Sentence(i, 1, i, span.start, span.end)) if h.query_word == "bank"]


def confidences(highlights: list) -> list[float | None]:
    return [h.confidence for h in highlights]


def test_the_general_inventory_gives_the_verdict_with_the_dictionary_labels(monkeypatch) -> None:
    found, occurrences = explain_general("river bank", monkeypatch)
    assert found["We walked along the bank of the river."] == [
        ("same sense", "bank: sloping land", "bank: sloping land")]
    assert found["The bank approved my loan."] == [
        ("other sense", "bank: sloping land", "bank: financial institution")]
    assert occurrences.senses.read == []  # the collection's senses were not asked
    assert confidences(explain_general_highlights("river bank", monkeypatch)) == [1.0, 1.0]  # x against y: cos 1 vs 0
    assert occurrences.contexts_read == ["bank", "bank", "bank"]  # the query's, then the two passages'


def test_a_query_whose_sense_is_unclear_gets_no_verdict_and_its_passages_are_not_read(monkeypatch) -> None:
    found, occurrences = explain_general("bank nearby", monkeypatch)  # read as an even mix of both senses
    assert found["We walked along the bank of the river."] == [("same word", "", "")]
    assert found["The bank approved my loan."] == [("same word", "", "")]
    assert occurrences.contexts_read == ["bank"]  # the query's own reading only


def three_banks() -> Dictionary:
    """`hand_made_dictionary` with a third sense, an arrangement of similar objects (vector z)."""
    senses = [Sense("bank", "sloping land", "sloping land", "noun", 10.5, 0),
              Sense("bank", "financial institution", "a financial institution", "noun", 20.5, 1),
              Sense("bank", "arrangement of similar objects", "an arrangement of similar objects", "noun", 1.5, 2)]
    return Dictionary({"bank": senses}, np.eye(3, dtype=np.float32), "test", prior_weight=0.0)


def explain_three_banks(query: str, monkeypatch) -> tuple[list, GeneralOccurrences]:
    monkeypatch.setattr("search.explain.english_senses", three_banks)
    senses = HandMadeSenses()
    occurrences = GeneralOccurrences(senses)
    text = "A bank of switches lit up. The bank approved my loan."
    document = StoredDocument(1, "t", text, "t.txt", "h", len(tokenize(text)), "2024-01-01")
    explainer = Explainer(senses, query, occurrences)
    found = [(text[span.start:span.end], h.kind, h.query_sense, h.doc_sense)
             for i, span in enumerate(split_sentences(text))
             for h in explainer(document, Sentence(i, 1, i, span.start, span.end)) if h.query_word == "bank"]
    return found, occurrences


def test_a_passage_in_none_of_the_senses_an_unclear_query_may_mean_is_in_another_sense(monkeypatch) -> None:
    # "bank nearby" may be the river's or the institution's; a bank of switches is neither.
    found, occurrences = explain_three_banks("bank nearby", monkeypatch)
    assert found[0][:2] == ("A bank of switches lit up.", "other sense")
    assert found[0][2] in ("bank: sloping land or financial institution", "bank: financial institution or sloping land")
    assert found[0][3] == "bank: arrangement of similar objects"
    assert found[1][:2] == ("The bank approved my loan.", "same word")  # the query may mean it: no verdict
    assert occurrences.contexts_read == ["bank", "bank", "bank"]


def test_a_word_alone_in_its_query_is_not_read_so_no_passage_is_ruled_another_sense(monkeypatch) -> None:
    # "bank" alone says no sense: its reading would be the dictionary's prior.
    found, occurrences = explain_three_banks("bank", monkeypatch)
    assert [f[1] for f in found] == ["same word", "same word"]
    assert occurrences.contexts_read == ["bank"]  # the passages were not read


def explain_text(dictionary, query: str, text: str, monkeypatch) -> list[tuple[str, Highlight]]:
    """Each highlight of ``text`` under ``query``, with its sentence: the
    hand-made senses, and the general inventory ``dictionary`` makes."""
    monkeypatch.setattr("search.explain.english_senses", dictionary)
    senses = HandMadeSenses()
    document = StoredDocument(1, "t", text, "t.txt", "h", len(tokenize(text)), "2024-01-01")
    explainer = Explainer(senses, query, GeneralOccurrences(senses))
    return [(text[span.start:span.end], h) for i, span in enumerate(split_sentences(text))
            for h in explainer(document, Sentence(i, 1, i, span.start, span.end))]


def test_a_word_of_a_capitalised_name_is_never_struck_through(monkeypatch) -> None:
    # "Loan Bank" names one institution; a river bank query must not strike its "Bank" through.
    text = "The Farm Loan Bank opened. The bank approved my loan. We walked along the River Bank."
    found = [(sentence, h.kind) for sentence, h in explain_text(hand_made_dictionary, "river bank", text, monkeypatch)
             if h.query_word == "bank"]
    assert found == [("The Farm Loan Bank opened.", "same word"), ("The bank approved my loan.", "other sense"),
                     ("We walked along the River Bank.", "same sense")]  # a name's word may still agree


def banks_and_organs() -> Dictionary:
    """`hand_made_dictionary` and an organ of two senses: the body's (vector x) and the instrument (vector y)."""
    bank = hand_made_dictionary().entries["bank"]
    organ = [Sense("organ", "body part", "a part of the body", "noun", 10.5, 2),
             Sense("organ", "musical instrument", "a wind instrument", "noun", 2.5, 3)]
    return Dictionary({"bank": bank, "organ": organ}, np.eye(3, dtype=np.float32)[[0, 1, 0, 1]], "test",
                      prior_weight=0.0)


def test_another_form_of_a_query_word_gets_its_verdict_but_a_word_sharing_only_its_stem_does_not(monkeypatch) -> None:
    # "banks" and "organs" are forms of "bank" and "organ"; "organic" shares organ's stem, not its lemma.
    text = "The banks approved my loan. Organic farms line the river. The organs of the river fish."
    found = [(h.word, h.query_word, h.kind, h.doc_sense)
             for _, h in explain_text(banks_and_organs, "river bank organ", text, monkeypatch) if h.query_word != "river"]
    assert found == [("banks", "bank", "other sense", "bank: financial institution"),
                     ("organs", "organ", "same sense", "organ: body part")]

class KeptStore:
    """A store holding one document's sentences and the readings its indexing kept."""

    def __init__(self, text: str, cosines: dict[int, tuple[float, float]]) -> None:
        self.text = text
        starts = sorted(cosines)
        self.kept = Readings(np.array(starts, dtype=np.int64), np.arange(0, 2 * len(starts) + 1, 2, dtype=np.int64),
                             np.array([c for s in starts for c in cosines[s]], dtype=np.float16))

    def readings(self, doc_ids, version):
        return {doc_id: self.kept.to_bytes() for doc_id in doc_ids}

    def sentences(self, doc_id):
        return [Sentence(i, doc_id, i, span.start, span.end) for i, span in enumerate(split_sentences(self.text))]


def explain_kept(text: str, cosines: dict[int, tuple[float, float]], monkeypatch) -> list:
    """The highlights of "loan bank" (the financial institution) in ``text``,
    whose occurrences of "bank" indexing read as ``cosines`` (sloping land, financial institution)."""
    monkeypatch.setattr("search.explain.english_senses", hand_made_dictionary)
    senses = HandMadeSenses()
    explainer = Explainer(senses, "loan bank", GeneralOccurrences(senses), store=KeptStore(text, cosines))
    document = StoredDocument(1, "t", text, "t.txt", "h", len(tokenize(text)), "2024-01-01")
    return [h for i, span in enumerate(split_sentences(text))
            for h in explainer(document, Sentence(i, 1, i, span.start, span.end)) if h.query_word == "bank"]


def test_an_occurrence_unclear_alone_is_read_with_the_words_other_uses_in_its_document(monkeypatch) -> None:
    text = "The bank approved my loan. The bank was busy today."
    first, second = text.index("bank"), text.rindex("bank")
    clear, unclear = (0.0, 1.0), (0.45, 0.55)  # financial by 1.0; by 0.1, under the margin 0.3
    found = explain_kept(text, {first: clear, second: unclear}, monkeypatch)
    assert [(h.kind, h.document_uses) for h in found] == [("same sense", 0), ("same sense", 1)]
    assert found[1].confidence == pytest.approx(0.55, abs=0.01)  # the mean of the two: 0.225 against 0.775
    # Alone, it is unclear; so is a document whose other use is as unclear.
    found = explain_kept(text, {first: unclear, second: unclear}, monkeypatch)
    assert [(h.kind, h.document_uses) for h in found] == [("same word", 0), ("same word", 0)]


def test_an_occurrence_read_clearly_keeps_its_own_verdict_whatever_its_document_says(monkeypatch) -> None:
    text = "The bank approved my loan. We sat on the bank by the water."
    first, second = text.index("bank"), text.rindex("bank")
    found = explain_kept(text, {first: (0.0, 1.0), second: (1.0, 0.0)}, monkeypatch)
    assert [(h.kind, h.document_uses) for h in found] == [("same sense", 0), ("other sense", 0)]


def test_the_documents_other_uses_never_strike_an_unclear_occurrence_through(monkeypatch) -> None:
    # The river bank is clear; the other "bank" leans to it but not by the margin. Read together they
    # are another sense than the query's, yet the page strikes through only on an occurrence's own words.
    text = "We sat on the bank by the water. The bank was busy today."
    first, second = text.index("bank"), text.rindex("bank")
    found = explain_kept(text, {first: (1.0, 0.0), second: (0.55, 0.45)}, monkeypatch)
    assert [(h.kind, h.doc_sense) for h in found] == [("other sense", "bank: sloping land"),
                                                      ("same word", "sense unclear")]
    assert found[1].confidence == pytest.approx(0.1, abs=0.01)  # its own margin, not the pooled one
