"""Errors of the indexer, each a Chinese sentence that says what to do.

IndexerError
├── IndexMissingError   no index built yet
├── IndexCorruptError   the live index cannot be opened
├── WriterBusyError     another reindex/ingest holds the writer lock
├── BuildError          a build or ingest failed; nothing was changed
└── QueryError          a search parameter is invalid (carries the parameter name)
"""

from __future__ import annotations


class IndexerError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class IndexMissingError(IndexerError):
    pass


class IndexCorruptError(IndexerError):
    pass


class WriterBusyError(IndexerError):
    pass


class BuildError(IndexerError):
    pass


class QueryError(IndexerError, ValueError):
    """A search parameter is invalid; ``param`` names it as the API does."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param
