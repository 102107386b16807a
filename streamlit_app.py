"""SenseSearch in the browser: search by meaning, see why each document matched.

Run with `streamlit run streamlit_app.py [-- --data-dir DIR]`. This file only
lays out the page; the work happens in `indexing` and `search`.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterable

# Before torch loads: OpenMP threads that spin while waiting made ELMo encoding
# ten times slower on a busy 2-core machine.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import streamlit as st  # noqa: E402

from indexing.demo import DemoCorpus  # noqa: E402
from indexing.errors import IndexCorruptError, IndexVersionError, SenseSearchError, UnsupportedFileError
from indexing.index import Index, data_dir
from indexing.ingest import SUPPORTED_SUFFIXES, TABLE_SUFFIXES, Columns, column_choices, read_uploads
from indexing.progress import UPLOAD_STAGES
from indexing.text import KOREAN_ANALYSER, analysers
from search.benchmarks import method_figures
from search.engine import HYBRID, MAX_K, SearchEngine
from search.hybrid import HYBRID_CONFIG, KEYWORD_RUNS, NORMS, HybridConfig, offers_hybrid, run_label
from app_results import render_results
from app_style import apply_style
from app_train import progress_bar, retrain_ui, tune_ui
from app_views import compare_ui, delete_ui, meanings_ui, word_senses_ui

logger = logging.getLogger("sensesearch.app")


def main() -> None:
    # The sidebar starts closed: six results columns need the screen's width.
    st.set_page_config(page_title="SenseSearch", page_icon="🔎", layout="wide", initial_sidebar_state="collapsed")
    apply_style()
    st.title("SenseSearch")
    st.caption("Search your documents by meaning, and see which words matched. Add, retrain and delete "
               "documents in the sidebar (open it at the top left).")
    directory = data_dir_argument()
    index = load_index(directory)
    ensure_index_ui(index)
    engine = search_engine(directory)
    with st.sidebar:
        status = index.status()
        render_status(status)
        upload_ui(index)
        retrain_ui(index, status["unread_senses"])
        tune_ui(index)
        delete_ui(index)
    query, k, sources = query_ui(engine)
    # Only the open tab runs: the word map reads up to 150 sentences with the
    # biLM, which no search should wait for.
    search_tab, senses_tab = st.tabs(["Search", "Word senses"], key="view", on_change="rerun")
    if senses_tab.open:
        with senses_tab:
            word_senses_ui(index, query)
        return
    with search_tab:
        if not query.strip():
            st.info("Type a query above, for example: *bushfires near Sydney* or *interest rates and inflation*.")
            return
        methods = engine.methods
        # The settings panels side by side: one row above the results, so that
        # at 1280x800 every column's first result shows without scrolling.
        left, middle, right = st.columns(3)
        with left:
            meanings = meanings_ui(engine, query)
        with middle:
            hybrid = hybrid_ui(engine.index.methods) if HYBRID in methods else HYBRID_CONFIG
        with right:
            weights = layer_weights_ui(engine)
        render_results(engine.search_all(query, methods, k, layer_weights=weights, hybrid=hybrid, sources=sources,
                                         meanings=meanings), engine, hybrid)
        compare_ui(engine, query, k)


def data_dir_argument() -> str:
    """`--data-dir` after `streamlit run streamlit_app.py --`, else
    $SENSESEARCH_DATA_DIR, else ./data; resolved, so it keys the cache."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data-dir")
    args, _ = parser.parse_known_args(sys.argv[1:])
    return str(data_dir(args.data_dir))


@st.cache_resource(show_spinner=False)
def search_engine(directory: str) -> SearchEngine:
    """One engine per index, shared like it: it keeps the occurrences its
    explanations read in context, which later queries' passages reuse."""
    return SearchEngine(load_index(directory))


@st.cache_resource(show_spinner=False)
def load_index(directory: str) -> Index:
    """One Index shared by every browser session (it is thread-safe). An
    index it cannot read stays unloaded; `ensure_index_ui` says why."""
    index = Index(directory)
    try:
        index.load_existing()
    except (IndexVersionError, IndexCorruptError) as error:
        logger.warning("%s", error)
    return index


def ensure_index_ui(index: Index) -> None:
    if index.exists:
        index.refresh()  # pick up a command-line upload or retrain
        return
    try:
        if index.load_existing():
            return
    except (IndexVersionError, IndexCorruptError) as error:
        rebuild_ui(index, error)
    st.info("First start: building the demo index (news stories and Wikipedia articles that ship with gensim).")
    bar, on_progress = progress_bar("Building the demo index")
    index.build_if_missing(lambda: list(DemoCorpus()), on_progress)
    bar.empty()
    st.rerun()


def rebuild_ui(index: Index, error: SenseSearchError) -> None:
    """The index cannot be read (another format version, damaged files): say
    so, and offer to train a new one over the stored documents."""
    st.error(str(error))
    if st.button("Retrain", key="rebuild", type="primary"):
        bar, on_progress = progress_bar("Retraining over the stored documents")
        index.retrain(on_progress)
        bar.empty()
        st.rerun()
    st.stop()


def query_ui(engine: SearchEngine) -> tuple[str, int, list[str]]:
    """The query, the number of results per column, and the sources searched (none chosen: all)."""
    left, middle, right = st.columns([4, 2, 1])
    query = left.text_input("Query", key="query", placeholder="What are you looking for?")
    counts = engine.sources()
    sources = middle.multiselect("Sources", list(counts), format_func=lambda s: f"{s} ({counts.get(s, 0)})",
                                 placeholder="All sources", key="sources")
    k = right.number_input("Results", min_value=1, max_value=MAX_K, value=10, step=1, key="k")
    return query, int(k), sources


def hybrid_ui(index_methods: Iterable[str]) -> HybridConfig:
    """The Hybrid column's fusion, shown with its reasons, changeable for this
    session; within the dense methods the index has."""
    with st.expander("Hybrid: how keyword and meaning are fused"):
        st.caption(" ".join(HybridConfig.__doc__.split()) + " Keyword run: BM25, or BM25 with RM3 query "
                   "expansion (the words that weigh most in BM25's first documents join the query). Its weight: "
                   "keywords alone beat our dense methods, so they lead. Feedback: DBOW and DM infer a short "
                   "query poorly, so each one's vector moves toward the vectors of the keyword run's first "
                   "documents before it ranks.")
        left, middle, right = st.columns(3)
        bm25_weight = left.slider("Keyword run's weight (the meaning runs share the rest)", 0.0, 1.0,
                                  HYBRID_CONFIG.bm25_weight, 0.05, key="hybrid-bm25-weight")
        present = HYBRID_CONFIG.within(index_methods)  # the meaning runs this index has
        shares = [left.slider(f"{method.upper()}'s share of the meaning runs", 0.0, 1.0, share, 0.05,
                              key=f"hybrid-share-{method}", help="The shares are scaled to sum to 1.")
                  for method, share in zip(present.dense_methods, present.dense_shares)]
        norm = left.selectbox("Score normalisation", NORMS, index=NORMS.index(HYBRID_CONFIG.norm), key="hybrid-norm")
        feedback_depth = middle.slider(f"Feedback documents ({HYBRID_CONFIG.feedback_from.upper()}'s top)", 0, 20,
                                       HYBRID_CONFIG.feedback_depth, key="hybrid-feedback-depth")
        query_weight = middle.slider("Query's own share of each meaning run's vector", 0.0, 1.0,
                                     HYBRID_CONFIG.query_weight, 0.05, key="hybrid-query-weight")
        depth = right.slider("Documents fused from each ranking", 10, MAX_K, HYBRID_CONFIG.depth, 10,
                             key="hybrid-depth")
        lexical = right.selectbox("Keyword run", list(KEYWORD_RUNS), index=list(KEYWORD_RUNS).index(HYBRID_CONFIG.lexical),
                                  format_func=run_label, key="hybrid-lexical")
    if sum(shares) <= 0:
        st.warning("Every meaning run's share is 0; using the default shares.")
        shares = list(present.dense_shares)
    return HybridConfig(bm25_weight=bm25_weight, norm=norm, feedback_depth=feedback_depth, query_weight=query_weight,
                        depth=depth, lexical=lexical, dense_methods=present.dense_methods,
                        dense_shares=tuple(share / sum(shares) for share in shares))


def layer_weights_ui(engine: SearchEngine) -> list[float] | None:
    """Sliders for the weight of each ELMo layer (normalised to sum to 1)."""
    elmo = next((m for m in engine.index.methods.values() if m.layers), None)
    if elmo is None:
        return None
    with st.expander("ELMo layer weights"):
        st.caption(elmo.layers_help)
        columns = st.columns(len(elmo.layers))
        weights = [column.slider(name, 0.0, 1.0, float(default), 0.05, key=f"layer-{i}")
                   for i, (column, name, default) in enumerate(zip(columns, elmo.layers, elmo.default_weights))]
    if sum(weights) <= 0:
        st.warning("All ELMo layer weights are 0; using the default mix.")
        return None
    return weights


def render_status(status: dict) -> None:
    st.header("Index")
    st.metric("Documents", f"{status['documents']:,}")
    st.caption(f"{status['words']:,} words · data in `{status['data_dir']}`")
    trained = status.get("trained")
    if trained:
        st.caption(f"Models trained {trained['at']} on {trained['documents']:,} documents "
                   f"({trained['words']:,} words).")
    figures = method_figures()

    def measured(name: str) -> str:
        found = " · ".join(f"{figure} {value:.3f}" for figure, value in figures.get(name, {}).items())
        return f" · benchmark: {found}" if found else ""

    if offers_hybrid(status["methods"]):
        hybrid = HYBRID_CONFIG.within(status["methods"])
        runs = ["BM25", *(method.upper() for method in hybrid.dense_methods)]
        st.caption(f"**{hybrid.label}**: no index of its own; fuses the "
                   f"{', '.join(runs[:-1])} and {runs[-1]} runs" + measured(HYBRID))
    for name, facts in status["methods"].items():
        st.caption(f"**{facts.get('label', name)}**: {facts['index']}" + measured(name))
    st.caption("Benchmark figures: `python -m bench quality` (nDCG@10 on test queries; Lee r: agreement with "
               "human similarity ratings). DM predicts each next word from its context plus the document; "
               "DBOW predicts the document's words from the document alone.")


def upload_ui(index: Index) -> None:
    st.header("Add documents")
    files = st.file_uploader("Files", type=[s.lstrip(".") for s in SUPPORTED_SUFFIXES],
                             accept_multiple_files=True, key="upload")
    columns = {f.name: table_columns_ui(f) for f in files or [] if f.name.lower().endswith((*TABLE_SUFFIXES, ".jsonl"))}
    if files and st.button("Add to index", key="add", type="primary"):
        documents, errors = read_uploads(((f.name, f.getvalue()) for f in files), columns)
        bar, on_progress = progress_bar("Indexing uploads", UPLOAD_STAGES)
        report = index.add_documents(documents, on_progress) if documents else None
        bar.empty()
        st.session_state["upload_messages"] = upload_messages(report, errors, documents)
        st.rerun()  # redraw the status above with the new counts
    for level, message in st.session_state.pop("upload_messages", []):
        getattr(st, level)(message)


def table_columns_ui(file) -> Columns | None:
    try:
        names, guess = column_choices(file.name, file.getvalue())
    except UnsupportedFileError as error:
        st.warning(str(error))
        return None
    text = st.selectbox(f"Text column of {file.name}", names, index=names.index(guess.text) if guess.text else 0,
                        key=f"text-{file.name}")
    titles = ["(none)", *names]
    title = st.selectbox(f"Title column of {file.name}", titles,
                         index=titles.index(guess.title) if guess.title else 0, key=f"title-{file.name}")
    return Columns(text=text, title=None if title == "(none)" else title)


def upload_messages(report, errors: list[str], documents=()) -> list[tuple[str, str]]:
    messages = [("error", e) for e in errors]
    if report is not None:
        messages += [("error", e) for e in report.errors]
        if report.added:
            messages.append(("success", f"Added {len(report.added)} document(s); they are searchable now. Until "
                             "you retrain, DM and DBOW show them only for queries that share one of their words."))
            korean = sum(KOREAN_ANALYSER in analysers(d.text) for d in documents)
            if korean:
                messages.append(("info", f"{korean} of the uploaded documents hold Korean text, read as morphemes by Kiwi "
                                 "(금리가 and 금리를 both meet 금리)."))
        if report.duplicates:
            messages.append(("info", "Already in the index, not added again: " + ", ".join(report.duplicates)))
    return messages


if __name__ == "__main__":
    try:
        main()
    except SenseSearchError as error:
        st.error(str(error))
    except Exception:  # noqa: BLE001 - the user sees a message, the log keeps the traceback
        logger.exception("unexpected error")
        st.error("Something went wrong; the details are in the server log. Your documents are safe.")
