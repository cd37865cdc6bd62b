"""What staff do to the archive, the same way from the admin pages, the API and the command line: read an
upload and show what would change before anything is written (``workspace``), add or replace an issue, remove
one, rebuild the index in the background with its progress (``rebuild``), grow the word lists, each with a
record of who did it (``audit``), all through ``workflow.Admin``; who may act, through ``staff.Staff`` over the
accounts (``accounts``).
"""

from .accounts import ROLES, SESSION_SECONDS, TOKEN_NAME, AccountError, Accounts, Session, User
from .audit import ACTIONS, Actor, AuditLog
from .changes import Changes
from .rebuild import Rebuild
from .staff import Entry, Staff
from .workflow import Admin
from .workspace import Preview, Upload, Workspace, read_upload

__all__ = [
    "ACTIONS",
    "ROLES",
    "SESSION_SECONDS",
    "TOKEN_NAME",
    "AccountError",
    "Accounts",
    "Actor",
    "Admin",
    "AuditLog",
    "Changes",
    "Entry",
    "Preview",
    "Rebuild",
    "Session",
    "Staff",
    "Upload",
    "User",
    "Workspace",
    "read_upload",
]
