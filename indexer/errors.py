"""Errors of the indexer, each a Chinese sentence that says what to do.

IndexerError
├── IndexMissingError   no index built yet
├── IndexCorruptError   the live index cannot be opened
├── WriterBusyError     another reindex/ingest holds the writer lock
├── BuildError          a build or ingest failed; nothing was changed
│   └── NoSuchIssueError  the issue to remove is in neither the corpus nor the index
├── QueryError          a search parameter is invalid (carries the parameter name)
└── TooLargeError       what was sent is over its limit (an upload, a form); nothing was kept
"""

from __future__ import annotations


class IndexerError(Exception):
    """Any indexer failure; ``message`` is the Chinese sentence to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class IndexMissingError(IndexerError):
    """Raised when the index folder has no live generation yet; the user runs ``bulletin reindex``."""


class IndexCorruptError(IndexerError):
    """Raised when the live generation cannot be opened or read; the user runs ``bulletin reindex``."""


class WriterBusyError(IndexerError):
    """Raised when another reindex or ingest holds the writer lock past the wait; the user retries later."""


class BuildError(IndexerError):
    """Raised when a build or ingest fails (disk full, old index format); nothing was changed, the message
    says what to fix."""


class NoSuchIssueError(BuildError):
    """Raised when an issue to remove is in neither the corpus nor the index; nothing was changed."""


class QueryError(IndexerError, ValueError):
    """Raised when a search parameter is invalid; ``param`` names it as the API does, and the message says
    which values are accepted."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param


class TooLargeError(IndexerError):
    """Raised when what was sent (an uploaded file, a form) is over its limit; the message names the limit.
    Nothing was kept."""
