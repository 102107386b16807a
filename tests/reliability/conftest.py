"""Fixtures of the reliability tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from indexing.index import Index
from tests.reliability.checks import copy_data_dir


@pytest.fixture
def fresh_copy(built_index: Index, tmp_path: Path) -> Path:
    """A private copy of the session index's data directory, not opened."""
    return copy_data_dir(built_index.directory, tmp_path / "data")
