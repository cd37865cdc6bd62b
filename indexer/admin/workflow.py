"""Every write staff make to the archive, in one place for the admin pages, the API and the command line: each
changes the corpus and the index the one way (``storage.build``) and leaves its record in the audit trail with
who made it (``audit.Actor``)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from archive import read_bytes

from ..language.wordlists import domain_words, parse_userdict, vocabulary_file, write_vocabulary
from ..storage.build import BuildReport, IngestReport, ProgressFactory, RemoveReport, ingest, no_progress, reindex
from ..storage.build import remove as remove_issue
from .audit import Actor, AuditLog
from .rebuild import Rebuild
from .workspace import Preview, Workspace

TERM_FREQUENCY = 2000  # a term accepted from a preview: enough for jieba to keep it whole


class Admin:
    """The writes of one workspace, each audited."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.audit = AuditLog(workspace.data_dir / "audit.log")
        self.rebuilding = Rebuild(workspace.corpus_dir, workspace.index_dir, workspace.data_dir)

    def ingest_files(self, paths: list[Path], actor: Actor, *, names: list[str] | None = None,
                     progress: ProgressFactory = no_progress) -> IngestReport:  # fmt: skip
        """Add or replace the issues of ``paths`` (recorded under ``names``, the files' names as sent)."""
        report = ingest(paths, self.workspace.corpus_dir, self.workspace.index_dir, progress=progress)
        for (issue_id, sha256), name in zip(report.files, names or [p.name for p in paths], strict=True):
            action = "add" if issue_id in report.added else "replace" if issue_id in report.replaced else None
            if action:
                self.audit.record(action, actor, issue=issue_id, file=name, sha256=sha256)
        return report

    def ingest_upload(self, data: bytes, name: str, actor: Actor) -> IngestReport:
        """Add or replace the issue of an uploaded file: read first under the name it was sent as (so that an
        error names it), then ingested from a copy whose path is ours, not the sender's."""
        read_bytes(data, name)
        folder = Path(tempfile.mkdtemp(prefix="bulletin-upload-"))
        try:
            path = folder / f"upload{Path(name).suffix.lower()}"
            path.write_bytes(data)
            return self.ingest_files([path], actor, names=[name])
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def stage(self, data: bytes, name: str, actor: Actor) -> Preview:
        """Keep an upload pending and preview it; nothing is written to the corpus or the index."""
        preview = self.workspace.stage_upload(data, name)
        self.audit.record("preview", actor, issue=preview.issue.id, file=name, sha256=preview.key)
        return preview

    def confirm(self, key: str, actor: Actor) -> tuple[Preview, IngestReport] | None:
        """Ingest the pending upload ``key`` and drop it; None when there is no such upload."""
        preview, found = self.workspace.preview(key), self.workspace.pending(key)
        if preview is None or found is None:
            return None
        report = self.ingest_files([found[0]], actor, names=[preview.name])
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
        report = remove_issue(issue_id, self.workspace.corpus_dir, self.workspace.index_dir)
        files = ", ".join(Path(f).name for f in report.files) or None
        self.audit.record("remove", actor, issue=issue_id, file=files)
        return report

    def rebuild(self, actor: Actor) -> bool:
        """Start a full rebuild in the background (its end is recorded too); False if one is running."""
        started = self.rebuilding.start(actor)
        if started:
            self.audit.record("rebuild", actor)
        return started

    def reindex(self, actor: Actor, *, progress: ProgressFactory = no_progress) -> BuildReport:
        """A full rebuild, waited for (the command line's)."""
        self.audit.record("rebuild", actor)
        report = reindex(self.workspace.corpus_dir, self.workspace.index_dir, progress=progress)
        self.audit.record("rebuilt", actor, detail=f"{report.issues} 期，{report.articles} 篇")
        return report

    def save_word_list(self, name: str, text: str, actor: Actor) -> Path:
        """Check ``text`` as the word list ``name`` and save it (ValueError names a line not in its form)."""
        path = write_vocabulary(name, text)
        self.audit.record("vocabulary", actor, file=name)
        return path

    def add_term(self, term: str, actor: Actor) -> None:
        """Add one term to the domain dictionary (as offered by a preview)."""
        term = term.strip()
        parse_userdict(term)
        if term not in {w for w, _ in domain_words()}:
            text = vocabulary_file("userdict.txt").read_text(encoding="utf-8")
            write_vocabulary("userdict.txt", text.rstrip("\n") + f"\n{term} {TERM_FREQUENCY}\n")
        self.audit.record("term", actor, detail=term)
