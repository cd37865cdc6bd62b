"""What staff do to the archive, the same way from the admin pages, the API and the command line: read an
upload and show what would change before anything is written (``workspace``), add or replace an issue, remove
one, rebuild the index in the background with its progress (``rebuild``), grow the word lists, each with a
record of who did it (``audit``), all through ``workflow.Admin``.
"""

from .audit import ACTIONS, Actor, AuditLog
from .rebuild import Rebuild
from .workflow import Admin
from .workspace import Changes, Preview, Upload, Workspace, read_upload

__all__ = [
    "ACTIONS",
    "Actor",
    "Admin",
    "AuditLog",
    "Changes",
    "Preview",
    "Rebuild",
    "Upload",
    "Workspace",
    "read_upload",
]
