"""The LRU cache that keeps query encodings and passages read in context."""
from __future__ import annotations

import pytest

from indexing.lru import LruCache


def test_the_least_recently_used_entry_goes_first() -> None:
    cache = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the oldest
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (1, None, 3, 2)
    cache.clear()
    assert cache.get("a") is None and len(cache) == 0


def test_a_cache_must_hold_something() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        LruCache(0)
