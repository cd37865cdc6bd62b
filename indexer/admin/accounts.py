"""Named staff accounts, their sessions and the guard against guessing, in one SQLite database in the data
folder (``accounts.sqlite3``, backed up with the corpus).

Each person signs in with a name and a password of their own, hashed with scrypt (memory-hard: 16 MB a try).
A role says what an account may do (``PERMISSIONS``). Five wrong passwords in a row lock an account for 15
minutes; ten failures from one address within 15 minutes (wrong passwords, unknown names, wrong tokens) make
that address wait (``Guard``), answered at once rather than slept on, since a worker that sleeps serves no one.
A session ends after 30 idle minutes, 8 hours after it began, at sign-out, or when its account is disabled or
its password changed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from archive.corpus import write_atomic

ROLES = {"editor": "编辑", "admin": "管理员"}
# What each role may do. Editors add, replace and remove issues and rebuild; admins also edit the vocabulary,
# read the audit trail, manage accounts and download backups.
_EDITOR = frozenset({"upload", "confirm", "discard", "remove", "rebuild"})
# A backup holds the accounts (their password hashes): an admin's to take.
PERMISSIONS = {"editor": _EDITOR, "admin": _EDITOR | {"vocabulary", "audit", "users", "backup"}}
TOKEN_NAME = "令牌"  # who BULLETIN_ADMIN_TOKEN is, in sessions and the audit trail
NAME = re.compile(r"^[\w.\-]{1,32}$")
MIN_PASSWORD, MAX_PASSWORD = 10, 128
MAX_FAILURES, LOCK_SECONDS = 5, 15 * 60
ADDRESS_FAILURES, ADDRESS_WINDOW = 10, 15 * 60
IDLE_SECONDS, SESSION_SECONDS = 30 * 60, 8 * 3600
MAX_DATABASE_BYTES = 64 * 1024 * 1024  # a restored accounts database (a few hundred staff take kilobytes)
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, password TEXT NOT NULL, created REAL NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0, locked_until REAL NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, address TEXT,
    created REAL NOT NULL, seen REAL NOT NULL);
CREATE TABLE IF NOT EXISTS failures (address TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS failures_by_address ON failures (address, at);
CREATE TABLE IF NOT EXISTS throttled (address TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS secret (id INTEGER PRIMARY KEY CHECK (id = 1), key BLOB NOT NULL);
"""


class AccountError(ValueError):
    """A change to an account that cannot be made as asked; the message says why, in Chinese."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    disabled: bool
    locked_until: float

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


@dataclass(frozen=True)
class Session:
    id: str
    name: str
    role: str

    def may(self, action: str) -> bool:
        return action in PERMISSIONS.get(self.role, ())


@dataclass(frozen=True)
class SignIn:
    """How a sign-in went: ``outcome`` is ok, wrong, locked (now or already), disabled or throttled."""

    outcome: str
    user: User | None = None
    locked_now: bool = False
    retry_after: int = 0


def check_password(password: str, name: str = "") -> None:
    """AccountError unless ``password`` has 10 to 128 characters of at least three kinds and is not the name."""
    kinds = sum(bool(re.search(pattern, password)) for pattern in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]"))
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD or kinds < 3:
        raise AccountError(
            f"密码太弱：需要 {MIN_PASSWORD} 到 {MAX_PASSWORD} 个字符，并包含小写字母、大写字母、数字、"
            "其他符号中的至少三类。"
        )
    if name and name.lower() in password.lower():
        raise AccountError("密码不能包含用户名。")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, maxmem=64 * 1024 * 1024, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        given = hashlib.scrypt(password.encode("utf-8", "replace"), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                               p=int(p), maxmem=64 * 1024 * 1024)  # fmt: skip
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(given.hex(), digest)


@functools.cache
def _nobody() -> str:
    """Checked against when a name is unknown, so that a wrong name takes as long as a wrong password."""
    return hash_password(secrets.token_urlsafe(16))


class Accounts:
    """The accounts database of one data folder."""

    def __init__(self, path: Path):
        self.path = path

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """A connection for one operation, in one transaction (opened per operation: workers fork)."""
        fresh = not self.path.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            if fresh:
                os.chmod(self.path, 0o600)
            db.execute("PRAGMA busy_timeout = 10000")
            db.executescript(_SCHEMA)
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def snapshot(self) -> bytes | None:
        """The database as it is now, whole (SQLite's online backup), for a backup archive; None if there is
        none yet."""
        if not self.path.exists():
            return None
        with tempfile.TemporaryDirectory() as folder:
            copy = sqlite3.connect(Path(folder) / "copy.sqlite3")
            source = sqlite3.connect(self.path, timeout=10)
            try:
                source.backup(copy)
            finally:
                source.close()
                copy.close()
            return (Path(folder) / "copy.sqlite3").read_bytes()

    @staticmethod
    def check_snapshot(data: bytes) -> None:
        """ValueError unless ``data`` is an accounts database that is whole."""
        if len(data) > MAX_DATABASE_BYTES:
            raise ValueError(f"账户数据库超过 {MAX_DATABASE_BYTES // 1024 // 1024} MB")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "check.sqlite3"
            path.write_bytes(data)
            try:
                db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                try:
                    whole = db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                    columns = {row[1] for row in db.execute("PRAGMA table_info(users)")}
                finally:
                    db.close()
            except sqlite3.DatabaseError:
                whole, columns = False, set()
        if not whole or not {"name", "role", "password", "disabled"} <= columns:
            raise ValueError("其中的账户数据库已损坏，或不是本系统的")

    def replace_with(self, data: bytes) -> None:
        """Put a checked snapshot in place of the database (a restore): every session ends."""
        self.check_snapshot(data)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        write_atomic(self.path, data)
        os.chmod(self.path, 0o600)
        with self._db() as db:
            db.execute("DELETE FROM sessions")

    def secret(self) -> bytes:
        """The key that signs this site's cookies, made on first use and kept with the accounts."""
        with self._db() as db:
            db.execute("INSERT OR IGNORE INTO secret (id, key) VALUES (1, ?)", (secrets.token_bytes(32),))
            return db.execute("SELECT key FROM secret").fetchone()[0]

    def any_active(self) -> bool:
        if not self.path.exists():
            return False
        with self._db() as db:
            return db.execute("SELECT 1 FROM users WHERE disabled = 0 LIMIT 1").fetchone() is not None

    def users(self) -> list[User]:
        if not self.path.exists():
            return []
        with self._db() as db:
            rows = db.execute("SELECT name, role, disabled, locked_until FROM users ORDER BY name").fetchall()
        return [User(name, role, bool(disabled), locked) for name, role, disabled, locked in rows]

    def user(self, name: str) -> User | None:
        return next((u for u in self.users() if u.name == name), None)

    def add(self, name: str, role: str, password: str) -> User:
        if not NAME.match(name) or name == TOKEN_NAME:
            raise AccountError(f"用户名“{name[:40]}”不可用：请用 1 到 32 个汉字、字母、数字或 . _ -。")
        _check_role(role)
        check_password(password, name)
        with self._db() as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise AccountError(f"用户“{name}”已存在。要改密码请用“修改密码”。")
            db.execute(
                "INSERT INTO users (name, role, password, created) VALUES (?, ?, ?, ?)",
                (name, role, hash_password(password), time.time()),
            )
        return User(name, role, False, 0)

    def set_password(self, name: str, password: str) -> None:
        check_password(password, name)
        self._change(name, "UPDATE users SET password = ?, failures = 0, locked_until = 0 WHERE name = ?",
                     hash_password(password))  # fmt: skip

    def set_role(self, name: str, role: str) -> None:
        _check_role(role)
        self._change(name, "UPDATE users SET role = ? WHERE name = ?", role)

    def set_disabled(self, name: str, disabled: bool) -> None:
        self._change(name, "UPDATE users SET disabled = ?, failures = 0, locked_until = 0 WHERE name = ?",
                     int(disabled))  # fmt: skip

    def _change(self, name: str, statement: str, value: object) -> None:
        """Change one account and end its sessions (what they were opened under no longer holds)."""
        with self._db() as db:
            if db.execute(statement, (value, name)).rowcount == 0:
                raise AccountError(f"没有用户“{name}”。用“bulletin user list”查看现有用户。")
            db.execute("DELETE FROM sessions WHERE name = ?", (name,))

    def sign_in(self, name: str, password: str, address: str | None, now: float | None = None) -> SignIn:
        """Check ``name`` and ``password`` from ``address``, counting failures against both."""
        now = time.time() if now is None else now
        wait = self.wait(address, now)
        if wait:
            return SignIn("throttled", retry_after=wait)
        with self._db() as db:
            row = db.execute(
                "SELECT password, role, disabled, locked_until FROM users WHERE name = ?", (name,)
            ).fetchone()
        if row is None:
            password_matches(password, _nobody())
            self.failed(address, now)
            return SignIn("wrong")
        stored, role, disabled, locked_until = row
        user = User(name, role, bool(disabled), locked_until)
        if locked_until > now:
            self.failed(address, now)  # guessing at a locked account is still guessing
            return SignIn("locked", user, retry_after=int(locked_until - now) + 1)
        if not password_matches(password, stored):
            self.failed(address, now)
            return self._wrong(user, now)
        if disabled:
            return SignIn("disabled", user)
        with self._db() as db:
            db.execute("UPDATE users SET failures = 0, locked_until = 0 WHERE name = ?", (name,))
        return SignIn("ok", user)

    def _wrong(self, user: User, now: float) -> SignIn:
        with self._db() as db:
            db.execute("UPDATE users SET failures = failures + 1 WHERE name = ?", (user.name,))
            failures = db.execute("SELECT failures FROM users WHERE name = ?", (user.name,)).fetchone()[0]
            if failures < MAX_FAILURES:
                return SignIn("wrong", user)
            db.execute(
                "UPDATE users SET failures = 0, locked_until = ? WHERE name = ?", (now + LOCK_SECONDS, user.name)
            )
        return SignIn("locked", user, locked_now=True, retry_after=LOCK_SECONDS)

    def wait(self, address: str | None, now: float | None = None) -> int:
        """Seconds ``address`` must wait before its next try (0: it may try now)."""
        now = time.time() if now is None else now
        if not self.path.exists():
            return 0
        with self._db() as db:
            rows = db.execute(
                "SELECT at FROM failures WHERE address = ? AND at > ? ORDER BY at",
                (address or "", now - ADDRESS_WINDOW),
            )
            times = [at for (at,) in rows]
        if len(times) < ADDRESS_FAILURES:
            return 0
        return int(times[-ADDRESS_FAILURES] + ADDRESS_WINDOW - now) + 1

    def failed(self, address: str | None, now: float | None = None) -> None:
        """Count a failed sign-in or token from ``address``."""
        now = time.time() if now is None else now
        with self._db() as db:
            db.execute("DELETE FROM failures WHERE at < ?", (now - ADDRESS_WINDOW,))
            db.execute("INSERT INTO failures (address, at) VALUES (?, ?)", (address or "", now))

    def note_throttled(self, address: str | None, now: float | None = None) -> bool:
        """True the first time in a window that ``address`` is made to wait."""
        now = time.time() if now is None else now
        with self._db() as db:
            row = db.execute("SELECT at FROM throttled WHERE address = ?", (address or "",)).fetchone()
            if row is not None and row[0] > now - ADDRESS_WINDOW:
                return False
            db.execute("INSERT OR REPLACE INTO throttled VALUES (?, ?)", (address or "", now))
        return True

    def open_session(self, name: str, role: str, address: str | None, now: float | None = None) -> Session:
        now = time.time() if now is None else now
        session = Session(secrets.token_urlsafe(32), name, role)
        with self._db() as db:
            db.execute(
                "DELETE FROM sessions WHERE seen < ? OR created < ?", (now - IDLE_SECONDS, now - SESSION_SECONDS)
            )
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)", (session.id, name, role, address, now, now))
        return session

    def session(self, session_id: str, now: float | None = None) -> Session | None:
        """The live session ``session_id`` (its idle time restarted), or None. A session opened with the token
        ends once an account exists: from then on, people sign in as themselves."""
        now = time.time() if now is None else now
        if not self.path.exists():
            return None
        with self._db() as db:
            row = db.execute(
                "SELECT name, role FROM sessions WHERE id = ? AND seen >= ? AND created >= ?",
                (session_id, now - IDLE_SECONDS, now - SESSION_SECONDS),
            ).fetchone()
            if row is None:
                return None
            if row[0] == TOKEN_NAME and db.execute("SELECT 1 FROM users WHERE disabled = 0").fetchone():
                db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
                return None
            db.execute("UPDATE sessions SET seen = ? WHERE id = ?", (now, session_id))
        return Session(session_id, row[0], row[1])

    def close_session(self, session_id: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"角色“{role}”不存在：可选 {'、'.join(f'{k}（{v}）' for k, v in ROLES.items())}。")
