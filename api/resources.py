"""JSON resources: nouns with responders, all calling the indexer's search interface."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import falcon

from archive import SUFFIXES
from indexer import (
    TOKEN_NAME,
    Actor,
    Admin,
    IndexerError,
    SearchRequest,
    SearchService,
    TooLargeError,
    article_url,
    read_upload,
)

from .errors import ParamError
from .openapi import document


@dataclass(frozen=True)
class Access:
    """How large an upload through the API may be (who may write is the admin workflow's: ``Admin.staff``)."""

    max_upload: int


class SearchResource:
    def __init__(self, service: SearchService):
        self.service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.service.search(SearchRequest.from_params(req.params)).to_dict()


class ArticleResource:
    def __init__(self, service: SearchService):
        self.service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response, article_id: str) -> None:
        record = self.service.article(article_id)
        if record is None:
            raise falcon.HTTPNotFound(title="未找到", description=f"没有编号为“{article_id}”的文章。")
        resp.media = record.to_dict(base=req.context.base)


class IssuesResource:
    def __init__(self, service: SearchService, admin: Admin, access: Access):
        self.service, self.admin, self.access = service, admin, access

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"issues": self.service.issues()}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Upload one issue file (multipart field ``file``) and ingest it."""
        actor = require_admin(req, self.admin)
        limit = self.access.max_upload
        if req.content_length is not None and req.content_length > limit + 64 * 1024:
            raise TooLargeError(f"上传文件不能超过 {limit / 1024 / 1024:g} MB。请压缩或拆分后再上传。")
        if not (req.content_type or "").startswith("multipart/form-data"):
            raise falcon.HTTPUnsupportedMediaType(
                title="格式不对", description="请用 multipart/form-data 上传，文件放在 file 字段。"
            )
        upload = read_upload(req.get_media(), limit, file_field="file")
        if upload.data is None:
            raise ParamError("file", "请求中没有 file 字段。请把简报文件放在 file 字段上传。")
        suffix = Path(upload.name or "").suffix.lower()
        if suffix and suffix not in SUFFIXES:
            raise falcon.HTTPUnsupportedMediaType(
                title="不支持的文件类型", description=f"不支持“{suffix}”。请上传 {'、'.join(SUFFIXES)} 文件。"
            )
        report = self.admin.ingest_upload(upload.data, upload.name or f"上传的文件{suffix}", actor)
        resp.media = {
            "added": report.added,
            "replaced": report.replaced,
            "unchanged": report.unchanged,
            "articles": report.articles,
            "generation": report.generation,
            "warnings": report.warnings,
        }


class IssueResource:
    def __init__(self, service: SearchService, admin: Admin, access: Access):
        self.service, self.admin, self.access = service, admin, access

    def on_delete(self, req: falcon.Request, resp: falcon.Response, issue_id: str) -> None:
        """Remove the issue from the index and its files from the corpus."""
        report = self.admin.remove(issue_id, require_admin(req, self.admin))  # NoSuchIssueError is a 404
        files = [Path(f).name for f in report.files]
        resp.media = {"removed": issue_id, "articles": report.articles, "files": files, "generation": report.generation}

    def on_get(self, req: falcon.Request, resp: falcon.Response, issue_id: str) -> None:
        record = self.service.issue(issue_id)
        if record is None:
            raise falcon.HTTPNotFound(title="未找到", description=f"没有编号为“{issue_id}”的一期。")
        articles = [{**a, "url": article_url(a["id"])} for a in record["articles"]]
        resp.media = {**record, "articles": articles}


REINDEX = "/api/reindex"


class ReindexResource:
    """POST starts a full rebuild in the background and answers at once (202) with where to follow it; GET is
    its progress."""

    def __init__(self, admin: Admin, access: Access):
        self.admin, self.access = admin, access

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        started = self.admin.rebuild(require_admin(req, self.admin))
        resp.status = falcon.HTTP_202 if started else falcon.HTTP_409
        resp.location = REINDEX
        resp.media = rebuild_status(self.admin.rebuilding.status())

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        require_admin(req, self.admin)
        resp.cache_control = ["no-store"]
        resp.media = rebuild_status(self.admin.rebuilding.status())


def rebuild_status(status: dict) -> dict:
    """A rebuild's status file as the API answers it: times as ISO dates, where to follow it."""

    def iso(stamp: float | None) -> str | None:
        return dt.datetime.fromtimestamp(stamp).astimezone().isoformat(timespec="seconds") if stamp else None

    return {
        "state": status.get("state", "idle"),
        "done": status.get("done", 0),
        "total": status.get("total", 0),
        "started": iso(status.get("started")),
        "finished": iso(status.get("finished")),
        "issues": status.get("issues"),
        "generation": status.get("generation"),
        "message": status.get("message"),
        "status_url": REINDEX,
    }


class HealthResource:
    def __init__(self, service: SearchService):
        self.service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.cache_control = ["no-store"]
        try:
            info = self.service.check()
        except IndexerError as exc:
            resp.status = falcon.HTTP_503
            resp.media = {"status": "unavailable", "generation": None, "articles": 0, "issues": 0, "message": str(exc)}
            return
        resp.media = {"status": "ok", **info}


class OpenAPIResource:
    def __init__(self, others: dict | None = None) -> None:
        self.document = document(others)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.document


def require_admin(req: falcon.Request, admin: Admin) -> Actor:
    """Writes need ``Authorization: Bearer <BULLETIN_ADMIN_TOKEN>``; without the variable they are off. The
    writer is recorded as the token, from the request's address; wrong tokens count towards the address's
    wait, as wrong passwords do."""
    staff = admin.staff
    if not staff.token:
        raise falcon.HTTPForbidden(
            title="管理写入已关闭",
            description="服务没有设置环境变量 BULLETIN_ADMIN_TOKEN。设置它并重启服务后，凭该令牌即可上传和重建索引。",
        )
    scheme, _, token = (req.auth or "").partition(" ")
    # No token offered is no guess: a 401 that counts towards nothing.
    entry = staff.api_actor(token if scheme.lower() == "bearer" else "", req.context.client) if req.auth else None
    if entry is not None and entry.outcome == "throttled":
        raise falcon.HTTPTooManyRequests(
            title="尝试过多",
            description=f"这个地址的令牌错误次数过多。请 {max(1, -(-entry.retry_after // 60))} 分钟后再试。",
            retry_after=entry.retry_after,
        )
    if entry is None or entry.outcome != "ok":
        raise falcon.HTTPUnauthorized(
            title="需要管理令牌",
            description="请在请求头中提供 Authorization: Bearer <令牌>。",
            challenges=["Bearer"],
        )
    return Actor(TOKEN_NAME, req.context.client)
