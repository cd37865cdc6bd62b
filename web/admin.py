"""The admin pages under /admin: sign in with BULLETIN_ADMIN_TOKEN, add or replace an issue in two steps
(upload → preview → confirm), remove an issue, rebuild the index with its progress, the audit trail and the
vocabulary. Plain forms, no script. Without the token the routes do not exist (404).

The session is a signed cookie (HMAC of the token; HttpOnly, SameSite=Strict, an expiry); every form carries
a CSRF token derived from the session, and signing out revokes the session in the data folder.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import falcon

from archive import SUFFIXES, ArchiveError
from indexer import Actor, Admin, SearchService, TooLargeError, issue_url, read_upload
from indexer.language.wordlists import VOCABULARY_FILES, vocabulary_file

from .pages import render

COOKIE = "bulletin_admin"
SIGNED_IN = "管理员"  # who a session signed in with the token is, in the audit trail
SESSION_HOURS = 8
ROOT = "/admin"


class Sessions:
    """Signed, expiring session cookies and their CSRF tokens; revoked ones listed in the data folder."""

    def __init__(self, token: str, revoked: Path):
        self.key = hashlib.sha256(b"bulletin-admin-session\x00" + token.encode("utf-8")).digest()
        self.token, self.revoked = token, revoked

    def token_matches(self, given: str) -> bool:
        return hmac.compare_digest(given.strip().encode("utf-8"), self.token.encode("utf-8"))

    def issue(self) -> str:
        body = f"{int(time.time()) + SESSION_HOURS * 3600}.{secrets.token_hex(16)}"
        return f"{body}.{self._sign(body)}"

    def valid(self, cookie: str | None) -> str | None:
        """The session's id when ``cookie`` is signed by us, unexpired and not signed out; else None."""
        expires, _, rest = (cookie or "").partition(".")
        nonce, _, signature = rest.partition(".")
        if not (expires.isdigit() and nonce and signature):
            return None
        if not hmac.compare_digest(signature, self._sign(f"{expires}.{nonce}")) or int(expires) < time.time():
            return None
        if self.revoked.exists() and nonce in self.revoked.read_text(encoding="utf-8").split():
            return None
        return nonce

    def csrf(self, session: str) -> str:
        return self._sign(f"csrf:{session}")[:32]

    def revoke(self, session: str) -> None:
        self.revoked.parent.mkdir(parents=True, exist_ok=True)
        with self.revoked.open("a", encoding="utf-8") as out:
            out.write(session + "\n")

    def _sign(self, text: str) -> str:
        return hmac.new(self.key, text.encode("utf-8"), hashlib.sha256).hexdigest()


class AdminPage:
    """What every admin resource shares: the session check, the CSRF check, rendering and the audit."""

    def __init__(self, service: SearchService, admin: Admin, sessions: Sessions, max_upload: int):
        self.service, self.admin, self.sessions, self.max_upload = service, admin, sessions, max_upload

    def session(self, req: falcon.Request) -> str:
        session = self.sessions.valid(next(iter(req.get_cookie_values(COOKIE) or ()), None))
        if session is None:
            if req.method == "GET":
                raise falcon.HTTPSeeOther(f"{ROOT}/login?next={quote(req.relative_uri)}")
            raise falcon.HTTPForbidden(title="需要登录", description="登录已失效或未登录。请先登录管理页面再提交。")
        req.context.session = session
        return session

    def form(self, req: falcon.Request) -> dict[str, str]:
        """A signed-in form's fields, after its CSRF token is checked."""
        session = self.session(req)
        fields = dict(req.get_media()) if _is_urlencoded(req) else {}
        self.check_csrf(session, fields.get("csrf", ""))
        return fields

    def check_csrf(self, session: str, given: str) -> None:
        if not hmac.compare_digest(given.encode("utf-8"), self.sessions.csrf(session).encode("utf-8")):
            raise falcon.HTTPForbidden(
                title="表单已失效",
                description="表单缺少有效的校验码（可能来自其他网站，或页面已过期）。请刷新页面后重试。",
            )

    def page(self, req: falcon.Request, resp: falcon.Response, template: str, **context: Any) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.cache_control = ["no-store"]
        session = getattr(req.context, "session", None)
        resp.text = render(f"admin/{template}", csrf=self.sessions.csrf(session) if session else "", **context)

    @staticmethod
    def actor(req: falcon.Request) -> Actor:
        """Who is signed in (the token's holder), from where."""
        return Actor(SIGNED_IN, req.remote_addr)


class Login(AdminPage):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.page(req, resp, "login.html", next=_local(req.get_param("next")), error=None)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        fields = req.get_media() if _is_urlencoded(req) else {}
        target = _local(fields.get("next"))
        if not self.sessions.token_matches(str(fields.get("token", ""))):
            resp.status = falcon.HTTP_403
            self.page(req, resp, "login.html", next=target, error="令牌不对。请核对服务设置的 BULLETIN_ADMIN_TOKEN。")
            return
        resp.set_cookie(COOKIE, self.sessions.issue(), max_age=SESSION_HOURS * 3600, path=ROOT, http_only=True,
                        same_site="Strict", secure=req.context.base.startswith("https"))  # fmt: skip
        self.admin.audit.record("sign-in", self.actor(req))
        raise falcon.HTTPSeeOther(target)


class Logout(AdminPage):
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.form(req)
        self.sessions.revoke(req.context.session)
        resp.unset_cookie(COOKIE, path=ROOT)
        self.admin.audit.record("sign-out", self.actor(req))
        self.page(req, resp, "signed_out.html")


class Home(AdminPage):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.session(req)
        self.page(req, resp, "home.html", issues=self.service.issues(), suffixes=SUFFIXES,
                  rebuild=self.admin.rebuilding.status(), max_mb=self.max_upload / 1024 / 1024)  # fmt: skip


class Upload(AdminPage):
    """POST a file: read it, keep it pending, show the preview. Nothing is written to corpus or index."""

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        session = self.session(req)
        if req.content_length is not None and req.content_length > self.max_upload + 64 * 1024:
            raise TooLargeError(f"上传文件不能超过 {self.max_upload / 1024 / 1024:g} MB。请压缩或拆分后再上传。")
        if not (req.content_type or "").startswith("multipart/form-data"):
            raise falcon.HTTPUnsupportedMediaType(title="格式不对", description="请用页面上的表单上传文件。")
        upload = read_upload(req.get_media(), self.max_upload)
        self.check_csrf(session, upload.fields.get("csrf", ""))
        if upload.data is None or not upload.name:
            raise falcon.HTTPBadRequest(title="没有选择文件", description="请选择一期简报文件后再上传。")
        try:
            preview = self.admin.stage(upload.data, upload.name, self.actor(req))
        except ArchiveError as exc:
            resp.status = falcon.HTTP_422
            self.page(req, resp, "upload_failed.html", name=upload.name, message=str(exc))
            return
        raise falcon.HTTPSeeOther(f"{ROOT}/uploads/{preview.key}")


class Pending(AdminPage):
    """/admin/uploads/{key}: the preview (GET), confirm or discard (POST action=confirm|discard)."""

    def on_get(self, req: falcon.Request, resp: falcon.Response, key: str) -> None:
        self.session(req)
        preview = self.admin.workspace.preview(key)
        if preview is None:
            raise _no_upload()
        self.page(req, resp, "preview.html", preview=preview, issue_url=issue_url)

    def on_post(self, req: falcon.Request, resp: falcon.Response, key: str) -> None:
        fields = self.form(req)
        if fields.get("action") == "discard":
            self.admin.discard(key, self.actor(req))
            raise falcon.HTTPSeeOther(ROOT)
        confirmed = self.admin.confirm(key, self.actor(req))
        if confirmed is None:
            raise _no_upload()
        preview, report = confirmed
        self.page(req, resp, "confirmed.html", preview=preview, report=report, link=issue_url(preview.issue.id))


class Remove(AdminPage):
    """/admin/issues/{id}/remove: a confirmation page, then the removal."""

    def on_get(self, req: falcon.Request, resp: falcon.Response, issue_id: str) -> None:
        self.session(req)
        issue = self.service.issue(issue_id)
        if issue is None:
            raise falcon.HTTPNotFound(title="找不到这一期", description=f"没有编号为“{issue_id}”的一期。")
        self.page(req, resp, "remove.html", issue=issue)

    def on_post(self, req: falcon.Request, resp: falcon.Response, issue_id: str) -> None:
        self.form(req)
        report = self.admin.remove(issue_id, self.actor(req))
        self.page(req, resp, "removed.html", report=report)


class RebuildPage(AdminPage):
    """/admin/rebuild: the progress (refreshing itself while it runs), and POST to start."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.session(req)
        status = self.admin.rebuilding.status()
        self.page(req, resp, "rebuild.html", status=status, started=_clock(status.get("started")),
                  finished=_clock(status.get("finished")))  # fmt: skip

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.form(req)
        self.admin.rebuild(self.actor(req))
        raise falcon.HTTPSeeOther(f"{ROOT}/rebuild")


class Audit(AdminPage):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.session(req)
        self.page(req, resp, "audit.html", entries=self.admin.audit.entries())


class Vocabulary(AdminPage):
    """/admin/vocabulary: the dictionary and the synonym groups as text; POST saves one, or adds a term."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.session(req)
        self._show(req, resp, error=None, saved=req.get_param("saved"))

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        fields = self.form(req)
        try:
            if fields.get("term"):
                self.admin.add_term(str(fields["term"]), self.actor(req))
                saved = "userdict.txt"
            else:
                saved = str(fields.get("name", ""))
                self.admin.save_word_list(saved, str(fields.get("text", "")), self.actor(req))
        except ValueError as exc:
            resp.status = falcon.HTTP_400
            self._show(req, resp, error=str(exc), saved=None)
            return
        raise falcon.HTTPSeeOther(f"{ROOT}/vocabulary?saved={quote(saved)}")

    def _show(self, req: falcon.Request, resp: falcon.Response, error: str | None, saved: str | None) -> None:
        files = {name: vocabulary_file(name).read_text(encoding="utf-8") for name in VOCABULARY_FILES}
        self.page(req, resp, "vocabulary.html", files=files, error=error, saved=saved)


def add_admin(app: falcon.App, service: SearchService, admin: Admin, token: str | None, max_upload: int) -> None:
    """The admin routes, only when the token is set (otherwise /admin is a 404 like any unknown page)."""
    if not token:
        return
    sessions = Sessions(token, admin.workspace.data_dir / "sessions-revoked.txt")
    args = (service, admin, sessions, max_upload)
    app.add_route(ROOT, Home(*args))
    app.add_route(f"{ROOT}/login", Login(*args))
    app.add_route(f"{ROOT}/logout", Logout(*args))
    app.add_route(f"{ROOT}/upload", Upload(*args))
    app.add_route(f"{ROOT}/uploads/{{key}}", Pending(*args))
    app.add_route(f"{ROOT}/issues/{{issue_id}}/remove", Remove(*args))
    app.add_route(f"{ROOT}/rebuild", RebuildPage(*args))
    app.add_route(f"{ROOT}/audit", Audit(*args))
    app.add_route(f"{ROOT}/vocabulary", Vocabulary(*args))


def _is_urlencoded(req: falcon.Request) -> bool:
    return (req.content_type or "").startswith("application/x-www-form-urlencoded")


def _no_upload() -> falcon.HTTPNotFound:
    return falcon.HTTPNotFound(title="没有这个待确认的上传", description="它可能已确认、已放弃或已过期。请重新上传。")


def _local(target: Any) -> str:
    """A redirect target on this site only (an open redirect would hand the session's page to another)."""
    target = str(target or "")
    return target if target.startswith(f"{ROOT}") and "//" not in target and "\\" not in target else ROOT


def _clock(stamp: float | None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(stamp)) if stamp else ""
