"""The app's views beside the results columns: the meanings of the query's
words, DM against DBOW on the current query, the word-senses tab, and
deleting a document. Laid out here, computed in `search/` (`search.meanings`,
`search.compare`, `search.word_senses`); `streamlit_app.py` calls them."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import search.word_senses as word_senses  # called through the module: tests replace its functions
from indexing.errors import SenseSearchError
from indexing.index import Index
from search.compare import compare_rankings
from search.engine import EXPLAINING_METHOD, MAX_K, SearchEngine
from search.render import literal_markdown
from search.word_senses import Occurrences, WordMap


def meanings_ui(engine: SearchEngine, query: str) -> dict[str, str]:
    """A choice of sense for each query word the dictionary gives several
    (`search/meanings.py`): the page's reading by default, or the sense the
    user means, which the verdicts and the Senses column then follow.
    Returns word -> the chosen sense's label, for `SearchEngine.search_all`."""
    try:
        found = engine.query_meanings(query)
    except SenseSearchError:
        return {}  # the search says what is wrong with the query
    if not found:
        return {}
    unclear = [m.word for m in found if m.read is None]
    # A short title: the expander shares a row with the other settings panels.
    title = ("Word meanings" if not unclear else f"Word meanings: {unclear[0]} unclear" if len(unclear) == 1
             else f"Word meanings: {len(unclear)} unclear")
    chosen = {}
    with st.expander(title):
        st.caption("Words the dictionary gives several senses. The page reads each from the words around it; "
                   "choose the sense you mean, and the verdicts and the Senses column follow your choice.")
        for meaning in found:
            as_read = (f"as read: {meaning.read.label} (margin {meaning.confidence:.2f})" if meaning.read
                       else "as read: sense unclear")
            senses = meaning.senses
            pick = st.selectbox(meaning.word, range(-1, len(senses)), key=f"meaning-{query}-{meaning.word}",
                                format_func=lambda i, s=senses, a=as_read: a if i < 0 else f"{s[i].label} ({s[i].pos})")
            if pick >= 0:
                chosen[meaning.word] = senses[pick].label
                st.caption(literal_markdown(senses[pick].definition))
    return chosen


def compare_ui(engine: SearchEngine, query: str, k: int) -> None:
    """DM against DBOW on this query: shared documents, rank correlation,
    each document's rank in both, and a plot of one rank against the other."""
    if not {"dm", "dbow"} <= set(engine.index.methods):
        return
    # Only while open: it ranks the query again with both modes, 100 deep,
    # which no search should wait for.
    with st.expander("DM vs DBOW on this query", key="compare", on_change="rerun") as panel:
        if not panel.open:
            return
        st.caption("DM predicts each next word from its context plus the document vector, so it weighs word order "
                   "and local context; DBOW predicts the document's words from the document vector alone, a bag "
                   "of words. Where they disagree, that is why.")
        if weight := engine.index.method("dbow").hub_weight:
            st.caption(f"DBOW's scores are cosines scaled down by up to {weight:.0%} for documents that sit where "
                       "many queries of this collection fall, so a topic's most generic story does not top every "
                       "query about it (a hub penalty).")
        try:
            dm, dbow = ([h.doc_id for h in engine.search(query, name, MAX_K, passages=False)] for name in ("dm", "dbow"))
        except SenseSearchError as error:
            st.info(str(error))
            return
        found = compare_rankings(dm, dbow, k)
        left, right = st.columns(2)
        left.metric(f"Shared in the top {k}", f"{found.shared} of {k}")
        right.metric("Rank correlation (Spearman)", "-" if found.spearman is None else f"{found.spearman:+.2f}")
        titles = engine.index.store.get_many([p.doc_id for p in found.pairs])
        frame = pd.DataFrame([{"document": titles[p.doc_id].title if p.doc_id in titles else f"doc {p.doc_id}",
                               "DM rank": p.rank_a or MAX_K + 1, "DBOW rank": p.rank_b or MAX_K + 1}
                              for p in found.pairs])
        st.caption(f"Rank {MAX_K + 1}: beyond the other mode's first {MAX_K}.")
        render_rank_plot(frame)
        st.dataframe(frame, hide_index=True)


def render_rank_plot(frame: pd.DataFrame) -> None:
    import altair as alt

    chart = alt.Chart(frame).mark_circle(size=80).encode(
        x=alt.X("DM rank", scale=alt.Scale(type="log")), y=alt.Y("DBOW rank", scale=alt.Scale(type="log")),
        tooltip=["document", "DM rank", "DBOW rank"])
    st.altair_chart(chart, width="stretch")


def word_senses_ui(index: Index, query: str) -> None:
    senses = index.methods.get(EXPLAINING_METHOD)
    if senses is None:
        st.info("This index has no sense inventory; retrain to build one.")
        return
    choices = word_senses.word_choices(senses, query)
    if not choices:
        st.info("No word occurs often enough in this collection to have senses yet.")
        return
    words, ambiguous = word_senses.inventory_size(senses)
    st.caption(f"{words:,} words have a sense inventory; {ambiguous:,} of them have more than one sense. "
               "Your query's words are listed first, then the other words with several senses; "
               "type the start of a word to find it.")
    if st.session_state.get("sense-query") != query:
        # A new query opens on its own first word, not on the word picked for the last one.
        st.session_state["sense-query"] = query
        st.session_state.pop("sense-word", None)
    # Prefix matching: Streamlit's default fuzzy match offers any word holding
    # the typed letters in order, so "ban" found "albania" (the demo has no "bank").
    word = st.selectbox("Word", choices, index=0, key="sense-word", filter_mode="prefix")
    live = index.snapshot()
    occurrences = cached_occurrences(index, index.directory.as_posix(), live.name, live.revision, word)
    render_word_map(word_senses.word_map(occurrences, senses, query))


@st.cache_data(max_entries=64, show_spinner="Reading the word in context…")
def cached_occurrences(_index: Index, directory: str, generation: str, revision: int, word: str) -> Occurrences:
    """The word's occurrences read in context, cached per data directory,
    index generation and revision, and word (not per query: the query's own
    occurrence is placed on the map afresh, from the reading the search
    already made). `_index` is not part of the key (Streamlit skips
    parameters named with a leading underscore)."""
    return word_senses.word_occurrences(_index.store, _index.methods[EXPLAINING_METHOD], word)


def bold_word(text: str, start: int, end: int) -> str:
    """``text`` as literal markdown with ``text[start:end]`` in bold, keeping
    the spaces around it (``literal_markdown`` trims each piece's ends)."""
    before, word, after = text[:start], text[start:end], text[end:]
    return (literal_markdown(before) + (" " if before[-1:].isspace() else "") + f"**{literal_markdown(word)}**"
            + (" " if after[:1].isspace() else "") + literal_markdown(after))


def render_word_map(found: WordMap) -> None:
    for sense in found.senses:
        definition = f": {literal_markdown(sense.definition)}" if sense.definition else ""
        if sense.example:
            st.markdown(f"**{literal_markdown(sense.name)}**{definition}. {sense.count} occurrences in the sample. "
                        f"Example: {bold_word(sense.example, *sense.example_span)}")
        else:
            st.markdown(f"**{literal_markdown(sense.name)}**{definition}. Your query's sense; no occurrence in the "
                        "sample was read clearly as it.")
    if found.unseen:
        st.caption(f"{found.unseen} more dictionary sense{'s' if found.unseen > 1 else ''} of "
                   f"*{literal_markdown(found.word)}*: none of the sample's occurrences was read clearly as "
                   f"{'them' if found.unseen > 1 else 'it'}.")
    if found.query_sense:
        st.caption(f"In your query, *{literal_markdown(found.word)}* reads as {literal_markdown(found.query_sense)}.")
    if not found.points:
        st.info("No occurrence of this word in the stored documents.")
        return
    import altair as alt

    frame = pd.DataFrame([vars(p) for p in found.points])
    frame["marker"] = ["query" if s == "query" else "corpus" for s in frame["sense"]]
    chart = alt.Chart(frame).mark_point(filled=True).encode(
        x=alt.X("x", title="1st principal component"), y=alt.Y("y", title="2nd principal component"),
        color=alt.Color("sense", title="sense"), shape=alt.Shape("marker", title=""),
        size=alt.condition(alt.datum.marker == "query", alt.value(300), alt.value(50)),
        tooltip=["sense", "title", "context"])
    st.altair_chart(chart, width="stretch")
    st.caption(f"{len(found.points)} occurrences of *{literal_markdown(found.word)}* in the collection, "
               "placed by their contextual vectors; the larger mark is your query's."
               + (" Senses from the dictionary (WordNet 3.0); an occurrence that neither our biLM nor the words "
                  "around it place clearly is marked 'sense unclear'." if any(s.definition for s in found.senses)
                  else ""))


def delete_ui(index: Index) -> None:
    """Pick a document, press Delete, then confirm: the confirmation names the
    document and is disarmed as soon as the selection changes."""
    st.header("Delete a document")
    if message := st.session_state.pop("delete_message", None):
        st.success(message)
    wanted = st.text_input("Find by title", key="delete-filter")
    titles = index.store.titled(wanted)
    if not titles:
        st.caption("No matching document.")
        return
    doc_id = st.selectbox("Document", list(titles)[:200], format_func=lambda i: f"{titles[i]} (doc {i})",
                          key="delete-choice")
    title = titles[doc_id]
    armed = st.session_state.get("delete-armed")
    if armed != doc_id:
        st.session_state.pop("delete-armed", None)
        if st.button("Delete", key="delete"):
            st.session_state["delete-armed"] = doc_id
            st.rerun()
        return
    st.warning(f"Delete “{literal_markdown(title)}” (doc {doc_id}) from the store and every index? "
               "This cannot be undone.")
    confirm, cancel = st.columns(2)
    if confirm.button("Yes, delete it", key="delete-confirm", type="primary"):
        st.session_state.pop("delete-armed", None)
        deleted = index.delete(doc_id)
        st.session_state["delete_message"] = (f"Deleted: {literal_markdown(title)}" if deleted
                                              else f"{literal_markdown(title)} was already deleted.")
        st.rerun()
    if cancel.button("Cancel", key="delete-cancel"):
        st.session_state.pop("delete-armed", None)
        st.rerun()
