"""The workspace: the three folders an admin write touches (the corpus, the source of truth; the index, derived;
the data folder: the word lists, the audit log, pending uploads, the rebuild's progress), and uploads kept
pending in the data folder between their preview and their confirmation, never in the corpus.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from archive import ParsedIssue, read_bytes
from archive.corpus import write_atomic

from ..errors import IndexMissingError, TooLargeError
from ..language.terms import Term, candidate_terms
from ..storage.parts import issue_articles
from ..storage.records import read_record
from ..storage.store import IndexStore
from .changes import Changes, compare

PENDING_HOURS = 24  # an upload not confirmed within this long is dropped
MAX_PENDING = 20  # uploads kept pending at once; a new one drops the oldest
FIELD_BYTES = 4096  # a plain field of an upload form (a CSRF token)
_KEY = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Preview:
    """What a file was read as, and what confirming it would do."""

    key: str  # the pending upload's sha256
    name: str
    parsed: ParsedIssue
    existing: dict[str, Any] | None  # the live issue with this number, if any
    changes: Changes | None
    same_file: bool  # the archive holds exactly this file already
    terms: list[Term]

    @property
    def issue(self):
        return self.parsed.issue


class Part(Protocol):
    """One part of a multipart form, as a web framework hands it over."""

    name: str
    filename: str | None
    stream: Any


@dataclass(frozen=True)
class Upload:
    """A file sent in a form: its plain fields, the file's name (its last component only) and bytes."""

    fields: dict[str, str]
    name: str | None
    data: bytes | None
    repeated: tuple[str, ...] = ()  # plain fields sent more than once (the last is in ``fields``)


def read_upload(parts: Iterable[Part], limit: int, file_field: str | None = None) -> Upload:
    """The fields and the file of a multipart form, read part by part: a file over ``limit`` bytes is refused
    (``TooLargeError``) after ``limit`` + 1 bytes, whatever its declared length. With ``file_field``, only the
    part of that name is the file."""
    fields: dict[str, str] = {}
    repeated: list[str] = []
    name, data = None, None
    for part in parts:
        if part.filename is None and part.name != file_field:
            if part.name in fields:
                repeated.append(part.name)
            fields[part.name] = part.stream.read(FIELD_BYTES).decode("utf-8", "replace")
            continue
        if file_field is not None and part.name != file_field:
            continue
        data = part.stream.read(limit + 1)
        if len(data) > limit:
            raise TooLargeError(f"上传文件不能超过 {limit / 1024 / 1024:g} MB。请压缩或拆分后再上传。")
        # Only the last component of the client's name is kept, for its suffix and for messages.
        name = PurePosixPath((part.filename or "").replace("\\", "/")).name
    return Upload(fields, name, data or None, tuple(repeated))


@dataclass(frozen=True)
class Workspace:
    corpus_dir: Path
    index_dir: Path
    data_dir: Path

    def stage_upload(self, data: bytes, name: str) -> Preview:
        """Read ``data`` (an ArchiveError names ``name`` and nothing is kept), keep it pending, and preview it."""
        parsed = read_bytes(data, name)
        return self._preview(self.keep(data, name), name, parsed)

    def keep(self, data: bytes, name: str) -> str:
        """Keep ``data`` pending as it is, unread; its key."""
        key = hashlib.sha256(data).hexdigest()
        folder = self.uploads()
        self._prune(folder)
        suffix = Path(name).suffix.lower()
        write_atomic(folder / f"{key}{suffix}", data)
        write_atomic(folder / f"{key}.json", json.dumps({"name": name, "suffix": suffix}).encode("utf-8"))
        return key

    def preview(self, key: str) -> Preview | None:
        """The pending upload ``key`` previewed again (None when there is no such upload, or it is still being
        read in the background: see ``reading``)."""
        found = self.pending(key)
        reading = self.reading(key)
        if found is None or (reading is not None and reading["state"] != "done"):
            return None
        path, name = found
        return self._preview(key, name, read_bytes(path.read_bytes(), name))

    def reading(self, key: str) -> dict[str, Any] | None:
        """How the background reading of pending upload ``key`` goes (None when it was read at once)."""
        from .reading import Reading

        return Reading(self.uploads(), key).status() if _KEY.match(key) else None

    def discard(self, key: str) -> None:
        if _KEY.match(key):
            for path in self.uploads().glob(f"{key}.*"):
                path.unlink(missing_ok=True)

    def claim(self, key: str) -> Path | None:
        """Take the pending upload ``key`` to confirm it: its file, or None when it is gone or another request
        took it first (the marker is renamed, which only one can do)."""
        found = self.pending(key)
        if found is None:
            return None
        marker = self.uploads() / f"{key}.json"
        try:
            os.rename(marker, marker.with_suffix(".claimed"))
        except FileNotFoundError:
            return None
        return found[0]

    def release(self, key: str) -> None:
        """Put a claimed upload back, pending (its confirmation failed)."""
        marker = self.uploads() / f"{key}.json"
        with contextlib.suppress(FileNotFoundError):
            os.rename(marker.with_suffix(".claimed"), marker)

    def live_issue(self, issue_id: str) -> dict[str, Any] | None:
        try:
            return read_record(IndexStore(self.index_dir).current(), issue_id)
        except IndexMissingError:
            return None

    def pending(self, key: str) -> tuple[Path, str] | None:
        """The pending upload ``key``'s file and the name it was sent as, or None."""
        if not _KEY.match(key):
            return None
        folder = self.uploads()
        try:
            info = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        path = folder / f"{key}{info['suffix']}"
        return (path, info["name"]) if path.exists() else None

    def _preview(self, key: str, name: str, parsed: ParsedIssue) -> Preview:
        existing = self.live_issue(parsed.issue.id)
        changes = None
        if existing:
            before = issue_articles(IndexStore(self.index_dir).current(), parsed.issue.id)
            changes = compare(existing, before, list(parsed.issue.articles))
        same = existing is not None and existing.get("sha256") == parsed.issue.sha256
        return Preview(key, name, parsed, existing, changes, same, candidate_terms(parsed.issue))

    def uploads(self) -> Path:
        folder = self.data_dir / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @staticmethod
    def _prune(folder: Path) -> None:
        """Drop uploads older than PENDING_HOURS, and the oldest past MAX_PENDING (a new one is coming)."""
        cutoff = time.time() - PENDING_HOURS * 3600
        stamps = {}
        for path in folder.iterdir():
            with contextlib.suppress(FileNotFoundError):
                stamps[path] = path.stat().st_mtime
        keys = sorted({p.name.split(".")[0]: t for p, t in sorted(stamps.items(), key=lambda x: x[1])}.items(),
                      key=lambda x: x[1])  # fmt: skip
        old = {key for key, stamp in keys[: max(0, len(keys) - MAX_PENDING + 1)]}
        for path, stamp in stamps.items():
            if stamp < cutoff or path.name.split(".")[0] in old:
                path.unlink(missing_ok=True)
