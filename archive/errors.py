"""Errors raised while reading bulletin issues.

Every failure a reader can meet is an ``ArchiveError``; callers catch that one
type and show its message, which is a Chinese sentence naming the file, the
line where it applies, what is wrong and what to do::

    ArchiveError
    ├── UnreadableFileError     empty, binary, damaged or not in a known encoding
    │   └── TooMuchError        asks for more work than a limit allows (see ``limits``)
    ├── UnsupportedFormatError  a file type no reader handles
    └── NotABulletinError       text that does not have a bulletin's structure
        ├── MissingFieldError   no issue number, or no publication date
        └── TocMismatchError    table of contents entries missing in the body
"""

from __future__ import annotations


class ArchiveError(Exception):
    """A source file could not be read into an issue."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(f"文件 {self.file}")
        if self.line:
            where.append(f"第 {self.line} 行")
        prefix = "，".join(where)
        return f"{prefix}：{self.message}" if prefix else self.message


class UnreadableFileError(ArchiveError):
    """The bytes are not text in an encoding the archive reads."""


class TooMuchError(UnreadableFileError):
    """A file asks for more work than a limit allows (a compression bomb, or not an issue at all)."""


class UnsupportedFormatError(ArchiveError):
    """No reader exists for this kind of file."""


class NotABulletinError(ArchiveError):
    """The text lacks the structure of a bulletin issue."""


class MissingFieldError(NotABulletinError):
    """A required part of the masthead (issue number, date) is missing."""


class TocMismatchError(NotABulletinError):
    """Entries of the table of contents have no article in the body."""
