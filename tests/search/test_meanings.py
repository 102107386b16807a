"""The meaning a user says a query word has (`search/meanings.py`): listed
with the page's reading, followed by the verdicts and the Senses column,
refused with the choices when it names no sense; on the command line too."""
from __future__ import annotations

import json

import pytest

from indexing.errors import InvalidQueryError
from search.__main__ import main as search_main
from search.engine import SearchEngine

RIVER = {"river_bank_fishing", "flood_erosion", "A cosy riverside cafe", "Council approves footbridge over the river"}
MONEY = {"central_bank_inflation", "mortgage_rates", "small_business_loan", "savings_account",
         "Central bank holds interest rates steady"}


def verdicts(engine: SearchEngine, query: str, meanings: dict[str, str], method: str = "senses") -> dict[str, set]:
    """Title -> the kinds of the highlights on the query's "bank" in each of ``method``'s hits."""
    return {hit.title: {h.kind for h in hit.passage.highlights if h.query_word == "bank"}
            for hit in engine.search(query, method, k=12, meanings=meanings)}


def chosen_marks(engine: SearchEngine, query: str, meanings: dict[str, str]) -> set[bool]:
    """Whether each sense verdict on the query's "bank" says its sense is the user's choice."""
    return {h.query_chosen for hit in engine.search(query, "senses", k=12, meanings=meanings)
            for h in hit.passage.highlights if h.query_word == "bank" and h.kind in ("same sense", "other sense")}


def test_a_query_word_of_several_senses_is_listed_with_its_senses_and_its_reading(engine: SearchEngine) -> None:
    alone, = engine.query_meanings("bank")
    assert alone.word == "bank" and alone.read is None and alone.confidence is None  # nothing around it to read
    labels = [sense.label for sense in alone.senses]
    assert {"sloping land", "financial institution"} <= set(labels)
    assert alone.senses[0].pos == "noun" and alone.senses[-1].pos != "noun"  # nouns first
    read = {m.word: m for m in engine.query_meanings("fishing from the river bank")}["bank"]
    assert read.read is not None and read.read.label == "sloping land" and read.confidence > 0


@pytest.mark.parametrize("meaning, same, other", [("sloping land", RIVER, MONEY),
                                                   ("financial institution", MONEY, RIVER)])
def test_the_verdicts_and_the_senses_column_follow_the_chosen_meaning(engine: SearchEngine, meaning: str,
                                                                       same: set, other: set) -> None:
    unread = verdicts(engine, "bank", {})
    assert not any(kinds & {"same sense", "other sense"} for kinds in unread.values())  # alone: no reading
    chosen = verdicts(engine, "bank", {"bank": meaning})
    assert any("same sense" in chosen.get(title, ()) for title in same)
    assert any("other sense" in chosen.get(title, ()) for title in other)
    assert not any("same sense" in chosen.get(title, ()) for title in other)  # never a wrong verdict
    assert not any("other sense" in chosen.get(title, ()) for title in same)
    assert next(iter(chosen)) in same  # the Senses column ranks a document of that sense first
    (listed,) = engine.query_meanings("bank", {"BANK": meaning.upper()})  # any case
    assert listed.chosen.label == meaning and listed.read is None
    assert chosen_marks(engine, "bank", {"bank": meaning}) == {True}  # the hover says the sense is the user's
    assert chosen_marks(engine, "fishing from the river bank", {}) == {False}  # the page's own reading


@pytest.mark.parametrize("meanings, message", [
    ({"bank": "zzz"}, "'bank' has no sense 'zzz'. Its senses: "),
    ({"loan": "sloping land"}, "'loan' is not a word of the query"),
    ({"erosion": "anything"}, "erosion"),
])
def test_a_meaning_that_names_no_sense_is_refused_with_the_choices(engine: SearchEngine, meanings: dict,
                                                                    message: str) -> None:
    with pytest.raises(InvalidQueryError, match=message.replace("(", r"\(").replace(".", r"\.")):
        engine.search_all("bank erosion", meanings=meanings)
    with pytest.raises(InvalidQueryError) as error:
        engine.search("bank", "hybrid", meanings={"bank": "zzz"})
    assert "sloping land" in str(error.value) and "financial institution" in str(error.value)


def test_the_command_line_lists_meanings_and_takes_one(index, capsys) -> None:
    directory = str(index.directory)
    assert search_main(["bank", "--meanings", "--json", "--data-dir", directory]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["word"] == "bank" and listed["read"] is None
    assert {"sloping land", "financial institution"} <= {s["label"] for s in listed["senses"]}
    assert search_main(["bank", "--method", "senses", "--k", "3", "--meaning", "bank=sloping land", "--json",
                        "--data-dir", directory]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["title"] in RIVER
    assert search_main(["bank", "--meaning", "bank=zzz", "--data-dir", directory]) == 2
    assert capsys.readouterr().err.startswith("error: 'bank' has no sense 'zzz'.")
    with pytest.raises(SystemExit):  # argparse: a usage line, not a traceback
        search_main(["bank", "--meaning", "bank", "--data-dir", directory])
    assert "expected WORD=SENSE" in capsys.readouterr().err
