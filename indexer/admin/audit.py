"""The audit trail: one JSON line for each write staff make to the archive, whoever makes it (the admin pages,
the API, the command line), appended whole or not at all."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACTIONS = {
    "sign-in": "登录",
    "sign-out": "退出",
    "preview": "预览",
    "discard": "放弃上传",
    "add": "新增",
    "replace": "替换",
    "remove": "删除",
    "rebuild": "重建索引",
    "rebuilt": "重建索引结束",
    "vocabulary": "修改词表",
    "term": "收录新词",
}


@dataclass(frozen=True)
class Actor:
    """Who made a change, and from where (an address for a request; none on the command line)."""

    name: str
    address: str | None = None

    @classmethod
    def operating_system_user(cls) -> Actor:
        """The person at the command line, as the operating system knows them."""
        try:
            return cls(f"{getpass.getuser()}（命令行）")
        except (KeyError, OSError):  # no name for this uid (a container)
            return cls(f"uid {os.getuid()}（命令行）")


class AuditLog:
    """One JSON line per admin action, appended (a line is written whole or not at all)."""

    def __init__(self, path: Path):
        self.path = path

    def record(self, action: str, actor: Actor, **details: Any) -> None:
        """Append ``action`` by ``actor`` with its ``details`` (issue, file, sha256, detail)."""
        entry = {
            "time": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "action": action,
            "actor": actor.name,
            "address": actor.address,
            **{key: details.get(key) for key in ("issue", "file", "sha256", "detail")},
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
