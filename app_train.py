"""The sidebar's training actions: retrain every model, and tune the ELMo
column's biLM to the stored documents; with the progress bar every long job
shows. Laid out here; the work is `Index.retrain` and `Index.tune_elmo`."""
from __future__ import annotations

import time
from collections.abc import Sequence

import streamlit as st

from indexing.index import Index
from indexing.progress import BUILD_STAGES, Estimate, OverallProgress, progress_text
from indexing.senses.readings import STAGE as READINGS_STAGE

STOP_WAIT_SECONDS = 60  # a checkpoint of the distilled biLM and its optimizer took a few seconds here
# What tuning did to the ELMo column on two collections' test queries
# (bench/results/elmo-tuning.md), told to the user before they spend the minutes.
TUNE_EFFECT = ("NFCorpus 0.065 → 0.093 nDCG@10 (significant), CISI 0.167 → 0.153 (not significant); "
               "both still far below the keyword columns")


def progress_bar(label: str, stages: Sequence[tuple[str, float]] = BUILD_STAGES):
    """A `Progress` callback drawing one Streamlit progress bar for the whole
    job (`stages`: each stage's share of it), with the time left."""
    bar = st.progress(0.0, text=label)

    def show(estimate: Estimate) -> None:
        bar.progress(estimate.fraction, text=f"{label}: {progress_text(estimate)}")

    return bar, OverallProgress(show, stages)


def retrain_ui(index: Index, unread_senses: int) -> None:
    """Retrain, and read again the senses of the ``unread_senses`` documents
    whose kept readings are missing or out of date (the status record's count)."""
    st.header("Retrain")
    st.caption("Uploads get inferred vectors at once, and DM and DBOW show them only for queries that share "
               "one of their words; retraining rebuilds every model over the whole store, after which they rank "
               "by meaning too.")
    if st.button("Retrain all models", key="retrain"):
        bar, on_progress = progress_bar("Retraining")
        index.retrain(on_progress)
        bar.empty()
        st.session_state["retrain_message"] = "Retrained every model over the whole store."
        st.rerun()
    if unread_senses:
        st.caption(f"The senses of {unread_senses:,} documents are read at each query that shows them, more slowly: "
                   "they were never read, or were read with older models. Reading them once keeps them.")
        if st.button("Read their senses", key="read-senses"):
            bar, on_progress = progress_bar("Reading each word's sense", [(READINGS_STAGE, 1.0)])
            read = index.read_senses(None, on_progress)
            bar.empty()
            st.session_state["retrain_message"] = f"Read and kept the senses of {read:,} documents."
            st.rerun()
    if message := st.session_state.pop("retrain_message", None):
        st.success(message)


def tune_ui(index: Index) -> None:
    """Minutes to train, a progress bar, and Stop: a click on any button
    reruns the page, which stops the run at its next progress report, with
    the run saved (indexing/elmo/tune.py) and the index as it was."""
    if "elmo" not in index.methods:
        return
    from indexing.elmo.tune import TuneConfig
    from indexing.tuning import discard_stopped_run, step_seconds, stopped_run, tune_stages

    st.header("Tune ELMo")
    st.caption("ELMo's biLM learned English from general text. Tuning trains it further on your own documents "
               "for the minutes you set (at most 40 steps: longer lost what it gained), then encodes them "
               f"again; no other column changes. Measured, its 40 steps: {TUNE_EFFECT}.")
    minutes = st.slider("Minutes of training", 1, 30, 10, key="tune-minutes")
    if st.session_state.get("tune-stop"):
        # The rerun of a Stop click can start while the stopped run still saves its checkpoint.
        with st.spinner("Stopping: saving where tuning got to"):
            deadline = time.monotonic() + STOP_WAIT_SECONDS
            while not stopped_run(index.directory) and time.monotonic() < deadline:
                time.sleep(0.2)
    stopped = stopped_run(index.directory)
    if stopped:
        st.info("A tuning run was stopped. Resume it (the minutes count what it trained before), or start over "
                "from the biLM ELMo reads now.")
    start, over = st.columns(2)
    resume = start.button("Resume" if stopped else "Tune ELMo", key="tune")
    restart = stopped and over.button("Start over", key="tune-restart")
    if resume or restart:
        if restart:
            discard_stopped_run(index.directory)
        config = TuneConfig(minutes=minutes)
        st.button("Stop", key="tune-stop", help=f"Stops tuning within a training step (about "
                  f"{step_seconds(config):.0f} s); the index stays as it was, and the run can resume.")
        bar, on_progress = progress_bar("Tuning ELMo", tune_stages(config, index.store.counts()[0]))
        index.tune_elmo(config, on_progress, resume=bool(resume and stopped))
        bar.empty()
        tuned = index.status()["methods"]["elmo"].get("tuned", {})
        st.session_state["tune_message"] = (f"ELMo tuned for {tuned.get('steps', 0)} steps; every document is "
                                            "encoded with the tuned biLM.")
        st.rerun()
    if message := st.session_state.pop("tune_message", None):
        st.success(message)
