"""Who may act, the same way for the admin pages, the API and the command line: sign-in with an account or the
token, sign-out, sessions, and account changes, each in the audit trail with its outcome."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from .accounts import LOCK_SECONDS, MAX_FAILURES, PERMISSIONS, TOKEN_NAME, Accounts, Session, User
from .audit import Actor, AuditLog


@dataclass(frozen=True)
class Entry:
    """How an attempt to get in went: a session when it succeeded, else why not (and how long to wait)."""

    session: Session | None
    outcome: str  # ok, wrong, locked, disabled, throttled
    retry_after: int = 0


class Staff:
    def __init__(self, accounts: Accounts, audit: AuditLog, token: str | None):
        self.accounts, self.audit, self.token = accounts, audit, token

    def enabled(self) -> bool:
        """Whether anyone can sign in (the token is set, or an account exists)."""
        return bool(self.token) or self.accounts.any_active()

    def token_signs_in(self) -> bool:
        """The sign-in page takes the token only while no account exists (a fresh install)."""
        return bool(self.token) and not self.accounts.any_active()

    def sign_in(self, name: str, password: str, address: str | None) -> Entry:
        """A session for ``name`` if ``password`` is theirs; every attempt is recorded."""
        result = self.accounts.sign_in(name, password, address)
        shown = "".join(c for c in name[:64] if c.isprintable())  # a name typed by anyone, kept readable
        actor = Actor(shown or "（未填用户名）", address)
        if result.outcome == "throttled":
            return self._throttled(actor, result.retry_after)
        if result.outcome != "ok" or result.user is None:
            self.audit.record("sign-in", actor, "failed", detail=_REASONS[result.outcome])
            if result.locked_now:
                self.audit.record(
                    "lock", actor, detail=f"连续 {MAX_FAILURES} 次密码错误，锁定 {LOCK_SECONDS // 60} 分钟"
                )
            return Entry(None, result.outcome, result.retry_after)
        return self._open(result.user.name, result.user.role, actor)

    def sign_in_with_token(self, given: str, address: str | None) -> Entry:
        """An admin session for the token's holder, while no account exists."""
        actor = Actor(TOKEN_NAME, address)
        wait = self.accounts.wait(address)
        if wait:
            return self._throttled(actor, wait)
        if not (self.token_signs_in() and self.token_matches(given)):
            self.accounts.failed(address)
            self.audit.record("sign-in", actor, "failed", detail="令牌不对")
            return Entry(None, "wrong")
        return self._open(TOKEN_NAME, "admin", actor)

    def api_actor(self, given: str, address: str | None) -> Entry:
        """Whether an API request's Bearer token is the token (outcome ok, and no session: the API keeps
        none); failures count towards the address's wait and are recorded."""
        actor = Actor(TOKEN_NAME, address)
        wait = self.accounts.wait(address)
        if wait:
            return self._throttled(actor, wait)
        if self.token_matches(given):
            return Entry(None, "ok")
        self.accounts.failed(address)
        self.audit.record("token", actor, "failed", detail="API 令牌不对")
        return Entry(None, "wrong")

    def token_matches(self, given: str) -> bool:
        # compare_digest on bytes (on str it refuses non-ASCII) takes the same time wherever they differ.
        return bool(self.token) and hmac.compare_digest(given.strip().encode("utf-8", "replace"),
                                                        (self.token or "").encode("utf-8"))  # fmt: skip

    def session(self, session_id: str) -> Session | None:
        return self.accounts.session(session_id)

    def sign_out(self, session: Session, address: str | None) -> None:
        self.accounts.close_session(session.id)
        self.audit.record("sign-out", Actor(session.name, address))

    def may(self, session: Session, action: str) -> bool:
        return action in PERMISSIONS.get(session.role, ())

    def add_user(self, name: str, role: str, password: str, actor: Actor) -> User:
        with self.audit.failing("user-add", actor, target=name[:64]):
            user = self.accounts.add(name, role, password)
        self.audit.record("user-add", actor, target=name, detail=f"角色：{user.role_label}")
        return user

    def set_password(self, name: str, password: str, actor: Actor) -> None:
        with self.audit.failing("user-password", actor, target=name[:64]):
            self.accounts.set_password(name, password)
        self.audit.record("user-password", actor, target=name)

    def set_role(self, name: str, role: str, actor: Actor) -> None:
        with self.audit.failing("user-role", actor, target=name[:64]):
            self.accounts.set_role(name, role)
        self.audit.record("user-role", actor, target=name, detail=f"角色：{role}")

    def set_disabled(self, name: str, disabled: bool, actor: Actor) -> None:
        action = "user-disable" if disabled else "user-enable"
        with self.audit.failing(action, actor, target=name[:64]):
            self.accounts.set_disabled(name, disabled)
        self.audit.record(action, actor, target=name)

    def users(self) -> list[User]:
        return self.accounts.users()

    def _open(self, name: str, role: str, actor: Actor) -> Entry:
        session = self.accounts.open_session(name, role, actor.address)
        self.audit.record("sign-in", actor)
        return Entry(session, "ok")

    def _throttled(self, actor: Actor, wait: int) -> Entry:
        """Recorded once a window per address: an attacker must not fill the trail with their tries."""
        if self.accounts.note_throttled(actor.address):
            self.audit.record("throttle", actor, "failed", detail=f"失败次数过多，需等待 {wait} 秒")
        return Entry(None, "throttled", wait)


_REASONS = {
    "wrong": "用户名或密码不对",
    "locked": "账户已锁定",
    "disabled": "账户已停用",
}

__all__ = ["Entry", "Staff"]
