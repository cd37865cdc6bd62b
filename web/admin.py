"""The admin pages under /admin: staff sign in with their own account (or, on a fresh install with no account
yet, with BULLETIN_ADMIN_TOKEN); editors add, replace and remove issues (upload → preview → confirm) and
rebuild the index; admins also edit the vocabulary, read the audit trail and manage accounts. Plain forms, no
script. While there is neither an account nor the token, the pages do not exist (404).

Who may do what, sign-in, lock-out and the audit are the admin workflow's (``indexer.Admin``); this module
turns them into pages: the session cookie and the forms' CSRF tokens (``signing``), forms read with limits
(``forms``).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import falcon

from archive import SUFFIXES, ArchiveError
from indexer import (
    ROLES,
    SESSION_SECONDS,
    TOKEN_NAME,
    AccountError,
    Actor,
    Admin,
    SearchService,
    Session,
    TooLargeError,
    issue_url,
    read_upload,
)
from indexer.language import edits
from indexer.language.wordlists import VOCABULARY_FILES, vocabulary_file

from .forms import read_form, repeated
from .pages import render
from .signing import Signer

COOKIE = "bulletin_admin"
ROOT = "/admin"


class AdminPage:
    """What every admin resource shares: the session and its role, the CSRF check, rendering."""

    action = ""  # what the page does, for the role check (empty: any signed-in account)

    def __init__(self, service: SearchService, admin: Admin, signer: Signer, max_upload: int):
        self.service, self.admin, self.signer, self.max_upload = service, admin, signer, max_upload
        self.staff = admin.staff

    def session(self, req: falcon.Request) -> Session:
        """The request's live session, allowed this page's action; else the sign-in page (GET) or 403."""
        cookie = next(iter(req.get_cookie_values(COOKIE) or ()), None)
        session_id = self.signer.session_id(cookie)
        session = self.staff.session(session_id) if session_id else None
        if session is None:
            if req.method == "GET":
                raise falcon.HTTPSeeOther(f"{ROOT}/login?next={quote(req.relative_uri)}")
            raise falcon.HTTPForbidden(title="需要登录", description="登录已失效或未登录。请先登录管理页面再提交。")
        req.context.session = session
        if self.action and not self.staff.may(session, self.action):
            raise falcon.HTTPForbidden(
                title="没有权限", description=f"“{session.name}”的角色是{ROLES[session.role]}，这项操作需要管理员。"
            )
        return session

    def form(self, req: falcon.Request) -> dict[str, str]:
        """A signed-in form's fields, after its CSRF token is checked."""
        session = self.session(req)
        fields = read_form(req)
        self.check_csrf(session, fields.get("csrf", ""))
        return fields

    def check_csrf(self, session: Session, given: str) -> None:
        if not self.signer.csrf_matches(session.id, given):
            raise falcon.HTTPForbidden(
                title="表单已失效",
                description="表单缺少有效的校验码（可能来自其他网站，或页面已过期）。请刷新页面后重试。",
            )

    def page(self, req: falcon.Request, resp: falcon.Response, template: str, **context: Any) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.cache_control = ["no-store"]
        session = getattr(req.context, "session", None)
        csrf = self.signer.csrf(session.id) if session else ""
        resp.text = render(f"admin/{template}", csrf=csrf, session=session, roles=ROLES, **context)

    @staticmethod
    def actor(req: falcon.Request) -> Actor:
        """Who is signed in, from where."""
        return Actor(req.context.session.name, req.context.client)


class Login(AdminPage):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._show(req, resp, _local(req.get_param("next")), None)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        fields = read_form(req)
        target = _local(fields.get("next"))
        with_token = self.staff.token_signs_in()
        if with_token:
            entry = self.staff.sign_in_with_token(fields.get("token", ""), req.context.client)
        else:
            entry = self.staff.sign_in(fields.get("name", "").strip(), fields.get("password", ""), req.context.client)
        if entry.session is None:
            resp.status = falcon.HTTP_429 if entry.outcome == "throttled" else falcon.HTTP_403
            if entry.retry_after:
                resp.set_header("Retry-After", str(entry.retry_after))
            outcome = "wrong token" if with_token and entry.outcome == "wrong" else entry.outcome
            self._show(req, resp, target, _refusal(outcome, entry.retry_after), fields.get("name", ""))
            return
        resp.set_cookie(COOKIE, self.signer.cookie(entry.session.id), path=ROOT, max_age=SESSION_SECONDS,
                        http_only=True, same_site="Strict", secure=req.context.base.startswith("https"))  # fmt: skip
        raise falcon.HTTPSeeOther(target)

    def _show(self, req, resp, target: str, error: str | None, name: str = "") -> None:
        self.page(req, resp, "login.html", next=target, error=error, name=name[:32],
                  with_token=self.staff.token_signs_in())  # fmt: skip


class Logout(AdminPage):
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.form(req)
        self.staff.sign_out(req.context.session, req.context.client)
        req.context.session = None
        resp.unset_cookie(COOKIE, path=ROOT)
        self.page(req, resp, "signed_out.html")


class Home(AdminPage):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.session(req)
        self.page(req, resp, "home.html", issues=self.service.issues(), suffixes=SUFFIXES,
                  rebuild=self.admin.rebuilding.status(), max_mb=self.max_upload / 1024 / 1024)  # fmt: skip


class Upload(AdminPage):
    """POST a file: read it, keep it pending, show the preview. Nothing is written to corpus or index."""

    action = "upload"

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        session = self.session(req)
        if req.content_length is not None and req.content_length > self.max_upload + 64 * 1024:
            raise TooLargeError(f"上传文件不能超过 {self.max_upload / 1024 / 1024:g} MB。请压缩或拆分后再上传。")
        if not (req.content_type or "").startswith("multipart/form-data"):
            raise falcon.HTTPUnsupportedMediaType(title="格式不对", description="请用页面上的表单上传文件。")
        upload = read_upload(req.get_media(), self.max_upload)
        if upload.repeated:
            raise repeated(upload.repeated[0])
        self.check_csrf(session, upload.fields.get("csrf", ""))
        if upload.data is None or not upload.name:
            raise falcon.HTTPBadRequest(title="没有选择文件", description="请选择一期简报文件后再上传。")
        try:
            key = self.admin.stage(upload.data, upload.name, self.actor(req))
        except ArchiveError as exc:
            resp.status = falcon.HTTP_422
            self.page(req, resp, "upload_failed.html", name=upload.name, message=str(exc))
            return
        raise falcon.HTTPSeeOther(f"{ROOT}/uploads/{key}")


class Pending(AdminPage):
    """/admin/uploads/{key}: the preview (GET), confirm or discard (POST action=confirm|discard)."""

    action = "confirm"

    def on_get(self, req: falcon.Request, resp: falcon.Response, key: str) -> None:
        self.session(req)
        workspace = self.admin.workspace
        reading = workspace.reading(key)
        found = workspace.pending(key)
        if found is not None and reading is not None and reading["state"] != "done":
            if reading["state"] == "failed":
                resp.status = falcon.HTTP_422
                self.page(req, resp, "upload_failed.html", name=found[1], message=reading.get("message", ""))
                return
            self.page(req, resp, "reading.html", name=found[1], reading=reading)
            return
        preview = workspace.preview(key)
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

    action = "remove"

    def on_get(self, req: falcon.Request, resp: falcon.Response, issue_id: str) -> None:
        self.session(req)
        issue = self.service.issue(issue_id)
        if issue is None:
            raise falcon.HTTPNotFound(title="找不到这一期", description=f"没有编号为“{issue_id[:40]}”的一期。")
        self.page(req, resp, "remove.html", issue=issue)

    def on_post(self, req: falcon.Request, resp: falcon.Response, issue_id: str) -> None:
        self.form(req)
        report = self.admin.remove(issue_id, self.actor(req))
        self.page(req, resp, "removed.html", report=report)


class BackupDownload(AdminPage):
    """POST /admin/backup: a backup of the corpus, the vocabulary and the accounts, as a file to keep (what
    ``bulletin backup`` writes)."""

    action = "backup"

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.form(req)
        with tempfile.TemporaryDirectory(prefix="bulletin-backup-") as folder:
            report = self.admin.backup(Path(folder), self.actor(req))
            handle = report.path.open("rb")  # still readable once the folder is gone
        resp.content_type = "application/gzip"
        resp.downloadable_as = report.path.name
        resp.cache_control = ["no-store"]
        resp.set_stream(handle, report.bytes)


class RebuildPage(AdminPage):
    """/admin/rebuild: the progress (refreshing itself while it runs), and POST to start."""

    action = "rebuild"

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
    action = "audit"

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.session(req)
        chained, problems = self.admin.audit.verify()
        self.page(req, resp, "audit.html", entries=self.admin.audit.entries(), chained=chained, problems=problems)


class Vocabulary(AdminPage):
    """/admin/vocabulary: find, add and remove one word or synonym group, or edit a whole list; every change
    is shown line by line and saved only when confirmed. A term offered by an upload's preview is added at once."""

    action = "vocabulary"

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.session(req)
        saved = req.get_param("saved")
        self._show(req, resp, error=None, saved=saved if saved in VOCABULARY_FILES else None)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        fields = self.form(req)
        try:
            if fields.get("term"):
                self.admin.add_term(fields["term"], self.actor(req))
                saved = "userdict.txt"
            elif fields.get("confirm"):
                saved = fields.get("name", "")
                self.admin.save_word_list(saved, fields.get("text", ""), self.actor(req), base=fields.get("base", ""))
            else:
                self.page(req, resp, "vocabulary_edit.html", edit=edits.asked(fields), shown=edits.SHOWN_CHANGES)
                return
        except ValueError as exc:
            resp.status = falcon.HTTP_409 if isinstance(exc, edits.StaleEdit) else falcon.HTTP_400
            self._show(req, resp, error=str(exc), saved=None)
            return
        raise falcon.HTTPSeeOther(f"{ROOT}/vocabulary?saved={quote(saved)}")

    def _show(self, req: falcon.Request, resp: falcon.Response, error: str | None, saved: str | None) -> None:
        files = {name: vocabulary_file(name).read_text(encoding="utf-8", errors="replace") for name in VOCABULARY_FILES}
        looked = (req.get_param("find") or "").strip()[: edits.MAX_WORD]
        found = edits.find(looked) if looked else None
        self.page(req, resp, "vocabulary.html", files=files, error=error, saved=saved, looked=looked, found=found,
                  limit=edits.FIND_LIMIT, frequency=edits.TERM_FREQUENCY)  # fmt: skip


class Users(AdminPage):
    """/admin/users: the accounts; POST adds one, or changes one (action=disable|enable|password|role)."""

    action = "users"

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.session(req)
        self._show(req, resp, error=None, done=None)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        fields = self.form(req)
        name, action, actor = fields.get("name", "").strip(), fields.get("action", "add"), self.actor(req)
        try:
            if fields.get("password", "") != fields.get("password2", fields.get("password", "")):
                raise AccountError("两次输入的密码不一致。")
            done = self._change(action, name, fields, actor)
        except AccountError as exc:
            resp.status = falcon.HTTP_400
            self._show(req, resp, error=str(exc), done=None)
            return
        self._show(req, resp, error=None, done=done)

    def _change(self, action: str, name: str, fields: dict[str, str], actor: Actor) -> str:
        if action == "add":
            self.staff.add_user(name, fields.get("role", ""), fields.get("password", ""), actor)
            return f"已新增用户“{name}”。" + ("请用新账户重新登录。" if actor.name == TOKEN_NAME else "")
        if action in ("disable", "enable"):
            if action == "disable" and name == actor.name:
                raise AccountError("不能停用自己正在使用的账户。")
            self.staff.set_disabled(name, action == "disable", actor)
            return f"已{'停用' if action == 'disable' else '启用'}用户“{name}”。"
        if action == "password":
            self.staff.set_password(name, fields.get("password", ""), actor)
            return f"已修改“{name}”的密码，其已登录的会话已结束。"
        if action == "role":
            self.staff.set_role(name, fields.get("role", ""), actor)
            return f"已修改“{name}”的角色。"
        raise AccountError(f"不支持的操作“{action[:20]}”。")

    def _show(self, req: falcon.Request, resp: falcon.Response, error: str | None, done: str | None) -> None:
        self.page(req, resp, "users.html", users=self.staff.users(), error=error, done=done, now=time.time())


class Gate:
    """While there is neither an account nor the token, nothing under /admin exists (404, whatever the method)."""

    def __init__(self, admin: Admin):
        self.staff = admin.staff

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if (req.path == ROOT or req.path.startswith(ROOT + "/")) and not self.staff.enabled():
            raise falcon.HTTPNotFound()


def add_admin(app: falcon.App, service: SearchService, admin: Admin, max_upload: int) -> None:
    """The admin routes (each a 404 while there is neither an account nor the token)."""
    app.add_middleware(Gate(admin))
    args = (service, admin, Signer(admin.staff.accounts.secret()), max_upload)
    for path, page in (("", Home), ("/login", Login), ("/logout", Logout), ("/upload", Upload),
                       ("/uploads/{key}", Pending), ("/issues/{issue_id}/remove", Remove), ("/backup", BackupDownload),
                       ("/rebuild", RebuildPage), ("/audit", Audit), ("/vocabulary", Vocabulary),
                       ("/users", Users)):  # fmt: skip
        app.add_route(ROOT + path, page(*args))


_REFUSALS = {
    "wrong": "用户名或密码不对。",
    "wrong token": "令牌不对。请核对服务设置的 BULLETIN_ADMIN_TOKEN。",
    "locked": "账户因连续输错密码已被锁定，请 {minutes} 分钟后再试，或请管理员重设密码。",
    "disabled": "账户已停用。请联系管理员。",
    "throttled": "失败次数过多，请 {minutes} 分钟后再试。",
}


def _refusal(outcome: str, retry_after: int) -> str:
    return _REFUSALS.get(outcome, _REFUSALS["wrong"]).format(minutes=max(1, -(-retry_after // 60)))


def _no_upload() -> falcon.HTTPNotFound:
    return falcon.HTTPNotFound(title="没有这个待确认的上传", description="它可能已确认、已放弃或已过期。请重新上传。")


def _local(target: Any) -> str:
    """A redirect target on this site only (an open redirect would hand the session's page to another)."""
    target = str(target or "")
    safe = target.startswith(ROOT) and "//" not in target and "\\" not in target and target.isprintable()
    return target[:2000] if safe else ROOT


def _clock(stamp: float | None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(stamp)) if stamp else ""
