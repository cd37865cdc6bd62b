"""What staff do to the archive, in one place for the admin pages, the API and the CLI: read a file and show
what would change before anything is written (a preview of a pending upload), add it, remove an issue,
rebuild the index in the background with its progress, and the audit trail of every such action.

A ``Workspace`` is the three folders these touch: the corpus (the source of truth), the index (derived) and
the data folder (the vocabulary, the audit log, pending uploads and the rebuild's progress).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive import ParsedIssue, read_bytes
from archive.corpus import write_atomic

from .errors import IndexMissingError
from .language.terms import Term, candidate_terms
from .storage.build import IngestReport, RemoveReport, ingest, reindex, remove
from .storage.generation import read_record
from .storage.store import IndexStore

PENDING_HOURS = 24  # an upload not confirmed within this long is dropped
ACTIONS = {
    "sign-in": "登录",
    "sign-out": "退出",
    "preview": "预览",
    "add": "新增",
    "replace": "替换",
    "remove": "删除",
    "rebuild": "重建索引",
    "vocabulary": "修改词表",
    "term": "收录新词",
}
_KEY = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Changes:
    """How an issue already in the archive would change."""

    added: list[dict[str, str]] = field(default_factory=list)  # id, title
    removed: list[dict[str, str]] = field(default_factory=list)
    retitled: list[dict[str, str]] = field(default_factory=list)  # id, before, after

    @property
    def none(self) -> bool:
        return not (self.added or self.removed or self.retitled)


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


@dataclass(frozen=True)
class Workspace:
    corpus_dir: Path
    index_dir: Path
    data_dir: Path

    @property
    def audit(self) -> AuditLog:
        return AuditLog(self.data_dir / "audit.log")

    @property
    def rebuild(self) -> Rebuild:
        return Rebuild(self)

    # Pending uploads: kept in the data folder between the preview and the confirmation, never in the corpus.

    def stage_upload(self, data: bytes, name: str) -> Preview:
        """Read ``data`` (an ArchiveError names ``name`` and nothing is kept), keep it pending, and preview it."""
        parsed = read_bytes(data, name)
        key = hashlib.sha256(data).hexdigest()
        folder = self._uploads()
        self._prune(folder)
        suffix = Path(name).suffix.lower()
        write_atomic(folder / f"{key}{suffix}", data)
        write_atomic(folder / f"{key}.json", json.dumps({"name": name, "suffix": suffix}).encode("utf-8"))
        return self._preview(key, name, parsed)

    def preview(self, key: str) -> Preview | None:
        """The pending upload ``key`` previewed again (None when there is no such upload)."""
        found = self._pending(key)
        if found is None:
            return None
        path, name = found
        return self._preview(key, name, read_bytes(path.read_bytes(), name))

    def confirm(self, key: str) -> IngestReport | None:
        """Ingest the pending upload ``key`` (the same path as ``bulletin ingest``) and drop it."""
        found = self._pending(key)
        if found is None:
            return None
        path, _ = found
        report = ingest([path], self.corpus_dir, self.index_dir)
        self.discard(key)
        return report

    def discard(self, key: str) -> None:
        if _KEY.match(key):
            for path in self._uploads().glob(f"{key}.*"):
                path.unlink(missing_ok=True)

    def remove(self, issue_id: str) -> RemoveReport:
        return remove(issue_id, self.corpus_dir, self.index_dir)

    def live_issue(self, issue_id: str) -> dict[str, Any] | None:
        try:
            return read_record(IndexStore(self.index_dir).current(), issue_id)
        except IndexMissingError:
            return None

    def _preview(self, key: str, name: str, parsed: ParsedIssue) -> Preview:
        existing = self.live_issue(parsed.issue.id)
        changes = _compare(existing, parsed) if existing else None
        same = existing is not None and existing.get("sha256") == parsed.issue.sha256
        return Preview(key, name, parsed, existing, changes, same, candidate_terms(parsed.issue))

    def _uploads(self) -> Path:
        folder = self.data_dir / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _pending(self, key: str) -> tuple[Path, str] | None:
        if not _KEY.match(key):
            return None
        folder = self._uploads()
        try:
            info = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        path = folder / f"{key}{info['suffix']}"
        return (path, info["name"]) if path.exists() else None

    @staticmethod
    def _prune(folder: Path) -> None:
        cutoff = time.time() - PENDING_HOURS * 3600
        for path in folder.iterdir():
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)


def _compare(existing: dict[str, Any], parsed: ParsedIssue) -> Changes:
    before = {a["id"]: a["title"] for a in existing["articles"]}
    after = {a.id: a.title for a in parsed.issue.articles}
    return Changes(
        added=[{"id": i, "title": after[i]} for i in after if i not in before],
        removed=[{"id": i, "title": before[i]} for i in before if i not in after],
        retitled=[
            {"id": i, "before": before[i], "after": after[i]} for i in after if i in before and before[i] != after[i]
        ],
    )


class AuditLog:
    """One JSON line per admin action, appended (a line is written whole or not at all)."""

    def __init__(self, path: Path):
        self.path = path

    def record(self, action: str, *, issue: str | None = None, file: str | None = None, sha256: str | None = None,
               detail: str | None = None) -> None:  # fmt: skip
        entry = {
            "time": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "action": action,
            "issue": issue,
            "file": file,
            "sha256": sha256,
            "detail": detail,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    def entries(self, limit: int = 500) -> list[dict[str, Any]]:
        """The newest ``limit`` entries, newest first, each with its action's Chinese label."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in reversed(lines[-limit:]):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            out.append({**entry, "label": ACTIONS.get(entry.get("action"), entry.get("action"))})
        return out


class Rebuild:
    """``reindex`` in a background thread of this process, its progress in the data folder so that any
    worker can show it."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.path = workspace.data_dir / "rebuild.json"
        self.started = 0.0

    def status(self) -> dict[str, Any]:
        try:
            status = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"state": "idle"}
        if status.get("state") == "running" and not _alive(status.get("pid")):
            return {**status, "state": "failed", "message": "重建进程已退出，未能完成；索引保持原样。请重新开始。"}
        return status

    def start(self) -> bool:
        """Start a rebuild unless one is running; False when one was."""
        if self.status().get("state") == "running":
            return False
        self.started = time.time()
        self._write(state="running", done=0, total=0)
        threading.Thread(target=self._run, name="rebuild", daemon=True).start()
        return True

    def _run(self) -> None:
        try:
            report = reindex(self.workspace.corpus_dir, self.workspace.index_dir, progress=self._progress)
        except Exception as exc:  # shown on the page; the index is as it was
            message = getattr(exc, "message", None) or str(exc) or traceback.format_exc(limit=1)
            self._write(state="failed", finished=time.time(), message=message)
            return
        self._write(state="done", done=report.articles, total=report.articles, finished=time.time(),
                    issues=report.issues, generation=report.generation)  # fmt: skip

    @contextmanager
    def _progress(self, total: int, **_: Any):
        bar = _StatusBar(self, total)
        yield bar
        bar.flush()

    def _write(self, **status: Any) -> None:
        """The status file: ``status`` with this rebuild's start and process (whose end the page notices)."""
        status.update(started=self.started, pid=os.getpid())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps(status, ensure_ascii=False).encode("utf-8"))


class _StatusBar:
    def __init__(self, rebuild: Rebuild, total: int):
        self.rebuild, self.total, self.done, self.written = rebuild, total, 0, 0.0

    def update(self, n: int = 1) -> None:
        self.done += n
        if time.monotonic() - self.written > 0.2:
            self.flush()

    def flush(self) -> None:
        self.written = time.monotonic()
        self.rebuild._write(state="running", done=self.done, total=self.total)


def _alive(pid: Any) -> bool:
    try:
        os.kill(int(pid), 0)
    except (TypeError, ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True
