"""JSON resources: nouns with responders, all calling the indexer's search interface."""

from __future__ import annotations

import hmac
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import falcon

from archive import SUFFIXES, ArchiveError
from indexer import Archive, IndexerError, ingest, reindex
from indexer.search import ARTICLE_URL

from .errors import ParamError
from .openapi import document

_INT = re.compile(r"^\s*[+-]?\d+\s*$")


@dataclass(frozen=True)
class Settings:
    """What the resources need beside the archive: where to write, and who may."""

    corpus_dir: Path
    index_dir: Path
    admin_token: str | None
    max_upload: int = 10 * 1024 * 1024


def int_param(req: falcon.Request, name: str, default: int) -> int:
    raw = req.get_param(name, default=None)
    if raw is None:
        return default
    if not _INT.match(raw):
        raise ParamError(name, f"“{raw}”不是整数。")
    return int(raw)


def search_kwargs(req: falcon.Request) -> dict[str, Any]:
    """The search parameters of a request, as the search interface takes them."""
    return {
        "query": req.get_param("q") or "",
        "district": req.get_param("district"),
        "section": req.get_param("section"),
        "date_from": req.get_param("from"),
        "date_to": req.get_param("to"),
        "sort": req.get_param("sort") or "relevance",
        "page": int_param(req, "page", 1),
        "per_page": int_param(req, "per_page", 20),
    }


class SearchResource:
    def __init__(self, archive: Archive):
        self.archive = archive

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.archive.search(**search_kwargs(req)).to_dict()


class ArticleResource:
    def __init__(self, archive: Archive):
        self.archive = archive

    def on_get(self, req: falcon.Request, resp: falcon.Response, article_id: str) -> None:
        record = self.archive.article(article_id)
        if record is None:
            raise falcon.HTTPNotFound(title="未找到", description=f"没有编号为“{article_id}”的文章。")
        resp.media = record.to_dict()


class IssuesResource:
    def __init__(self, archive: Archive, settings: Settings):
        self.archive = archive
        self.settings = settings

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"issues": self.archive.issues()}

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
        folder = Path(tempfile.mkdtemp(prefix="bulletin-upload-"))
        try:
            # The client's file name is used for its suffix only; the path is ours.
            path = folder / f"upload{suffix}"
            path.write_bytes(data)
            report = ingest([path], self.settings.corpus_dir, self.settings.index_dir)
        except ArchiveError as exc:
            message = str(exc).replace(str(path), name or "上传的文件")
            raise falcon.HTTPUnprocessableEntity(title="无法解析", description=message) from None
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        resp.media = {
            "added": report.added,
            "replaced": report.replaced,
            "unchanged": report.unchanged,
            "articles": report.articles,
            "generation": report.generation,
            "warnings": report.warnings,
        }


class IssueResource:
    def __init__(self, archive: Archive):
        self.archive = archive

    def on_get(self, req: falcon.Request, resp: falcon.Response, issue_id: str) -> None:
        record = self.archive.issue(issue_id)
        if record is None:
            raise falcon.HTTPNotFound(title="未找到", description=f"没有编号为“{issue_id}”的一期。")
        articles = [{**a, "url": ARTICLE_URL.format(id=a["id"])} for a in record["articles"]]
        resp.media = {**record, "articles": articles}


class ReindexResource:
    def __init__(self, settings: Settings):
        self.settings = settings

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        require_admin(req, self.settings)
        try:
            report = reindex(self.settings.corpus_dir, self.settings.index_dir)
        except ArchiveError as exc:
            raise falcon.HTTPUnprocessableEntity(title="语料库有无法解析的文件", description=str(exc)) from None
        resp.media = {
            "generation": report.generation,
            "issues": report.issues,
            "articles": report.articles,
            "seconds": round(report.seconds, 3),
        }


class HealthResource:
    def __init__(self, archive: Archive):
        self.archive = archive

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.cache_control = ["no-store"]
        try:
            info = self.archive.check()
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


def require_admin(req: falcon.Request, settings: Settings) -> None:
    """Writes need ``Authorization: Bearer <BULLETIN_ADMIN_TOKEN>``; without the variable they are off."""
    if not settings.admin_token:
        raise falcon.HTTPForbidden(
            title="管理写入已关闭",
            description="服务没有设置环境变量 BULLETIN_ADMIN_TOKEN。设置它并重启服务后，凭该令牌即可上传和重建索引。",
        )
    scheme, _, token = (req.auth or "").partition(" ")
    expected = settings.admin_token.encode("utf-8")
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
