"""Every write staff make to the archive, in one place for the admin pages, the API and the command line: each
changes the corpus and the index the one way (``storage.build``) and leaves its record in the audit trail with
who made it (``audit.Actor``)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from archive import read_bytes, slow_to_read

from ..errors import WriterBusyError
from ..language.edits import TERM_FREQUENCY, StaleEdit, adding_word, digest
from ..language.wordlists import (
    VOCABULARY_FILES,
    domain_words,
    vocabulary_file,
    vocabulary_problems,
    write_vocabulary,
)
from ..storage.backup import BackupReport, backup, restore
from ..storage.build import BuildReport, IngestReport, ProgressFactory, RemoveReport, ingest, no_progress, reindex
from ..storage.build import remove as remove_issue
from .accounts import Accounts
from .audit import Actor, AuditLog, diff
from .reading import MAX_READING, Reading
from .rebuild import Rebuild
from .staff import Staff
from .workspace import Preview, Workspace

ACCOUNTS_MEMBER = "data/accounts.sqlite3"  # the accounts, in a backup archive


class Admin:
    """The writes of one workspace, each audited."""

    def __init__(self, workspace: Workspace, token: str | None = None):
        self.workspace = workspace
        self.audit = AuditLog(workspace.data_dir / "audit.log")
        self.staff = Staff(Accounts(workspace.data_dir / "accounts.sqlite3"), self.audit, token)
        self.rebuilding = Rebuild(workspace.corpus_dir, workspace.index_dir, workspace.data_dir)

    def ingest_files(self, paths: list[Path], actor: Actor, *, names: list[str] | None = None,
                     progress: ProgressFactory = no_progress) -> IngestReport:  # fmt: skip
        """Add or replace the issues of ``paths`` (recorded under ``names``, the files' names as sent)."""
        with self.audit.failing("add", actor, file=", ".join(names or [p.name for p in paths])[:500]):
            report = ingest(paths, self.workspace.corpus_dir, self.workspace.index_dir, progress=progress)
        for (issue_id, sha256), name in zip(report.files, names or [p.name for p in paths], strict=True):
            action = "add" if issue_id in report.added else "replace" if issue_id in report.replaced else None
            if action:
                self.audit.record(action, actor, issue=issue_id, file=name, sha256=sha256)
        return report

    def ingest_upload(self, data: bytes, name: str, actor: Actor) -> IngestReport:
        """Add or replace the issue of an uploaded file: read first under the name it was sent as (so that an
        error names it), then ingested from a copy whose path is ours, not the sender's."""
        with self.audit.failing("add", actor, file=name):
            read_bytes(data, name)
        folder = Path(tempfile.mkdtemp(prefix="bulletin-upload-"))
        try:
            path = folder / f"upload{Path(name).suffix.lower()}"
            path.write_bytes(data)
            return self.ingest_files([path], actor, names=[name])
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def stage(self, data: bytes, name: str, actor: Actor) -> str:
        """Keep an upload pending and read it for its preview; its key. Nothing is written to the corpus or the
        index. A file slow to read (a scan, an old Word file) is read in a process of its own
        (``workspace.reading(key)`` tells how it goes); any other at once."""
        if slow_to_read(data, name):
            uploads = self.workspace.uploads()
            if Reading.running(uploads) >= MAX_READING:
                raise WriterBusyError(f"已有 {MAX_READING} 个文件正在识别或转换。请等它们读完（约每页几秒）再上传。")
            key = self.workspace.keep(data, name)
            Reading(uploads, key).start(name, actor)
            return key
        with self.audit.failing("preview", actor, file=name):
            preview = self.workspace.stage_upload(data, name)
        self.audit.record("preview", actor, issue=preview.issue.id, file=name, sha256=preview.key)
        return preview.key

    def confirm(self, key: str, actor: Actor) -> tuple[Preview, IngestReport] | None:
        """Ingest the pending upload ``key`` and drop it; None when there is no such upload (or another request
        is confirming it: one of several at once gets it, and a failed one leaves it pending)."""
        preview = self.workspace.preview(key)
        path = self.workspace.claim(key) if preview is not None else None
        if preview is None or path is None:
            return None
        try:
            report = self.ingest_files([path], actor, names=[preview.name])
        except BaseException:
            self.workspace.release(key)
            raise
        self.workspace.discard(key)
        return preview, report

    def discard(self, key: str, actor: Actor) -> None:
        found = self.workspace.pending(key)
        if found is not None:
            self.workspace.discard(key)
            self.audit.record("discard", actor, file=found[1], sha256=key)

    def remove(self, issue_id: str, actor: Actor) -> RemoveReport:
        """Take one issue out of the index and its files out of the corpus (NoSuchIssueError if it is in
        neither)."""
        with self.audit.failing("remove", actor, issue=issue_id[:64]):
            report = remove_issue(issue_id, self.workspace.corpus_dir, self.workspace.index_dir)
        files = ", ".join(Path(f).name for f in report.files) or None
        self.audit.record("remove", actor, issue=issue_id, file=files)
        return report

    def rebuild(self, actor: Actor) -> bool:
        """Start a full rebuild in the background (its end is recorded too); False if one is running."""
        started = self.rebuilding.start(actor)
        self.audit.record("rebuild", actor, "ok" if started else "failed", detail=None if started else "已有重建在进行")
        return started

    def reindex(self, actor: Actor, *, progress: ProgressFactory = no_progress) -> BuildReport:
        """A full rebuild, waited for (the command line's)."""
        self.audit.record("rebuild", actor)
        with self.audit.failing("rebuilt", actor):
            report = reindex(self.workspace.corpus_dir, self.workspace.index_dir, progress=progress)
        self.audit.record("rebuilt", actor, detail=f"{report.issues} 期，{report.articles} 篇")
        return report

    def backup(self, dest: Path, actor: Actor) -> BackupReport:
        """The corpus, the vocabulary and the accounts in one archive."""
        accounts = self.staff.accounts.snapshot()
        with self.audit.failing("backup", actor):
            report = backup(self.workspace.corpus_dir, dest, extra={ACCOUNTS_MEMBER: accounts} if accounts else None)
        self.audit.record("backup", actor, file=report.path.name, detail=f"{report.issues} 期")
        return report

    def restore(self, archive: Path, actor: Actor) -> BackupReport:
        """Everything a backup holds put back (checked whole first), and the index rebuilt from it."""
        with self.audit.failing("restore", actor, file=Path(archive).name):
            report = restore(archive, self.workspace.corpus_dir, self.workspace.index_dir, check=_check_data)
            accounts = report.data.get(ACCOUNTS_MEMBER)
            if accounts is not None:
                self.staff.accounts.replace_with(accounts)
        self.audit.record("restore", actor, file=Path(archive).name, detail=f"{report.issues} 期")
        return report

    def verify_records(self) -> list[str]:
        """What is wrong with the audit trail's chain and the word lists in use (empty when nothing is)."""
        return self.audit.verify()[1] + vocabulary_problems()

    def save_word_list(self, name: str, text: str, actor: Actor, *, base: str | None = None) -> Path:
        """Check ``text`` as the word list ``name`` and save it (ValueError names a line not in its form); with
        ``base``, only onto the file whose digest it is (``StaleEdit`` otherwise: it changed since the preview)."""
        before = vocabulary_file(name).read_text(encoding="utf-8") if name in VOCABULARY_FILES else ""
        with self.audit.failing("vocabulary", actor, file=name[:64]):
            if base is not None and digest(before) != base:
                raise StaleEdit("词表在预览之后已被修改（可能有人同时保存了）。请重新操作一次，再确认。")
            path = write_vocabulary(name, text)
        self.audit.record("vocabulary", actor, file=name, diff=diff(before, path.read_text(encoding="utf-8"), name))
        return path

    def add_term(self, term: str, actor: Actor) -> None:
        """Add one term to the domain dictionary (as offered by a preview)."""
        term = term.strip()
        with self.audit.failing("term", actor, file="userdict.txt"):
            edit = adding_word(term)  # checked as the vocabulary page checks a word (ValueError names why)
            if term not in {w for w, _ in domain_words()}:
                write_vocabulary(edit.name, edit.after)
        self.audit.record("term", actor, file="userdict.txt", detail=term, diff=f"+{term} {TERM_FREQUENCY}")


def _check_data(data: dict[str, bytes]) -> None:
    """A backup's data/ files, before anything is replaced: only the accounts, and whole."""
    for path, content in data.items():
        if path != ACCOUNTS_MEMBER:
            raise ValueError(f"其中的 {path} 不是本系统备份的数据文件")
        Accounts.check_snapshot(content)
