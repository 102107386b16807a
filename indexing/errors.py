"""Errors a user can cause. The UI and the command lines show their message
as is; anything else that escapes is a bug."""
from __future__ import annotations


class SenseSearchError(Exception):
    """Base class: the message is written for the user."""


class UnsupportedFileError(SenseSearchError):
    """A file we cannot read: wrong type, empty, binary, too large, no text."""


class InvalidQueryError(SenseSearchError):
    """An empty query, or one with no word any model has seen."""


class NoGoodMatchError(InvalidQueryError):
    """A query whose words mean nothing to a method: it would only list the
    documents nearest to nonsense."""


class UnknownWordsError(InvalidQueryError):
    """None of a query's words is in a model's vocabulary (Doc2Vec)."""


class IndexNotFoundError(SenseSearchError):
    """No index in the data directory yet."""


class IndexVersionError(SenseSearchError):
    """An index written by another, incompatible version of SenseSearch."""


class IndexCorruptError(SenseSearchError):
    """An index whose files do not agree with each other or with the store."""


class UnknownMethodError(SenseSearchError, ValueError):
    """A retrieval method name that does not exist."""
