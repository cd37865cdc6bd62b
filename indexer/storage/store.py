"""The index folder: its generations, the atomic switch between them, and the writer lock.

Layout of the index folder::

    var/index/
      CURRENT              name of the generation readers use (replaced atomically)
      .lock                flock()ed by the one writer; the kernel releases it if the writer dies
      gen-<ns>-<pid>/      one complete generation (what it holds: ``generation``)

A build writes a new generation beside the live one, syncs it to disk and
only then rewrites CURRENT, so readers see the old index or the new one,
never a half-built or empty one. A build killed at any moment leaves only an
unreferenced folder, removed by the next build.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.corpus import write_atomic

from ..errors import IndexCorruptError, IndexMissingError, WriterBusyError
from .faults import checkpoint

CURRENT = "CURRENT"
PREFIX = "gen-"
# Present in every complete generation (written last by a build); see ``generation``.
COMPLETE_MARK = "meta.json"


class IndexStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._current = str(self.root / CURRENT)  # a string: asked with every search, not a path made each time
        self._known: tuple[tuple[int, int, int], str | None] | None = None  # CURRENT's identity and name

    def current_name(self) -> str | None:
        """The live generation's name. Every search asks, so the file is read again only when it is another
        file (``CURRENT`` is only ever replaced by a rename) or was written since."""
        try:
            stat = os.stat(self._current)
            identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            if self._known is not None and self._known[0] == identity:
                return self._known[1]
            name = Path(self._current).read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None
        self._known = (identity, name)
        return name

    def current(self) -> Path:
        """The live generation's folder, or an error that says to run ``bulletin reindex``."""
        name = self.current_name()
        if name is None:
            raise IndexMissingError(f"索引目录 {self.root} 中还没有索引。请运行 bulletin reindex 从语料库建立索引。")
        path = self.root / name
        if not (path / COMPLETE_MARK).is_file():
            raise IndexCorruptError(f"索引 {path} 不完整或已损坏。请运行 bulletin reindex 从语料库重建索引。")
        return path

    def new_generation(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"{PREFIX}{time.time_ns():020d}-{os.getpid()}"
        path.mkdir()
        return path

    def copy_generation(self, source: Path) -> Path:
        """A new generation starting as ``source``: hard links (its parts' folders made anew), since neither
        Whoosh nor this project ever rewrites a file in place."""
        target = self.new_generation()
        for item in source.rglob("*"):
            place = target / item.relative_to(source)
            if item.is_dir():
                place.mkdir()
            elif not item.name.endswith("LOCK"):
                try:
                    os.link(item, place)
                except OSError:
                    shutil.copy2(item, place)
        return target

    def switch(self, generation: Path) -> None:
        """Make ``generation`` live, after everything in it is on disk; drop older ones."""
        _fsync_tree(generation)
        checkpoint("switch")
        previous = self.current_name()
        write_atomic(self.root / CURRENT, generation.name.encode("utf-8"))
        self.cleanup(keep={generation.name, previous})

    def discard(self, generation: Path) -> None:
        shutil.rmtree(generation, ignore_errors=True)

    def cleanup(self, keep: set[str | None]) -> None:
        """Remove generations that are neither live nor the one just replaced (and killed builds)."""
        if not self.root.is_dir():
            return
        for path in self.root.iterdir():
            if path.is_dir() and path.name.startswith(PREFIX) and path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    @contextmanager
    def lock(self, timeout: float = 120.0) -> Iterator[None]:
        """Hold the writer lock; wait up to ``timeout`` seconds for another writer to finish."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() >= deadline:
                        raise WriterBusyError(
                            f"另一个 reindex 或 ingest 正在写入索引 {self.root}，等待 {timeout:.0f} 秒后仍未结束。"
                            "请稍后再试。"
                        ) from None
                    time.sleep(0.1)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the flock


def replace_file(path: Path, data: bytes) -> None:
    """Write ``path`` through a new file and a rename: never in place, since it may be a hard link
    shared with the live generation. Not synced here; the switch syncs the whole generation."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _fsync_tree(folder: Path) -> None:
    """Whoosh does not fsync; do it for every file and folder of the generation before the switch."""
    for item in [*folder.rglob("*"), folder]:
        fd = os.open(item, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
