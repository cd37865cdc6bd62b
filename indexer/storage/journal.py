"""The ingest journal: what an ingest is about to do to the corpus, written before it switches the index.

An ingest stages its corpus files beside their targets, writes this journal into the index folder (synced),
switches the index, then renames the staged files in, removes the files they replace, and deletes the
journal. A kill anywhere in between leaves the journal behind, and the next writer, `bulletin serve` or
`bulletin verify` finishes the job from it before doing anything else:

- the index was switched to the journal's generation: the renames and removals are completed;
- it was not: the staged files, any folder the ingest made and the unused generation are removed.

Either way corpus and index agree again. The journal is only acted on under the writer lock, so a live
ingest's own journal is never touched by another process.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from archive.corpus import write_atomic

from ..errors import WriterBusyError
from .faults import checkpoint
from .store import IndexStore

JOURNAL = "INGEST.json"


@dataclass
class Journal:
    generation: str  # the generation the ingest switches to
    moves: list[tuple[str, str]] = field(default_factory=list)  # staged file → its corpus path
    removes: list[str] = field(default_factory=list)  # corpus files the new ones replace
    folders: list[str] = field(default_factory=list)  # corpus folders the ingest made

    def write(self, store: IndexStore) -> None:
        write_atomic(store.root / JOURNAL, json.dumps(asdict(self), ensure_ascii=False).encode("utf-8"))

    @classmethod
    def read(cls, store: IndexStore) -> Journal | None:
        try:
            data = json.loads((store.root / JOURNAL).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            # Written atomically, so a garbled journal was never complete: nothing was switched by it.
            (store.root / JOURNAL).unlink(missing_ok=True)
            return None
        return cls(data["generation"], [tuple(m) for m in data["moves"]], data["removes"], data["folders"])

    def complete(self, store: IndexStore) -> None:
        """After the switch: rename every staged file in, remove what it replaces, then drop the journal."""
        folders = set()
        for staged, target in self.moves:
            if Path(staged).exists():
                os.replace(staged, target)
                checkpoint("rename")
            folders.add(Path(target).parent)
        for old in self.removes:
            Path(old).unlink(missing_ok=True)
            folders.add(Path(old).parent)
        for folder in folders:
            _fsync_folder(folder)
        clear(store)

    def roll_back(self, store: IndexStore) -> None:
        """Before the switch: remove what the ingest staged and made, then drop the journal."""
        for staged, _ in self.moves:
            Path(staged).unlink(missing_ok=True)
        for folder in self.folders:
            with contextlib.suppress(OSError):
                Path(folder).rmdir()  # only if still empty
        if self.generation != store.current_name():
            store.discard(store.root / self.generation)
        clear(store)

    def settle(self, store: IndexStore) -> str:
        """Complete the ingest if the index was switched to its generation, else roll it back."""
        if store.current_name() == self.generation:
            self.complete(store)
            return "completed"
        self.roll_back(store)
        return "rolled back"


def clear(store: IndexStore) -> None:
    (store.root / JOURNAL).unlink(missing_ok=True)
    _fsync_folder(store.root)


def recover(store: IndexStore) -> str | None:
    """Settle an interrupted ingest; call under the writer lock. Says how, or None if there was none."""
    journal = Journal.read(store)
    return journal.settle(store) if journal is not None else None


def recover_if_idle(index_dir: Path) -> str | None:
    """For readers (serve, verify): settle an interrupted ingest unless a writer is at work right now."""
    store = IndexStore(index_dir)
    if not (store.root / JOURNAL).exists():
        return None
    try:
        with store.lock(timeout=0):
            return recover(store)
    except WriterBusyError:
        return None  # the writer holding the lock owns the journal


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
