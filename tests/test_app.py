"""The Streamlit app through `streamlit.testing.v1.AppTest`, on a copy of the
session's tiny index."""
from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from indexing.index import Index
from search.hybrid import HYBRID_CONFIG, run_name
from search.render import literal_markdown

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


@pytest.fixture
def app(copy_index, tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("SENSESEARCH_DATA_DIR", str(copy_index(tmp_path / "data")))
    return AppTest.from_file(APP, default_timeout=120).run()


def _column_texts(app: AppTest) -> dict[str, str]:
    """Heading of each results column -> all the markdown under it."""
    texts = {}
    for column in app.columns:
        headings = [h.value for h in column.subheader]
        if headings:
            texts[headings[0]] = "\n".join(m.value for m in column.markdown)
    return texts


def test_senses_read_with_older_models_can_be_read_again_from_the_sidebar(copy_index, tmp_path, monkeypatch):
    data = copy_index(tmp_path / "data")
    store = Index.open(data).store
    store.put_readings("an older inventory", {doc_id: b"" for doc_id in store.document_ids()[:2]})
    monkeypatch.setenv("SENSESEARCH_DATA_DIR", str(data))
    app = AppTest.from_file(APP, default_timeout=120).run()
    assert any(c.value.startswith("The senses of 2 documents are read") for c in app.sidebar.caption)
    app.button(key="read-senses").click().run()
    assert not app.exception
    assert [s.value for s in app.success] == ["Read and kept the senses of 2 documents."]
    assert not any(c.value.startswith("The senses of") for c in app.sidebar.caption)


def test_without_a_query_the_app_asks_for_one(app):
    assert not app.exception
    assert any("Type a query" in i.value for i in app.info)
    assert app.sidebar.metric[0].value == "33"


def test_a_query_fills_every_column(app):
    app.text_input(key="query").input("interest rates inflation central bank").run()
    assert not app.exception
    columns = _column_texts(app)
    assert list(columns) == [HYBRID_CONFIG.label, "BM25", "Doc2Vec DM", "Doc2Vec DBOW", "ELMo", "Senses"]
    for label, text in columns.items():
        assert "**1. " in text and "**2. " in text, f"{label} shows ranked results"
    assert "Central bank" in columns["Doc2Vec DBOW"] or "central bank" in columns["Doc2Vec DBOW"].lower()
    assert any('<mark class="match' in text for text in columns.values()), "matched words are highlighted"


def _titles(markdown: str) -> list[str]:
    """The hits' titles, as written (the page escapes markdown: flood\\_erosion)."""
    return [re.sub(r"\\(.)", r"\1", title) for title in re.findall(r"\*\*\d+\. (.*?)\*\*", markdown)]


def test_hybrid_hits_say_where_they_came_from_and_mark_keyword_matches(app):
    app.text_input(key="query").input("fishing on the river banks").run()
    assert not app.exception
    assert any(c.value.startswith(f"found by {run_name(HYBRID_CONFIG.lexical)} #") for c in app.caption)
    hybrid = _column_texts(app)[HYBRID_CONFIG.label]
    assert re.search(r'<mark class="match [a-z-]+ literal"[^>]*>banks?</mark>', hybrid), "keyword matches underlined"


def test_the_hybrid_weights_can_be_changed_for_the_session(app):
    app.text_input(key="query").input("interest rates inflation central bank").run()
    default = _column_texts(app)
    app.slider(key="hybrid-bm25-weight").set_value(1.0)  # BM25 alone
    app.selectbox(key="hybrid-lexical").set_value("bm25")
    app.selectbox(key="hybrid-norm").set_value("min-max").run()
    assert not app.exception
    changed = _column_texts(app)
    # The title follows the run; the meaning runs, at weight 0, are not fused.
    assert _titles(changed["Hybrid (BM25 + DBOW + DM)"]) == _titles(changed["BM25"])
    assert _titles(default[HYBRID_CONFIG.label]) != _titles(default["BM25"])


def test_the_meaning_runs_shares_can_be_changed_for_the_session(app):
    app.text_input(key="query").input("interest rates inflation central bank").run()
    found = [c.value for c in app.caption if c.value.startswith("found by")]
    assert any("DBOW #" in c for c in found) and any("DM #" in c for c in found)
    app.slider(key="hybrid-share-dbow").set_value(0.0).run()  # DM alone on the meaning side
    assert not app.exception
    found = [c.value for c in app.caption if c.value.startswith("found by")]
    assert found and not any("DBOW" in c for c in found) and any("DM #" in c for c in found)


def test_matches_are_coloured_by_sense_agreement_with_the_senses_named(app):
    app.number_input(key="k").set_value(33).run()
    app.text_input(key="query").input("bass fishing in a lake").run()
    assert not app.exception
    dbow = _column_texts(app)["Doc2Vec DBOW"]
    # The bass-guitar story is listed, and its "bass" is marked as another sense.
    assert '<mark class="match other-sense"' in dbow and '<mark class="match same-sense"' in dbow
    # The dictionary's sense names, on hover.
    assert "query: bass: lean flesh of a saltwater fish" in dbow and "here: bass: lowest part of the musical" in dbow
    assert any("other sense" in c.value for c in app.caption), "the caption names the disagreement"
    assert any("same word, another sense" in m.value for m in app.markdown), "a legend explains the colours"


def test_the_meaning_of_an_unclear_query_word_can_be_chosen(app):
    app.text_input(key="query").input("bank").run()
    assert not app.exception
    assert any(e.label == "Word meanings: bank unclear" for e in app.expander), "the unclear word is named"
    assert "query: bank: sloping land" not in _column_texts(app)["Senses"]  # "bank" alone is not read
    box = app.selectbox(key="meaning-bank-bank")
    assert box.value == -1 and box.options[0] == "as read: sense unclear"
    box.set_value(box.options.index("sloping land (noun)") - 1).run()  # the options start at -1, as read
    assert not app.exception
    senses = _column_texts(app)["Senses"]
    assert "query: bank: sloping land" in senses and '<mark class="match same-sense"' in senses
    assert _titles(senses)[0] in {"river_bank_fishing", "flood_erosion", "A cosy riverside cafe"}
    assert any(c.value.startswith("sloping land") for c in app.caption), "the chosen sense's definition"


def test_layer_weights_re_rank_elmo(app):
    app.text_input(key="query").input("bank loan interest rates").run()
    default = _column_texts(app)["ELMo"]
    for i, weight in enumerate((1.0, 0.0, 0.0)):
        app.slider(key=f"layer-{i}").set_value(weight)
    app.run()
    assert not app.exception
    assert _column_texts(app)["ELMo"] != default
    for i in range(3):
        app.slider(key=f"layer-{i}").set_value(0.0)
    app.run()
    assert any("All ELMo layer weights are 0" in w.value for w in app.warning)


def _column_of(app: AppTest, label: str):
    return next(c for c in app.columns if [h.value for h in c.subheader][:1] == [label])


def _document_views(app: AppTest) -> list:
    return [h for h in app.get("html") if "document-view" in h.proto.body]  # not the page's style


def test_a_hit_opens_its_whole_document_with_the_passage_marked_and_scrolled_to(app, index):
    app.text_input(key="query").input("fishing on the river banks").run()
    second = [b for b in _column_of(app, "BM25").button if b.key.startswith("open-")][1]
    doc_id = int(second.key.rsplit("-", 1)[1])
    assert not _document_views(app), "a document was sent before anyone asked to read it"
    second.click().run()
    assert not app.exception
    [view] = _document_views(app)
    text = index.store.get(doc_id).text
    shown, script = view.proto.body.split("<script>")
    assert html.unescape(re.sub(r"<[^>]+>", "", shown)) == text, "the whole document, every character once"
    passage = re.search(r'<span id="([^"]+)" class="hit-passage"[^>]*>(.*?)</span>', shown).groups()
    assert '<mark class="match' in passage[1], "the passage's matched words are marked"
    assert len(html.unescape(re.sub(r"<[^>]+>", "", passage[1]))) < len(text)
    assert f'getElementById("{passage[0]}")' in script and "scrollTop" in script
    assert any(f"doc {doc_id}" in c.value and "rank 2" in c.value for c in app.caption)


def test_a_source_filter_restricts_every_column(app):
    app.text_input(key="query").input("river bank interest rates").run()
    assert "news.jsonl (4)" in app.multiselect(key="sources").options
    app.multiselect(key="sources").select("news.jsonl").select("reviews.csv").run()
    assert not app.exception
    columns = [c for c in app.columns if c.subheader]
    assert len(columns) == 6
    for column in columns:
        sources = [re.search(r"· doc \d+ · (\S+)", c.value) for c in column.caption]
        sources = {m.group(1).replace("\\", "") for m in sources if m}
        assert sources and sources <= {"news.jsonl", "reviews.csv"}, column.subheader[0].value
        titles = "\n".join(m.value for m in column.markdown)
        assert "**9. " not in titles  # 4 news stories and 4 reviews
        if column.subheader[0].value in ("Doc2Vec DM", "Doc2Vec DBOW", "ELMo"):
            assert "**8. " in titles, "every document of the sources is ranked by meaning"


def _open_tab(app: AppTest, label: str) -> AppTest:
    app.session_state["view"] = label  # what a click on the tab sets (st.tabs with a key)
    return app.run()


def test_the_word_map_is_read_only_when_its_tab_is_opened_and_then_cached_by_word(app, monkeypatch):
    import search.word_senses

    read = []
    real = search.word_senses.word_occurrences
    monkeypatch.setattr(search.word_senses, "word_occurrences", lambda *a: read.append(a[-1]) or real(*a))
    app.text_input(key="query").input("river bank erosion").run()
    assert not app.exception and any("**1. " in m.value for m in app.markdown)
    assert read == [], "a search waited for the word map of a tab nobody opened"
    _open_tab(app, "Word senses")
    assert read == ["bank"] and app.get("vega_lite_chart")
    app.text_input(key="query").input("bank holiday").run()  # another query, the same word
    assert read == ["bank"] and app.get("vega_lite_chart")
    assert not any("**1. " in m.value for m in app.markdown), "the search tab's results ran while hidden"
    _open_tab(app, "Search")
    assert any("**1. " in m.value for m in app.markdown)


def test_the_word_senses_view_lists_the_querys_words_first(app):
    app.text_input(key="query").input("Erosion of the river bank?").run()
    _open_tab(app, "Word senses")
    options = app.selectbox(key="sense-word").options
    assert options[0] == "bank"  # the query's word with several senses, its punctuation aside
    in_query = [w for w in ("erosion", "river", "bank") if w in options]
    assert "river" in in_query and set(options[: len(in_query)]) == set(in_query)


def test_the_word_list_opens_on_the_new_querys_word_and_matches_by_prefix(app):
    from streamlit.proto.SelectWidgetFilterMode_pb2 import SelectWidgetFilterMode

    app.text_input(key="query").input("river bank erosion").run()
    _open_tab(app, "Word senses")
    assert app.selectbox(key="sense-word").value == "bank"
    app.selectbox(key="sense-word").set_value("river").run()
    assert app.selectbox(key="sense-word").value == "river"
    app.text_input(key="query").input("a bass guitar solo").run()  # typed while the tab is open
    assert not app.exception
    box = app.selectbox(key="sense-word")
    assert box.value == box.options[0] and box.value in ("bass", "guitar", "solo"), "kept the last query's word"
    # Typing "ban" must reach "bank", not stay on a word that merely holds b-a-n ("albania").
    assert box.proto.filter_mode == SelectWidgetFilterMode.FILTER_MODE_PREFIX


def test_the_word_senses_view_shows_senses_examples_and_a_map(app):
    app.text_input(key="query").input("river bank erosion").run()
    _open_tab(app, "Word senses")
    assert app.selectbox(key="sense-word").value == "bank"  # the query's ambiguous word
    text = "\n".join(m.value for m in app.markdown)
    # The dictionary's senses with their definitions (markdown-escaped), and examples.
    assert "**bank\\: sloping land**: sloping land" in text and "Example:" in text
    assert any("reads as bank\\: sloping land" in c.value for c in app.caption), "where the query's occurrence falls"
    assert any("more dictionary senses of" in c.value for c in app.caption), "senses the collection never uses"
    assert app.get("vega_lite_chart"), "a 2-D map of the occurrences"
    app.selectbox(key="sense-word").set_value("river").run()
    assert not app.exception


def test_dm_and_dbow_are_compared_on_the_query(app):
    app.number_input(key="k").set_value(5).run()
    app.text_input(key="query").input("bank loan interest rates").run()
    assert not app.exception
    assert not [m for m in app.metric if m.label == "Shared in the top 5"], "computed while the panel was closed"
    app.session_state["compare"] = True  # what opening the expander sets
    app.run()
    assert not app.exception
    shared = next(m for m in app.metric if m.label == "Shared in the top 5")
    assert shared.value.endswith("of 5") and 0 <= int(shared.value.split()[0]) <= 5
    correlation = next(m for m in app.metric if m.label == "Rank correlation (Spearman)")
    assert correlation.value == "-" or -1.0 <= float(correlation.value) <= 1.0
    [table] = [d for d in app.dataframe if "DM rank" in d.value.columns]
    assert set(table.value.columns) == {"document", "DM rank", "DBOW rank"} and len(table.value) >= 5
    assert (table.value[["DM rank", "DBOW rank"]].min(axis=1) <= 5).all()  # every row is in one top 5
    assert any("benchmark: " in c.value for c in app.sidebar.caption), "the status panel shows measured quality"
    [hybrid] = [c.value for c in app.sidebar.caption if c.value.startswith("**Hybrid")]
    assert "benchmark: CISI nDCG@10" in hybrid, "the default column's figures are shown too"


def test_number_of_results_is_adjustable(app):
    app.number_input(key="k").set_value(3).run()
    app.text_input(key="query").input("river flood").run()
    for text in _column_texts(app).values():
        assert "**3. " in text and "**4. " not in text


def test_empty_and_unknown_queries_get_messages_not_tracebacks(app):
    app.text_input(key="query").input("   ").run()
    assert not app.exception and any("Type a query" in i.value for i in app.info)
    app.text_input(key="query").input("zzyzx qwpq").run()
    assert not app.exception
    # Hybrid, BM25, Senses (keywords weighed by sense), DM and DBOW say why
    # they cannot answer; ELMo, which reads any string, says there is no good match.
    assert len(app.warning) == 6
    assert all("vocabulary" in w.value or "occur in the documents" in w.value or "No good match" in w.value
               for w in app.warning)
    assert sum("No good match" in w.value for w in app.warning) == 1
    app.text_input(key="query").input("the of and which").run()
    assert not app.exception
    assert sum("only common words" in w.value for w in app.warning) == 3  # BM25, Hybrid and Senses
    assert "**1. " in _column_texts(app)["ELMo"]  # the other columns still answer


def test_an_upload_becomes_searchable(app):
    text = (b"The lighthouse keeper watched the storm from the tower while the fishing boats "
            b"returned to the harbour and the river flood rose along the bank.")
    app.file_uploader(key="upload").set_value(("lighthouse.txt", text, "text/plain")).run()
    app.button(key="add").click().run()
    assert not app.exception
    assert any("Added 1 document" in s.value for s in app.success)
    assert app.sidebar.metric[0].value == "34"
    # Searching with the upload's own words must find it first: its vector was
    # inferred from them just as the query's is.
    app.text_input(key="query").input(text.decode()).run()
    for label, column in _column_texts(app).items():
        assert "**1. lighthouse**" in column, f"{label} ranks the upload first"


def test_the_same_upload_twice_is_recognised(app):
    data = ("duplicate.txt", b"A farmer sold apples and pears at the market by the river.", "text/plain")
    app.file_uploader(key="upload").set_value(data).run()
    app.button(key="add").click().run()
    app.file_uploader(key="upload").set_value(("again.txt", data[1], "text/plain")).run()
    app.button(key="add").click().run()
    assert any("Already in the index" in i.value for i in app.info)
    assert app.sidebar.metric[0].value == "34"


def test_a_bad_upload_gets_a_clear_message(app):
    app.file_uploader(key="upload").set_value(("blob.txt", b"\x00\x01\x02binary", "text/plain")).run()
    app.button(key="add").click().run()
    assert not app.exception
    assert any("binary" in e.value for e in app.error)
    assert app.sidebar.metric[0].value == "33"


def test_csv_upload_uses_the_chosen_columns(app):
    data = b"headline,body\nOwls at night,Barn owls hunt mice in the fields at night.\n"
    app.file_uploader(key="upload").set_value(("notes.csv", data, "text/csv")).run()
    app.selectbox(key="text-notes.csv").select("body").run()
    app.selectbox(key="title-notes.csv").select("headline").run()
    app.button(key="add").click().run()
    assert any("Added 1 document" in s.value for s in app.success)
    app.text_input(key="delete-filter").input("Owls").run()
    assert "Owls at night" in str(app.selectbox(key="delete-choice").options)


def test_a_table_upload_preselects_the_column_that_looks_like_text(app):
    data = b"id,dish,steps\n1,Pancakes,Whisk flour eggs and milk and fry thin cakes.\n2,Soup,Boil the stock.\n"
    app.file_uploader(key="upload").set_value(("recipes.csv", data, "text/csv")).run()
    assert app.selectbox(key="text-recipes.csv").value == "steps"  # not "id", the first column
    assert app.selectbox(key="title-recipes.csv").value == "(none)"


def test_a_document_is_deleted_only_after_confirmation(app):
    app.text_input(key="delete-filter").input("").run()
    before = app.sidebar.metric[0].value
    choice = app.selectbox(key="delete-choice")
    title = literal_markdown(choice.options[choice.index].rsplit(" (doc ", 1)[0])  # as the page writes it
    app.button(key="delete").click().run()
    assert not app.exception and not app.success
    assert any(title in w.value and "cannot be undone" in w.value for w in app.warning)
    app.run()
    assert int(app.sidebar.metric[0].value) == int(before)  # asked, not deleted
    app.button(key="delete-confirm").click().run()
    assert not app.exception
    assert any(s.value == f"Deleted: {title}" for s in app.success)
    app.run()
    assert int(app.sidebar.metric[0].value) == int(before) - 1


def test_a_delete_is_disarmed_when_the_selection_changes(app):
    app.text_input(key="delete-filter").input("").run()
    before = app.sidebar.metric[0].value
    options = app.selectbox(key="delete-choice").options
    app.button(key="delete").click().run()
    assert [b for b in app.button if b.key == "delete-confirm"]
    other = int(re.search(r"\(doc (\d+)\)$", options[1]).group(1))
    app.selectbox(key="delete-choice").set_value(other).run()
    assert not [b for b in app.button if b.key == "delete-confirm"]  # armed for the old choice only
    assert [b for b in app.button if b.key == "delete"]
    assert len(options) > 1 and int(app.sidebar.metric[0].value) == int(before)


def test_a_cancelled_delete_deletes_nothing(app):
    app.text_input(key="delete-filter").input("").run()
    before = app.sidebar.metric[0].value
    app.button(key="delete").click().run()
    app.button(key="delete-cancel").click().run()
    app.run()
    assert not app.success and int(app.sidebar.metric[0].value) == int(before)


def test_a_bold_example_word_keeps_its_spaces():
    from app_views import bold_word

    text = "the company's ability to pay"
    start = text.index("ability")
    assert bold_word(text, start, start + 7) == "the company\\'s **ability** to pay"
    assert bold_word("ability, then", 0, 7) == "**ability**\\, then"


@pytest.mark.parametrize("query", ["interest rates inflation central bank", "the of and"])
def test_found_by_all_counts_the_columns_shown(app, query):
    """A column that answers with a message (BM25 and Hybrid for a query of
    common words) found nothing: the badge once said "all 2 models" beside
    four columns."""
    app.text_input(key="query").input(query).run()
    shown = len([c for c in app.columns if c.subheader])
    badges = [re.search(r"found by all (\d+) (?:models|columns)", c.value) for c in app.caption]
    counts = {int(b.group(1)) for b in badges if b}
    assert counts <= {shown}
    if query == "the of and":
        assert any(c.warning for c in app.columns if c.subheader)  # BM25 and Hybrid answer with a message
        assert not counts


def test_a_korean_upload_is_found_by_other_inflections_and_says_how_it_was_read(app):
    text = "한국은행이 기준금리를 올렸다. 대출 금리도 함께 오르면서 가계의 이자 부담이 커졌다.".encode("utf-8")
    app.file_uploader(key="upload").set_value(("금리.txt", text, "text/plain")).run()
    app.button(key="add").click().run()
    assert not app.exception
    assert any("Korean text, read as morphemes by Kiwi" in i.value for i in app.info)
    app.text_input(key="query").input("금리가 오르면 이자는?").run()  # no word form of the text
    assert not app.exception
    columns = _column_texts(app)
    for label in (HYBRID_CONFIG.label, "BM25"):
        assert _titles(columns[label])[:1] == ["금리"], label
        assert re.search(r'<mark class="match [^"]*"[^>]*>금리</mark>', columns[label]), "the stem is marked"
    assert any("read as Korean (Kiwi morphemes)" in c.value for c in app.caption)
    assert not any("read as words" in c.value for c in app.caption)  # English hits: the default analyser goes unsaid
    # DM and DBOW learn the upload's words at the next retrain, and say so;
    # ELMo and Senses count a word of an upload as a word of the documents at once.
    assert [w.value for w in app.warning if "Retrain teaches the models their words" in w.value] == [
        f"None of the words of '금리가 오르면 이자는?' occur in the Doc2Vec {mode} model's vocabulary, so it cannot "
        "place the query; try other words. '금리', '오르다', '이자' are in documents added since the models were "
        "trained: Retrain teaches the models their words." for mode in ("DM", "DBOW")]
    assert not any("No good match" in w.value for w in app.warning)
    assert "**1. 금리**" in columns["ELMo"] and "**1. 금리**" in columns["Senses"]


def test_elmo_is_tuned_from_the_sidebar_and_a_stopped_run_can_resume(app, monkeypatch):
    import indexing.elmo.tune as tune

    one_step = tune.TuneConfig(minutes=None, epochs=0.01, pairs_per_batch=4)
    monkeypatch.setattr(tune, "TuneConfig", lambda minutes: one_step)  # a minute of training is the slider's least
    assert app.slider(key="tune-minutes").value == 10
    app.button(key="tune").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert any("ELMo tuned for 1 steps" in s.value for s in app.success)
    directory = Path(os.environ["SENSESEARCH_DATA_DIR"])
    assert len(list((directory / "models").iterdir())) == 1  # the tuned biLM ELMo now reads
    (directory / "tuning").mkdir()
    (directory / "tuning" / "checkpoint.pt").write_bytes(b"")
    app.run()
    assert app.button(key="tune").label == "Resume" and app.button(key="tune-restart")
    assert any("tuning run was stopped" in i.value for i in app.info)
