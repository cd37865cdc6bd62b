"""A full rebuild in the background, in a process of its own: started from the admin pages or the API (a request
answers at once), its progress in the data folder where any worker can read it, its end in the audit trail.

    python3 -m indexer.admin.rebuild CORPUS INDEX DATA ACTOR     (what ``Rebuild.start`` runs)
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from archive.corpus import write_atomic

from ..language.wordlists import use_vocabulary
from ..storage.build import reindex
from .audit import Actor, AuditLog


class Rebuild:
    """The background rebuild of one workspace: its status file (``rebuild.json`` in the data folder)."""

    def __init__(self, corpus_dir: Path, index_dir: Path, data_dir: Path):
        self.corpus_dir, self.index_dir, self.data_dir = Path(corpus_dir), Path(index_dir), Path(data_dir)
        self.path = self.data_dir / "rebuild.json"

    def status(self) -> dict[str, Any]:
        """``state`` (idle, running, done or failed), with the progress, times and outcome."""
        try:
            status = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"state": "idle"}
        if status.get("state") == "running" and not alive(status.get("pid")):
            return {**status, "state": "failed", "message": "重建进程已退出，未能完成；索引保持原样。请重新开始。"}
        return status

    def start(self, actor: Actor) -> bool:
        """Start a rebuild in a process of its own unless one is running; False when one was."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir / "rebuild.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one check-and-start at a time, whichever worker asks
            if self.status().get("state") == "running":
                return False
            where = (str(self.corpus_dir), str(self.index_dir), str(self.data_dir))
            pid = spawn(__name__, *where, actor.name, actor.address or "")
            self.write(state="running", done=0, total=0, started=time.time(), pid=pid)
        return True

    def run(self, actor: Actor) -> None:
        """In the rebuild's process: rebuild, keeping the status file and the audit trail."""
        started = time.time()
        audit = AuditLog(self.data_dir / "audit.log")
        try:
            report = reindex(self.corpus_dir, self.index_dir, progress=self._progress)
        except Exception as exc:  # shown on the page; the index is as it was
            message = getattr(exc, "message", None) or str(exc) or traceback.format_exc(limit=1)
            self.write(state="failed", started=started, finished=time.time(), message=message, pid=os.getpid())
            audit.record("rebuilt", actor, "failed", detail=f"失败：{message}")
            return
        counts = {"done": report.articles, "total": report.articles, "issues": report.issues}
        self.write(state="done", **counts, started=started, finished=time.time(), generation=report.generation,
                   pid=os.getpid())  # fmt: skip
        audit.record("rebuilt", actor, detail=f"{report.issues} 期，{report.articles} 篇")

    @contextmanager
    def _progress(self, total: int, **_: Any):
        bar = _StatusBar(self, total, self.status().get("started") or time.time())
        yield bar
        bar.flush()

    def write(self, **status: Any) -> None:
        write_atomic(self.path, json.dumps(status, ensure_ascii=False).encode("utf-8"))


class _StatusBar:
    """A progress bar that writes the rebuild's status file, a few times a second at most."""

    def __init__(self, rebuild: Rebuild, total: int, started: float):
        self.rebuild, self.total, self.started, self.done, self.written = rebuild, total, started, 0, 0.0

    def update(self, n: int = 1) -> None:
        self.done += n
        if time.monotonic() - self.written > 0.2:
            self.flush()

    def flush(self) -> None:
        self.written = time.monotonic()
        self.rebuild.write(state="running", done=self.done, total=self.total, started=self.started, pid=os.getpid())


# The processes this one started, so that it can tell a finished one (which it must reap) from a live one.
_children: dict[int, subprocess.Popen] = {}


def spawn(module: str, *args: str) -> int:
    """Run ``python -m module args`` in a process of its own; its pid."""
    child = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # it finishes even if the worker that started it is recycled
    )
    _children[child.pid] = child
    return child.pid


def alive(pid: Any) -> bool:
    child = _children.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(int(pid), 0)
    except (TypeError, ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def main(argv: list[str]) -> None:
    corpus, index, data, name, address = argv
    use_vocabulary(Path(data) / "vocabulary")
    Rebuild(Path(corpus), Path(index), Path(data)).run(Actor(name, address or None))


if __name__ == "__main__":
    main(sys.argv[1:])
