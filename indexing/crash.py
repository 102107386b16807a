"""A test hook for crash safety: with `SENSESEARCH_CRASH_AT=<point>` in the
environment, the process kills itself with SIGKILL (no `finally`, no
clean-up, like a power cut to the process) when a write reaches that point.
Unset, `crash_point()` costs one environment lookup.

The points, in the order a write passes them:

    build:stored       a build stored its documents, before training
    retrain:staging    a retrain (or a tuning) saved its first method into `<name>.partial`
    retrain:staged     the new generation is complete, CURRENT not yet switched
    retrain:switched   CURRENT switched, the old generation not yet removed
    tune:trained       a tuning of ELMo trained and saved its biLM, before the new generation
    tune:switched      a tuning's generation is live, its checkpoint and older tuned biLMs not yet removed
    add:stored         an upload committed to the store, before encoding
    delete:stored      a delete committed to the store, before the indexes
    persist:<method>   one method's index (vectors.*, bm25/) replaced, the others not yet
    persist:vectors    every method's index replaced, the manifest not yet
    vectors:tmp        a FAISS main index written to a .tmp file (a build, or a fold of
                       many changes), before its rename
    vectors:changes    a FAISS index's changes since it was built (vectors.changes.npz)
                       written to a .tmp file, before its rename
    trained:tmp        after a delete, Doc2Vec's trained_ids.npy.tmp written, before its rename
    bm25:tmp           the BM25 index's state written to a .tmp file, before its rename

tests/reliability/test_crash.py kills a real process at each of them.
"""
from __future__ import annotations

import os
import signal

CRASH_ENV = "SENSESEARCH_CRASH_AT"


def crash_point(name: str) -> None:
    """Die here, at once, if $SENSESEARCH_CRASH_AT names this point."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
