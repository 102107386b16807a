"""The results columns: one column per method, one card per hit with its
matched passage, and the whole document of a hit opened in a dialog with
that passage marked and scrolled to. Laid out here, computed in `search/`
(`search.engine` ranks, `search.render` marks); `streamlit_app.py` calls
`render_results`."""
from __future__ import annotations

import streamlit as st

from indexing.text import WORD_ANALYSER
from search.engine import EXPLAINING_METHOD, HYBRID, SearchEngine
from search.hits import Hit
from search.hybrid import HYBRID_CONFIG, HybridConfig, run_label, run_name
from search.render import CARD_CHARS, document_html, legend_html, literal_markdown, passage_html


def render_results(results: dict[str, list[Hit] | str], engine: SearchEngine,
                   hybrid: HybridConfig = HYBRID_CONFIG) -> None:
    found = [{h.doc_id for h in hits} for hits in results.values() if not isinstance(hits, str)]
    # "Found by all" counts the columns shown: a column that answered with a message found nothing.
    in_all = set.intersection(*found) if len(found) == len(results) > 1 else set()
    if EXPLAINING_METHOD in engine.index.methods:
        st.markdown(f'<div class="legend">Matched words: {legend_html()}</div>', unsafe_allow_html=True)
    columns = st.columns(len(results))
    for column, (name, hits) in zip(columns, results.items()):
        with column:
            st.subheader(hybrid.label if name == HYBRID else engine.label(name))
            if isinstance(hits, str):
                st.warning(hits)
            elif not hits:
                st.info("No results.")
            for hit in [] if isinstance(hits, str) else hits:
                render_hit(hit, len(results) if hit.doc_id in in_all else 0, engine, hybrid)


def render_hit(hit: Hit, found_by_all: int, engine: SearchEngine, hybrid: HybridConfig = HYBRID_CONFIG) -> None:
    badge = f" · :green-background[found by all {found_by_all} columns]" if found_by_all else ""
    with st.container(border=True, key=f"hit-{hit.method}-{hit.rank}"):
        st.markdown(f"**{hit.rank}. {literal_markdown(hit.title)}**")
        # Which analyser read the document, where it is not only the default one
        # (every card of an English collection saying so was noise; the JSON keeps it).
        read_as = f" · read as {' + '.join(hit.analysers)}" if set(hit.analysers) - {WORD_ANALYSER} else ""
        st.caption(f"score {hit.score:.3f} · doc {hit.doc_id} · {literal_markdown(hit.source)}{read_as}{badge}")
        if hit.ranks:  # Hybrid's hits, and the Senses column's, which weighs Hybrid's ranking
            caption, tooltip = found_by(hit, hybrid)
            st.caption(caption, help=tooltip)
        if hit.moved:  # the Senses column moved it (search/sense_rank.py, sense_order.py)
            st.caption(hit.moved)
        if hit.passage is not None:
            st.markdown(f'<div class="passage">{passage_html(hit.passage, CARD_CHARS)}</div>',
                        unsafe_allow_html=True)
            senses = [h for h in hit.passage.highlights if h.doc_sense or h.query_sense]
            if senses:
                st.caption(" · ".join(
                    f"{literal_markdown(h.word)}: {h.kind} ({literal_markdown(h.doc_sense or h.word)})"
                    for h in senses))
        if st.button("Open document", key=f"open-{hit.method}-{hit.doc_id}", type="tertiary",
                     icon=":material/article:"):
            read_document(engine, hit)


def found_by(hit: Hit, hybrid: HybridConfig = HYBRID_CONFIG) -> tuple[str, str]:
    """Where a Hybrid hit came from, short enough for a narrow card ("found
    by RM3 #2 · DBOW #1 (not by DM)"), and the caption's tooltip that says
    what the runs are: its rank in the keyword run (BM25, or BM25 with RM3
    query expansion: words matched) and in each dense run (DBOW, DM: found by
    meaning) that is fused (its weight above 0)."""
    runs = [run for run, weight in hybrid.weights.items() if weight > 0]
    found = " · ".join(f"{run_name(run)} #{hit.ranks[run]}" for run in runs if run in hit.ranks)
    missed = [run_name(run) for run in runs if run not in hit.ranks]
    caption = f"found by {found}" + (f" (not by {', '.join(missed)})" if missed else "")
    tooltip = ("Its rank in each ranking the Hybrid fuses: " + "; ".join(f"{run_name(run)}: {run_label(run)}"
                                                                         for run in runs)
               + f". A ranking named after 'not by' did not return it in its first {hybrid.depth}.")
    return caption, tooltip


@st.dialog("The whole document", width="large")
def read_document(engine: SearchEngine, hit: Hit) -> None:
    """The hit's document in full, its passage marked and scrolled into view."""
    document = engine.index.store.get(hit.doc_id)
    if document is None:
        st.info("This document has been deleted since the search.")
        return
    st.markdown(f"**{literal_markdown(document.title)}**")
    st.caption(f"doc {document.id} · {literal_markdown(document.source)} · {document.n_words:,} words · "
               f"found by {literal_markdown(engine.label(hit.method))}, rank {hit.rank}; "
               "the matched passage is marked.")
    st.html(document_html(document.text, hit.passage, f"passage-{hit.method}-{hit.doc_id}"),
            unsafe_allow_javascript=True)
