"""JSON resources: nouns with responders, all calling the indexer's search interface."""

from __future__ import annotations

import hashlib
import hmac
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import falcon

from archive import SUFFIXES, read_bytes
from indexer import IndexerError, SearchRequest, SearchService, Workspace, article_url, ingest, reindex

from .errors import ParamError
from .openapi import document


@dataclass(frozen=True)
class Admin:
    """Where admin writes go, and who may make them (no token: writes are off)."""

    workspace: Workspace
    token: str | None
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
    def __init__(self, service: SearchService, admin: Admin):
        self.service = service
        self.settings = admin

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"issues": self.service.issues()}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Upload one issue file (multipart field ``file``) and ingest it."""
        require_admin(req, self.settings)
        limit = self.settings.max_upload
        if req.content_length is not None and req.content_length > limit + 64 * 1024:
            raise _too_large(limit)
        if not (req.content_type or "").startswith("multipart/form-data"):
            raise falcon.HTTPUnsupportedMediaType(
                title="格式不对", description="请用 multipart/form-data 上传，文件放在 file 字段。"
            )
        name, data = _read_upload(req, limit)
        suffix = Path(name).suffix.lower()
        if suffix and suffix not in SUFFIXES:
            raise falcon.HTTPUnsupportedMediaType(
                title="不支持的文件类型", description=f"不支持“{suffix}”。请上传 {'、'.join(SUFFIXES)} 文件。"
            )
        # Read first under the client's name, so that an error names the file the user sent (ArchiveError
        # becomes a 422 in the app's handlers); then ingest a copy whose path is ours, not the client's.
        read_bytes(data, name or f"上传的文件{suffix}")
        workspace = self.settings.workspace
        folder = Path(tempfile.mkdtemp(prefix="bulletin-upload-"))
        try:
            path = folder / f"upload{suffix}"
            path.write_bytes(data)
            report = ingest([path], workspace.corpus_dir, workspace.index_dir)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        for action, ids in (("add", report.added), ("replace", report.replaced)):
            for issue in ids:
                workspace.audit.record(action, issue=issue, file=name, sha256=hashlib.sha256(data).hexdigest())
        resp.media = {
            "added": report.added,
            "replaced": report.replaced,
            "unchanged": report.unchanged,
            "articles": report.articles,
            "generation": report.generation,
            "warnings": report.warnings,
        }


class IssueResource:
    def __init__(self, service: SearchService, admin: Admin):
        self.service = service
        self.settings = admin

    def on_delete(self, req: falcon.Request, resp: falcon.Response, issue_id: str) -> None:
        """Remove the issue from the index and its files from the corpus."""
        require_admin(req, self.settings)
        report = self.settings.workspace.remove(issue_id)  # NoSuchIssueError is a 404
        files = [Path(f).name for f in report.files]
        self.settings.workspace.audit.record("remove", issue=issue_id, file=", ".join(files) or None)
        resp.media = {"removed": issue_id, "articles": report.articles, "files": files, "generation": report.generation}

    def on_get(self, req: falcon.Request, resp: falcon.Response, issue_id: str) -> None:
        record = self.service.issue(issue_id)
        if record is None:
            raise falcon.HTTPNotFound(title="未找到", description=f"没有编号为“{issue_id}”的一期。")
        articles = [{**a, "url": article_url(a["id"])} for a in record["articles"]]
        resp.media = {**record, "articles": articles}


class ReindexResource:
    def __init__(self, admin: Admin):
        self.settings = admin

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        require_admin(req, self.settings)
        workspace = self.settings.workspace
        report = reindex(workspace.corpus_dir, workspace.index_dir)
        workspace.audit.record("rebuild", detail=f"{report.issues} 期，{report.articles} 篇")
        resp.media = {
            "generation": report.generation,
            "issues": report.issues,
            "articles": report.articles,
            "seconds": round(report.seconds, 3),
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
    def __init__(self) -> None:
        self.document = document()

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.document


def require_admin(req: falcon.Request, settings: Admin) -> None:
    """Writes need ``Authorization: Bearer <BULLETIN_ADMIN_TOKEN>``; without the variable they are off."""
    if not settings.token:
        raise falcon.HTTPForbidden(
            title="管理写入已关闭",
            description="服务没有设置环境变量 BULLETIN_ADMIN_TOKEN。设置它并重启服务后，凭该令牌即可上传和重建索引。",
        )
    scheme, _, token = (req.auth or "").partition(" ")
    expected = settings.token.encode("utf-8")
    given = token.strip().encode("utf-8")
    # compare_digest takes the same time wherever the strings differ.
    if scheme.lower() != "bearer" or not hmac.compare_digest(given, expected):
        raise falcon.HTTPUnauthorized(
            title="需要管理令牌",
            description="请在请求头中提供 Authorization: Bearer <令牌>。",
            challenges=["Bearer"],
        )


def _too_large(limit: int) -> falcon.HTTPContentTooLarge:
    return falcon.HTTPContentTooLarge(title="文件过大", description=f"上传文件不能超过 {limit / 1024 / 1024:g} MB。")


def _read_upload(req: falcon.Request, limit: int) -> tuple[str, bytes]:
    try:
        form = req.get_media()
        for part in form:
            if part.name != "file":
                continue
            data = part.stream.read(limit + 1)
            if len(data) > limit:
                raise _too_large(limit)
            # Only the last component of the client's name is kept, for its suffix and for messages.
            return PurePosixPath((part.filename or "").replace("\\", "/")).name, data
    except falcon.MediaMalformedError:
        raise falcon.HTTPBadRequest(title="上传格式错误", description="multipart 内容无法解析。请重新上传。") from None
    raise ParamError("file", "请求中没有 file 字段。请把简报文件放在 file 字段上传。")
