"""The corpus: one source file per issue, byte for byte, laid out by year.

``corpus/2017/2017-06.md`` holds 2017年第6期 exactly as received. The corpus is
the archive's source of truth; the search index is derived from it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .model import Issue
from .reader import SUFFIXES


class Corpus:
    """The folder of issue files."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def files(self) -> list[Path]:
        """Every issue file, oldest issue first."""
        if not self.root.is_dir():
            return []
        return sorted(
            (p for p in self.root.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES),
            key=lambda p: (p.stem, str(p)),
        )

    def path_for(self, issue: Issue, suffix: str) -> Path:
        return self.root / f"{issue.year:04d}" / f"{issue.id}{suffix.lower()}"

    def existing(self, issue: Issue) -> list[Path]:
        """Files already stored for this issue, in any form."""
        return self.files_of(issue.id)

    def files_of(self, issue_id: str) -> list[Path]:
        """Files stored for the issue ``issue_id`` (``2017-06``), in any form."""
        folder = self.root / issue_id.partition("-")[0]
        return sorted(p for p in folder.glob(f"{issue_id}.*") if p.suffix.lower() in SUFFIXES)

    def plan(self, issue: Issue, data: bytes, suffix: str) -> tuple[Path, list[Path]] | None:
        """Where ``data`` would go and which files it replaces; None when it is stored already."""
        target = self.path_for(issue, suffix)
        others = self.existing(issue)
        if target.exists() and target.read_bytes() == data and others == [target]:
            return None
        return target, [p for p in others if p != target]


def stage(target: Path, data: bytes) -> Path:
    """Write ``data`` to a synced temporary file beside ``target``, to be renamed over it later."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_atomic(target: Path, data: bytes) -> None:
    """Write through a synced temporary file in the same folder, then rename it over ``target``."""
    tmp = stage(target, data)
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
