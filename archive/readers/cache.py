"""What slow readers made, kept by the checksum of what they read: a rebuild, a second preview and the
confirmation of an upload read a scan or an old Word file again without recognising or converting it again.

The folder is ``BULLETIN_CACHE`` (the same as the search's), else ``~/.cache/bulletin-archive``; a file that
cannot be written there only costs the next reading its time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def folder() -> Path:
    return Path(os.environ.get("BULLETIN_CACHE") or Path.home() / ".cache" / "bulletin-archive") / "readers"


def remembered(name: str, make: Callable[[], bytes]) -> bytes:
    """The bytes kept under ``name`` (a checksum and what was made of it), else ``make()``'s, kept."""
    path = folder() / name
    try:
        return path.read_bytes()
    except OSError:
        pass
    data = make()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError:
        pass
    return data
