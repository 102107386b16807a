"""The benchmarks and the biLM's training-text sources find ../shared/data the same way."""
from pathlib import Path

from bench import datasets
from indexing.elmo import sources


def test_benchmarks_and_training_text_read_one_variable_for_the_shared_data(monkeypatch, tmp_path: Path) -> None:
    assert datasets.DATA_ENV == sources.SHARED_DATA_ENV
    assert datasets.DEFAULT_DATA == sources.DEFAULT_SHARED_DATA
    monkeypatch.setenv(sources.SHARED_DATA_ENV, str(tmp_path))
    assert datasets.data_root() == tmp_path
