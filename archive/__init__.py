"""The archive's model of bulletin issues and the readers that build it."""

from .errors import (
    ArchiveError,
    MissingFieldError,
    NotABulletinError,
    TocMismatchError,
    TooMuchError,
    UnreadableFileError,
    UnsupportedFormatError,
)
from .model import Article, Issue, Paragraph, ParsedIssue, ParseWarning, TocEntry
from .reader import SUFFIXES, read_bytes, read_file, slow_to_read
from .units import AREAS, normalise_area

__all__ = [
    "AREAS",
    "SUFFIXES",
    "ArchiveError",
    "Article",
    "Issue",
    "MissingFieldError",
    "NotABulletinError",
    "Paragraph",
    "ParseWarning",
    "ParsedIssue",
    "TocEntry",
    "TocMismatchError",
    "TooMuchError",
    "UnreadableFileError",
    "UnsupportedFormatError",
    "normalise_area",
    "read_bytes",
    "read_file",
    "slow_to_read",
]
