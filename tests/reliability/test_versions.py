"""Index format versions: every past format in tests/data/index-format-<N>
still loads and answers as it did when it was written; an index of a format
this SenseSearch cannot read is refused with a message that says what to do,
and the app offers the fix (retrain over the stored documents)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from indexing.errors import IndexVersionError
import indexing.index
import indexing.reconcile
import indexing.updates
from indexing.index import Index
from indexing.manifest import FORMAT_VERSION
from search.engine import SearchEngine
from tests.reliability.checks import NEW_DOCUMENTS, assert_whole, current_generation, top_hit

DATA = Path(__file__).resolve().parents[1] / "data"
PAST_FORMATS = sorted(DATA.glob("index-format-*"), key=lambda p: int(p.name.rsplit("-", 1)[1]))
APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def test_there_is_a_fixture_for_every_format_up_to_the_current_one() -> None:
    assert [int(p.name.rsplit("-", 1)[1]) for p in PAST_FORMATS] == list(range(1, FORMAT_VERSION + 1))


@pytest.mark.parametrize("fixture", PAST_FORMATS, ids=[p.name for p in PAST_FORMATS])
def test_an_index_of_each_past_format_loads_and_answers_as_when_it_was_written(
        fixture: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = shutil.copytree(fixture, tmp_path / "data")  # never touch the committed files
    expected = json.loads((data / "expected.json").read_text())
    for module in (indexing.reconcile, indexing.updates):  # a repair's encoding, an upload's
        monkeypatch.setattr(module, "encode", lambda *args: pytest.fail("loading re-encoded documents"))
    index = Index.open(data)
    monkeypatch.undo()
    assert index.status()["format_version"] == FORMAT_VERSION  # read as the current format (or upgraded to it)
    assert index.store.counts()[0] == expected["documents"]
    engine = SearchEngine(index)
    for method, queries in expected["hits"].items():
        for query, hits in queries.items():
            found = [[h.doc_id, h.title, h.score] for h in engine.search(query, method, 3)]
            assert [h[:2] for h in found] == [h[:2] for h in hits], (method, query)
            assert [h[2] for h in found] == pytest.approx([h[2] for h in hits], abs=2e-3)
    # It takes uploads, and stays readable after them.
    [new_id] = index.add_documents([NEW_DOCUMENTS[0]]).added
    assert top_hit(index, NEW_DOCUMENTS[0].text) == new_id
    assert_whole(Index.open(data))


def _set_format(data: Path, version: object) -> None:
    path = data / "indexes" / current_generation(data) / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "format_version": version}))


@pytest.mark.parametrize("version, who", [
    (FORMAT_VERSION + 1, "written by a newer SenseSearch; upgrade SenseSearch to read it, or rebuild it with this one"),
    (0, "written by an older SenseSearch; rebuild it"),
    (None, "written by an unknown program; rebuild it"),
])
def test_an_index_of_another_format_is_refused_with_what_to_do(fresh_copy: Path, version, who: str) -> None:
    _set_format(fresh_copy, version)
    with pytest.raises(IndexVersionError) as refused:
        Index.open(fresh_copy)
    message = str(refused.value)
    assert f"has format version {version}, {who}." in message
    assert f"reads version {FORMAT_VERSION}" in message
    assert "Your documents are safe in the store" in message
    assert "press 'Retrain' in the app" in message and "python -m indexing build --source ..." in message


def test_the_app_shows_the_refusal_and_retrains_into_the_current_format(fresh_copy: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _set_format(fresh_copy, FORMAT_VERSION + 1)
    monkeypatch.setenv("SENSESEARCH_DATA_DIR", str(fresh_copy))
    app = AppTest.from_file(APP, default_timeout=120).run()
    assert not app.exception
    assert any(f"has format version {FORMAT_VERSION + 1}" in e.value for e in app.error)
    app.button(key="rebuild").click().run()
    assert not app.exception and not app.error
    app.text_input(key="query").input("bank loan interest").run()
    assert not app.exception and any("**1. " in m.value for m in app.markdown)
    reopened = Index.open(fresh_copy)
    assert reopened.status()["format_version"] == FORMAT_VERSION and reopened.store.counts()[0] == 33
    assert_whole(reopened)
