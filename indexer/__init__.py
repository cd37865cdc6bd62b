"""The search index: jieba analysis, the Whoosh schema, builds, and the one search interface.

Whoosh stores, per generation folder, the jieba-word and character-bigram postings, the columns that
filters and facets read, and each article as JSON. Our code decides everything else: which articles
match (``matching``: rarest bigrams, then an exact substring test against the texts the generation keeps),
how they rank (``ranking``), what a request may ask (``request``), how results are counted (``facets``),
and what a generation folder holds (``generation``) and how generations are switched (``store``).
Everything outside this package calls ``SearchService`` and the build functions, never Whoosh.
"""

from .backup import BackupError, BackupReport, backup, restore
from .build import BuildReport, IngestReport, ensure_index, ingest, reindex
from .consistency import Disagreement, VerifyReport, repair, verify
from .errors import (
    BuildError,
    IndexCorruptError,
    IndexerError,
    IndexMissingError,
    QueryError,
    WriterBusyError,
)
from .facets import FACETS, FILTER_FACETS, Facet
from .journal import recover_if_idle
from .request import PARAMS, SORTS, Filters, Param, SearchRequest
from .results import EXPORT_COLUMNS, ArticleRecord, Hit, SearchResult
from .search import SearchService, index_ready
from .urls import article_url, issue_url, search_url

__all__ = [
    "EXPORT_COLUMNS",
    "FACETS",
    "FILTER_FACETS",
    "PARAMS",
    "SORTS",
    "ArticleRecord",
    "BackupError",
    "BackupReport",
    "BuildError",
    "BuildReport",
    "Disagreement",
    "Facet",
    "Filters",
    "Hit",
    "IndexCorruptError",
    "IndexMissingError",
    "IndexerError",
    "IngestReport",
    "Param",
    "QueryError",
    "SearchRequest",
    "SearchResult",
    "SearchService",
    "VerifyReport",
    "WriterBusyError",
    "article_url",
    "backup",
    "ensure_index",
    "index_ready",
    "ingest",
    "issue_url",
    "recover_if_idle",
    "reindex",
    "repair",
    "restore",
    "search_url",
    "verify",
]
