"""The search index: jieba analysis, Whoosh schema, builds and the one search interface."""

from .build import BuildReport, IngestReport, ingest, reindex
from .errors import (
    BuildError,
    IndexCorruptError,
    IndexerError,
    IndexMissingError,
    QueryError,
    WriterBusyError,
)
from .search import Archive, ArticleRecord, Hit, SearchResult, index_ready

__all__ = [
    "Archive",
    "ArticleRecord",
    "BuildError",
    "BuildReport",
    "Hit",
    "IndexCorruptError",
    "IndexMissingError",
    "IndexerError",
    "IngestReport",
    "QueryError",
    "SearchResult",
    "WriterBusyError",
    "index_ready",
    "ingest",
    "reindex",
]
