"""The search index and everything done to it: the one search interface (``SearchService``), builds,
ingests and removals, and the admin workflow.

Its parts import only those before them: ``language`` (Chinese text: words, folding, the archive's vocabulary,
the thesaurus), ``engine`` (the request, the query, matching, ranking, facets, results), ``storage``
(generations of parts, each a Whoosh index of jieba words beside numpy pair postings and the articles
themselves; builds and the atomic switch) and ``admin`` (what staff do, audited). Everything outside this
package calls what this face names, never Whoosh or jieba.
"""

from .admin import (
    ROLES,
    SESSION_SECONDS,
    TOKEN_NAME,
    AccountError,
    Actor,
    Admin,
    AuditLog,
    Preview,
    Session,
    Upload,
    Workspace,
    read_upload,
)
from .engine.facets import FACETS, FILTER_FACETS, Facet
from .engine.request import PARAMS, SORTS, Filters, Param, SearchRequest
from .engine.results import ArticleRecord, Hit, SearchResult
from .errors import (
    BuildError,
    IndexCorruptError,
    IndexerError,
    IndexMissingError,
    NoSuchIssueError,
    QueryError,
    TooLargeError,
    WriterBusyError,
)
from .language.analysis import lean_dictionary
from .language.terms import Term, candidate_terms
from .language.wordlists import seed_vocabulary, use_vocabulary
from .search import SearchService, index_ready
from .storage.backup import BackupError, BackupReport, backup, restore
from .storage.build import BuildReport, IngestReport, RemoveReport, ensure_index, ingest, reindex, remove
from .storage.consistency import Disagreement, VerifyReport, repair, verify
from .storage.journal import recover_if_idle
from .urls import article_url, issue_url, search_url

__all__ = [
    "FACETS",
    "FILTER_FACETS",
    "PARAMS",
    "ROLES",
    "SESSION_SECONDS",
    "SORTS",
    "TOKEN_NAME",
    "AccountError",
    "Actor",
    "Admin",
    "ArticleRecord",
    "AuditLog",
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
    "NoSuchIssueError",
    "Param",
    "Preview",
    "QueryError",
    "RemoveReport",
    "SearchRequest",
    "SearchResult",
    "SearchService",
    "Session",
    "Term",
    "TooLargeError",
    "Upload",
    "VerifyReport",
    "Workspace",
    "WriterBusyError",
    "article_url",
    "backup",
    "candidate_terms",
    "ensure_index",
    "index_ready",
    "ingest",
    "issue_url",
    "lean_dictionary",
    "read_upload",
    "recover_if_idle",
    "reindex",
    "remove",
    "repair",
    "restore",
    "search_url",
    "seed_vocabulary",
    "use_vocabulary",
    "verify",
]
