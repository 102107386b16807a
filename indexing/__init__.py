"""Build-time half of SenseSearch: ingest -> store -> train -> encode -> index.

Nothing here imports `search` or `streamlit`; `search` loads what this package
saves.
"""
from __future__ import annotations

__version__ = "0.1.0"
