"""Reading an upload that takes more than a moment (a scan to recognise, an old Word or WPS file to convert) in a
process of its own: the upload answers at once with a page that follows the reading, page by page, until the
preview can be shown. What was read is kept by the file's checksum (``archive.readers.cache``), so the preview
and the confirmation read it again in a moment.

    python3 -m indexer.admin.reading DATA KEY NAME ACTOR ADDRESS     (what ``Reading.start`` runs)
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from archive import ArchiveError, read_bytes
from archive.corpus import write_atomic

from .audit import Actor, AuditLog
from .rebuild import alive, spawn

MAX_READING = 2  # uploads read in the background at once: recognition takes a core and hundreds of MB


class Reading:
    """The reading of pending upload ``key``: its status file beside the upload."""

    def __init__(self, uploads: Path, key: str):
        self.uploads, self.key = uploads, key
        self.path = uploads / f"{key}.reading"

    def status(self) -> dict[str, Any] | None:
        """``state`` (reading, done or failed) with the pages done and in all; None when it was never read
        in the background."""
        try:
            status = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if status.get("state") == "reading" and not alive(status.get("pid")):
            return {**status, "state": "failed", "message": "读取进程已退出，未能读完。请重新上传。"}
        return status

    @classmethod
    def running(cls, uploads: Path) -> int:
        """How many uploads are being read now."""
        statuses = (cls(uploads, path.stem).status() for path in uploads.glob("*.reading"))
        return sum(1 for status in statuses if status and status.get("state") == "reading")

    def start(self, name: str, actor: Actor) -> None:
        data_dir = self.uploads.parent
        pid = spawn(__name__, str(data_dir), self.key, name, actor.name, actor.address or "")
        self.write(state="reading", done=0, total=0, started=time.time(), pid=pid)

    def run(self, source: Path, name: str, actor: Actor) -> None:
        """In the reading's process: read the upload, telling the status file page by page."""
        started = time.time()
        audit = AuditLog(self.uploads.parent / "audit.log")

        def tell(done: int, total: int) -> None:
            self.write(state="reading", done=done, total=total, started=started, pid=os.getpid())

        try:
            parsed = read_bytes(source.read_bytes(), name, progress=tell)
        except (ArchiveError, OSError) as exc:
            message = (getattr(exc, "message", None) and str(exc)) or f"无法读取（{type(exc).__name__}）。"
            self.write(state="failed", started=started, finished=time.time(), message=message, pid=os.getpid())
            audit.record("preview", actor, "failed", file=name, detail=f"失败：{message}")
            return
        self.write(state="done", started=started, finished=time.time(), pid=os.getpid())
        audit.record("preview", actor, issue=parsed.issue.id, file=name, sha256=self.key)

    def write(self, **status: Any) -> None:
        write_atomic(self.path, json.dumps(status, ensure_ascii=False).encode("utf-8"))


def main(argv: list[str]) -> None:
    data, key, name, actor, address = argv
    uploads = Path(data) / "uploads"
    suffix = json.loads((uploads / f"{key}.json").read_text(encoding="utf-8"))["suffix"]
    Reading(uploads, key).run(uploads / f"{key}{suffix}", name, Actor(actor, address or None))


if __name__ == "__main__":
    main(sys.argv[1:])
