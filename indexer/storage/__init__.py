"""The index on disk: the index folder and its atomic switch between generations (``store``), what a
generation holds, written and read (``generation``, ``schema``, ``writing``), full builds, ingests and removals
(``build``) settled after a kill by the journal (``journal``), the check of corpus against index
(``consistency``), and backups (``backup``).
"""

from .backup import BackupError, BackupReport, backup, restore
from .build import BuildReport, IngestReport, RemoveReport, ensure_index, ingest, parse_all, reindex, remove
from .consistency import Disagreement, VerifyReport, repair, verify
from .journal import recover_if_idle
from .store import IndexStore

__all__ = [
    "BackupError",
    "BackupReport",
    "BuildReport",
    "Disagreement",
    "IndexStore",
    "IngestReport",
    "RemoveReport",
    "VerifyReport",
    "backup",
    "ensure_index",
    "ingest",
    "parse_all",
    "recover_if_idle",
    "reindex",
    "remove",
    "repair",
    "restore",
    "verify",
]
