"""The audit trail: one JSON line for every security-relevant event (sign-ins and their failures, sign-outs,
lock-outs, every write to the archive, vocabulary changes with their diff, account changes), whoever caused
it (the admin pages, the API, the command line), in Beijing time with the actor, the address, the target and
the outcome.

Append-only and chained: each record carries the hash of the one before it and its own, and ``audit.head``
holds the last record's number and hash, so that ``verify`` finds a record edited, removed or inserted, and
the newest ones cut off. Appends hold an exclusive ``flock`` on the log, so records from several workers and
commands are chained in the order they were written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import fcntl
import getpass
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.corpus import write_atomic

ACTIONS = {
    "sign-in": "登录",
    "sign-out": "退出",
    "lock": "锁定账户",
    "throttle": "限制尝试",
    "token": "令牌验证",
    "preview": "预览",
    "discard": "放弃上传",
    "add": "新增",
    "replace": "替换",
    "remove": "删除",
    "rebuild": "重建索引",
    "rebuilt": "重建索引结束",
    "vocabulary": "修改词表",
    "term": "收录新词",
    "user-add": "新增用户",
    "user-disable": "停用用户",
    "user-enable": "启用用户",
    "user-password": "修改密码",
    "user-role": "修改角色",
    "backup": "备份",
    "restore": "恢复备份",
}
OUTCOMES = {"ok": "成功", "failed": "失败"}
BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")  # China keeps no summer time
GENESIS = "0" * 64
DIFF_LINES, DIFF_CHARS = 400, 20_000
DETAIL_CHARS = 500  # a vocabulary diff is kept up to this size, then cut with a note
_FIELDS = ("target", "issue", "file", "sha256", "detail", "diff")


@dataclass(frozen=True)
class Actor:
    """Who did something, and from where (an address for a request; none on the command line)."""

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
    def __init__(self, path: Path):
        self.path = path
        self.head = path.with_name(path.name.replace(".log", "") + ".head")

    def record(self, action: str, actor: Actor, outcome: str = "ok", **details: Any) -> None:
        """Append ``action`` by ``actor`` with its ``outcome`` and ``details`` (target, issue, file, sha256,
        detail, diff), chained to the record before it."""
        entry: dict[str, Any] = {
            "time": dt.datetime.now(BEIJING).isoformat(timespec="seconds"),
            "action": action,
            "actor": actor.name,
            "address": actor.address,
            "outcome": outcome,
            **{key: details.get(key) for key in _FIELDS},
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            last = _last_record(fd)
            entry["seq"] = last.get("seq", 0) + 1
            entry["prev"] = last.get("hash", GENESIS)
            entry["hash"] = _hash(entry)
            os.write(fd, (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
            os.fsync(fd)
            write_atomic(self.head, json.dumps({"seq": entry["seq"], "hash": entry["hash"]}).encode())
        finally:
            os.close(fd)  # releases the lock

    @contextlib.contextmanager
    def failing(self, action: str, actor: Actor, **details: Any) -> Iterator[None]:
        """Record ``action`` as failed, with the reason, if what this wraps raises (which it then still does);
        a success is recorded by what it wraps, with what it did."""
        try:
            yield
        except Exception as exc:
            reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            self.record(action, actor, "failed", **{"detail": reason[:DETAIL_CHARS], **details})
            raise

    def entries(self, limit: int = 500) -> list[dict[str, Any]]:
        """The newest ``limit`` records, newest first, each with its action's and outcome's Chinese labels."""
        out = []
        for line in reversed(_tail(self.path, limit)):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict):
                label = ACTIONS.get(entry.get("action"), entry.get("action"))
                out.append({**entry, "label": label, "outcome_label": OUTCOMES.get(entry.get("outcome"), "")})
        return out

    def verify(self) -> tuple[int, list[str]]:
        """The number of chained records, and what is wrong with the chain (empty when it is whole)."""
        try:
            lines = self.path.read_bytes().decode("utf-8", "replace").splitlines()
        except FileNotFoundError:
            lines = []
        problems, prev, seq, chained = [], GENESIS, 0, 0
        for number, line in enumerate(lines, 1):
            try:
                entry = json.loads(line)
            except ValueError:
                problems.append(f"操作记录第 {number} 行不是完整的记录（被改动或截断）。")
                continue
            if not isinstance(entry, dict) or "hash" not in entry:
                if chained:
                    problems.append(f"操作记录第 {number} 行没有哈希，是后来插入的。")
                continue  # records from before the chain began
            chained += 1
            if entry.get("prev") != prev or entry.get("seq") != seq + 1:
                problems.append(f"操作记录第 {number} 行（第 {entry.get('seq')} 条）之前的记录被删除、插入或调换。")
            if _hash(entry) != entry["hash"]:
                problems.append(f"操作记录第 {number} 行（第 {entry.get('seq')} 条）的内容被改动。")
            prev, seq = entry["hash"], entry.get("seq", seq + 1)
        problems.extend(self._check_head(prev, seq))
        return chained, problems

    def _check_head(self, last_hash: str, last_seq: int) -> list[str]:
        try:
            head = json.loads(self.head.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return [] if last_seq == 0 else [f"缺少 {self.head.name}，无法确认最新的记录是否完整。"]
        except ValueError:
            return [f"{self.head.name} 已损坏。"]
        if head.get("seq") != last_seq or head.get("hash") != last_hash:
            return [f"最新的记录应为第 {head.get('seq')} 条，现在只到第 {last_seq} 条：末尾的记录被删除或改动。"]
        return []


def diff(before: str, after: str, name: str) -> str:
    """What changed in a text file, as a unified diff, cut at ``DIFF_LINES`` lines or ``DIFF_CHARS``."""
    lines = list(difflib.unified_diff(before.splitlines(), after.splitlines(), f"{name}（原）", f"{name}（新）",
                                      lineterm="", n=0))  # fmt: skip
    text = "\n".join(lines[:DIFF_LINES])
    if len(lines) > DIFF_LINES or len(text) > DIFF_CHARS:
        text = text[:DIFF_CHARS] + f"\n……（差异共 {len(lines)} 行，只记录了开头）"
    return text


def _hash(entry: dict[str, Any]) -> str:
    body = {key: value for key, value in entry.items() if key != "hash"}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def _last_record(fd: int) -> dict[str, Any]:
    """The last chained record of the log open at ``fd`` (empty when there is none)."""
    size = os.fstat(fd).st_size
    step, data = 64 * 1024, b""
    while size > 0:
        start = max(0, size - step)
        data = os.pread(fd, size - start, start) + data
        size = start
        for line in reversed(data.splitlines()[1 if size else 0 :]):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and "hash" in entry:
                return entry
    return {}


def _tail(path: Path, count: int) -> list[bytes]:
    """The last ``count`` lines of ``path``, read from its end."""
    try:
        with path.open("rb") as f:
            size = f.seek(0, os.SEEK_END)
            data, at = b"", size
            while at > 0 and data.count(b"\n") <= count:
                start = max(0, at - 256 * 1024)
                f.seek(start)
                data = f.read(at - start) + data
                at = start
    except FileNotFoundError:
        return []
    return data.splitlines()[-count:]
