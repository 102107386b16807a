"""Tuning the ELMo column's biLM to the stored documents (`Index.tune_elmo`,
`python -m indexing tune`): the weights change and the documents are
re-encoded with them, every other method is carried over untouched, the
live index stays as it was until the new generation is committed, a
stopped run resumes, and a retrain keeps the tuned biLM."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from indexing.__main__ import main
from indexing.backup import copy_data_dir
from indexing.contextual import weights_digest
from indexing.elmo.checkpoint import load_checkpoint
from indexing.elmo.lstm_int8 import bfloat16_matmuls
from indexing.elmo.tune import STAGE, TuneConfig, tune_bilm
from indexing.errors import SenseSearchError
from indexing.index import Index
from indexing.tuning import BFLOAT16_STEP_SECONDS, STEP_SECONDS, TUNING_DIR, collection_paragraphs, stopped_run

TWO_STEPS = TuneConfig(minutes=None, epochs=1, pairs_per_batch=4, learning_rate=1e-3, warmup_steps=1, max_steps=2)
CARRIED = ("dm", "dbow", "senses", "bm25")


def vectors_of(index: Index, name: str) -> tuple[list[int], np.ndarray]:
    searchable = index.snapshot().vectors[name]
    ids = sorted(searchable.ids().tolist())
    if name == "bm25":
        return ids, np.stack([searchable.term_scores(term, np.array(ids)) for term in ("bank", "river", "loan")])
    return ids, searchable.vectors_of(ids)


def test_tuning_changes_the_biLM_re_encodes_and_carries_the_rest_over(index_copy: Index, tmp_path) -> None:
    before = index_copy.snapshot()
    old_digest = weights_digest(before.method("elmo").model_dir)
    old_elmo = vectors_of(index_copy, "elmo")
    carried = {name: vectors_of(index_copy, name) for name in CARRIED}

    index_copy.tune_elmo(TWO_STEPS)

    after = index_copy.snapshot()
    elmo = after.method("elmo")
    assert after.name != before.name and not before.path.exists()
    assert weights_digest(elmo.model_dir) != old_digest
    new_elmo = vectors_of(index_copy, "elmo")
    assert new_elmo[0] == old_elmo[0] and not np.allclose(new_elmo[1], old_elmo[1])
    for name in CARRIED:
        ids, vectors = vectors_of(index_copy, name)
        assert ids == carried[name][0] and np.array_equal(vectors, carried[name][1]), name
    tuned = index_copy.status()["methods"]["elmo"]["tuned"]
    assert tuned["steps"] >= 1 and tuned["objectives"] == list(TWO_STEPS.objectives)
    assert after.manifest["trained_on"] == before.manifest["trained_on"]  # the carried models' training
    # The tuned biLM is kept where a retrain finds it; the run's checkpoint is gone.
    home = index_copy.directory / "models"
    assert [p.name for p in home.iterdir()] == [elmo.config.model.rsplit("/", 1)[-1]]
    assert not (index_copy.directory / TUNING_DIR).exists()

    reopened = Index.open(index_copy.directory)
    assert weights_digest(reopened.method("elmo").model_dir) == weights_digest(elmo.model_dir)
    query = elmo.encode_query("river bank erosion")
    assert len(reopened.snapshot().search("elmo", query, 3)[1]) == 3

    # A retrain keeps the biLM the collection was tuned to, also in a copied
    # data directory whose original has gone.
    tuned_digest = weights_digest(elmo.model_dir)
    moved = Index.open(copy_data_dir(index_copy.directory, tmp_path / "moved"))
    shutil.rmtree(index_copy.directory)
    moved.retrain(methods=("elmo",))
    assert weights_digest(moved.method("elmo").model_dir) == tuned_digest
    assert moved.method("elmo").config.model.startswith(str(moved.directory / "models"))


class Stop(Exception):
    """What the app's Stop button raises through the progress callback."""


def test_a_stopped_run_leaves_the_live_index_and_resumes(index_copy: Index) -> None:
    directory = index_copy.directory
    before = index_copy.snapshot().name
    digest = weights_digest(index_copy.method("elmo").model_dir)
    seen = []

    def stop_after_a_step(done: int, total: int, stage: str) -> None:
        if stage == STAGE and done >= 1:
            seen.append(Index.open(directory).snapshot().name)  # another reader, mid-run
            raise Stop

    with pytest.raises(Stop):
        index_copy.tune_elmo(TuneConfig(minutes=None, epochs=3, pairs_per_batch=4), stop_after_a_step)
    assert seen == [before] and index_copy.snapshot().name == before
    assert Index.open(directory).snapshot().name == before
    assert weights_digest(index_copy.method("elmo").model_dir) == digest
    assert stopped_run(directory) and load_checkpoint(directory / TUNING_DIR)["global_step"] == 1

    with pytest.raises(SenseSearchError, match="resume"):
        index_copy.tune_elmo(TuneConfig(minutes=None, epochs=3, pairs_per_batch=4))
    index_copy.tune_elmo(TuneConfig(minutes=None, epochs=1, pairs_per_batch=4, max_steps=3), resume=True)
    assert index_copy.snapshot().name != before and not stopped_run(directory)
    assert index_copy.status()["methods"]["elmo"]["tuned"]["steps"] == 3  # on from step 1, to the cap


def test_the_command_line_asks_what_to_do_with_a_stopped_run(index_copy: Index, capsys) -> None:
    directory = str(index_copy.directory)
    (index_copy.directory / TUNING_DIR).mkdir()
    (index_copy.directory / TUNING_DIR / "checkpoint.pt").write_bytes(b"")
    assert main(["tune", "--data-dir", directory, "--epochs", "1"]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["tune", "--data-dir", directory, "--epochs", "1", "--resume"]) == 2
    err = capsys.readouterr().err
    assert "cannot be read" in err and "start over" in err and "Traceback" not in err
    assert main(["tune", "--data-dir", directory, "--minutes", "0"]) == 2
    assert main(["tune", "--data-dir", directory, "--epochs", "0.01", "--restart"]) == 0
    assert "ELMo tuned for 1 steps" in capsys.readouterr().out


@pytest.mark.slow  # about 30 s: twenty-odd training steps
def test_the_contrastive_loss_falls(index: Index, tmp_path) -> None:
    documents = list(index.store)
    paragraphs = list(collection_paragraphs(index.store, documents, seed=0))
    assert all(isinstance(w, str) for p in paragraphs for s in p for w in s)
    assert any(w[0].isupper() for p in paragraphs for s in p for w in s)  # original spelling, as the biLM reads
    model = index.method("elmo").model_dir
    config = TuneConfig(minutes=None, epochs=2, pairs_per_batch=8, learning_rate=1e-3, warmup_steps=1)
    tune_bilm(model, paragraphs, tmp_path, config, weights_digest(model))
    log = load_checkpoint(tmp_path)["log"]
    first, last = log[: len(log) // 3], log[-(len(log) // 3):]
    assert np.mean([e["contrastive"] for e in last]) < np.mean([e["contrastive"] for e in first])
    assert all("anchor" in e for e in log)


@pytest.mark.skipif(not bfloat16_matmuls(), reason="this CPU does not multiply bfloat16 natively: tuning runs in float")
def test_tuning_under_bfloat16_reads_the_losses_as_float_does(index: Index, tmp_path) -> None:
    model = index.method("elmo").model_dir
    paragraphs = list(collection_paragraphs(index.store, list(index.store), seed=0))
    first = {}
    for bfloat16 in (False, True):
        config = TuneConfig(minutes=None, epochs=1, pairs_per_batch=8, max_steps=1, bfloat16=bfloat16)
        tune_bilm(model, paragraphs, tmp_path / str(bfloat16), config, weights_digest(model))
        first[bfloat16] = load_checkpoint(tmp_path / str(bfloat16))["log"][0]
    # The same batch, the same weights: only the biLM's arithmetic differs.
    assert first[True]["contrastive"] == pytest.approx(first[False]["contrastive"], rel=0.05)
    assert first[True]["contrastive"] != first[False]["contrastive"]  # bfloat16 did run
    assert 0.0 <= first[True]["anchor"] < 0.01  # the student starts where its anchor is


def test_the_progress_bar_shares_follow_the_minutes_and_the_collection() -> None:
    from indexing.tuning import tune_stages

    short, long = (dict(tune_stages(TuneConfig(minutes=m, max_steps=None), 1000)) for m in (1, 60))
    assert short[STAGE] / sum(short.values()) < 0.6 and long[STAGE] / sum(long.values()) > 0.95
    by_epochs = dict(tune_stages(TuneConfig(minutes=None, epochs=2, max_steps=None, bfloat16=False), 1000,
                                 n_pairs=6400))
    assert by_epochs[STAGE] == 2 * 100 * STEP_SECONDS
    assert dict(tune_stages(TuneConfig(minutes=60, bfloat16=False), 1000))[STAGE] == 40 * STEP_SECONDS  # steps end it
    step = BFLOAT16_STEP_SECONDS if bfloat16_matmuls() else STEP_SECONDS
    assert dict(tune_stages(TuneConfig(minutes=60), 1000))[STAGE] == 40 * step
