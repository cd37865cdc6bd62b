"""The one place where errors become HTTP answers: JSON for the API, the Chinese error page for pages."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus

import falcon

from api import ParamError
from archive import ArchiveError
from indexer import IndexerError, NoSuchIssueError, QueryError, TooLargeError, WriterBusyError
from web import render_error

log = logging.getLogger("bulletin.app")

_TITLES = {
    400: ("请求无效", "请求的格式不对。"),
    404: ("找不到这个页面", "地址可能有误，或者这一页已不存在。"),
    405: ("不支持这种请求", "这个地址不接受该请求方法。"),
    413: ("内容过大", "请求的内容超过了允许的大小。"),
    414: ("地址过长", "请求地址超过了允许的长度。请缩短查询后重试。"),
    417: ("无法满足请求", "服务器不支持请求中的 Expect 头。"),
    431: ("请求头过大", "请求头超过了允许的大小。请清除本站的 Cookie 后重试。"),
    501: ("不支持的请求", "服务器不支持这种传输编码。"),
    500: ("服务器出错了", "请求未能完成。请稍后重试。"),
}
_JSON_PATHS = ("/api/", "/healthz")
# The product's own request limits, answered in Chinese with the path known. gunicorn's are set above them
# (gunicorn_conf), so that what gunicorn refuses itself is only what no browser sends.
MAX_URI_BYTES = 32 * 1024  # a pasted paragraph of 2,000 characters is about 18 KB once encoded
MAX_HEADER_BYTES = 64 * 1024  # all headers together; the Referer of a long search is as long as its address


class RequestLimits:
    """Refuse an over-long address or oversized headers before any resource runs, as the API or a page."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        size = len(req.relative_uri.encode("utf-8"))
        if size > MAX_URI_BYTES:
            raise falcon.HTTPUriTooLong(
                title="地址过长",
                description=f"请求地址有 {size} 字节，最多 {MAX_URI_BYTES} 字节。请缩短查询后重试。",
            )
        headers = _header_bytes(req.env)
        if headers > MAX_HEADER_BYTES:
            raise falcon.HTTPError(
                falcon.HTTP_431,
                title="请求头过大",
                description=f"请求头共 {headers} 字节，最多 {MAX_HEADER_BYTES} 字节。请清除本站的 Cookie 后重试。",
            )


def _header_bytes(env: dict) -> int:
    """The request's header lines' bytes ("Name: value" and the line break), from the WSGI variables: what
    falcon's ``req.headers`` would give, without building it for every request."""
    size = 0
    for key, value in env.items():
        if key.startswith("HTTP_"):
            size += len(key) - 5 + len(value) + 4
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            size += len(key) + len(value) + 4
    return size


def _query_error(req: falcon.Request, resp: falcon.Response, exc: QueryError, params: dict) -> None:
    raise ParamError(exc.param, exc.message)


def _unreadable(req: falcon.Request, resp: falcon.Response, exc: ArchiveError, params: dict) -> None:
    raise falcon.HTTPUnprocessableEntity(title="无法解析", description=str(exc))


def _busy(req: falcon.Request, resp: falcon.Response, exc: WriterBusyError, params: dict) -> None:
    raise falcon.HTTPConflict(title="正在写入", description=exc.message)


def _no_issue(req: falcon.Request, resp: falcon.Response, exc: NoSuchIssueError, params: dict) -> None:
    raise falcon.HTTPNotFound(title="找不到这一期", description=exc.message)


def _too_large(req: falcon.Request, resp: falcon.Response, exc: TooLargeError, params: dict) -> None:
    raise falcon.HTTPContentTooLarge(title="内容过大", description=exc.message)


def _malformed(req: falcon.Request, resp: falcon.Response, exc: falcon.MediaMalformedError, params: dict) -> None:
    raise falcon.HTTPBadRequest(title="上传格式错误", description="提交的内容无法解析。请重新提交。")


def _unavailable(req: falcon.Request, resp: falcon.Response, exc: IndexerError, params: dict) -> None:
    raise falcon.HTTPServiceUnavailable(title="索引不可用", description=exc.message)


def _unexpected(req: falcon.Request, resp: falcon.Response, exc: Exception, params: dict) -> None:
    if isinstance(exc, falcon.HTTPError):
        raise exc
    log.exception("unexpected error on %s %s", req.method, req.relative_uri)
    raise falcon.HTTPInternalServerError(title="服务器内部错误", description="请求未能完成，已记录。请稍后重试。")


def add_handlers(app: falcon.App, *, pages: bool) -> None:
    """Map domain errors to HTTP errors; Falcon picks the most specific handler, whatever the order."""
    app.add_error_handler(Exception, _unexpected)
    app.add_error_handler(ArchiveError, _unreadable)
    app.add_error_handler(IndexerError, _unavailable)
    app.add_error_handler(WriterBusyError, _busy)
    app.add_error_handler(NoSuchIssueError, _no_issue)
    app.add_error_handler(TooLargeError, _too_large)
    app.add_error_handler(falcon.MediaMalformedError, _malformed)
    app.add_error_handler(QueryError, _query_error)
    app.set_error_serializer(_serializer(pages))


def wants_json(path: str | None) -> bool:
    return path is not None and path.startswith(_JSON_PATHS)


def answer_for(code: int, path: str | None, description: str | None = None) -> tuple[str, bytes]:
    """The body of an error that no resource answered (the server's own refusals), as the app would give it.

    ``path`` is None when the request was refused before its path was read: the page is the safer guess,
    since a script reads the status code and a person reads the page.
    """
    title, default = _TITLES.get(code, (HTTPStatus(code).phrase, None))
    text = description or default or ""
    if wants_json(path):
        return falcon.MEDIA_JSON, json.dumps({"title": title, "description": text}, ensure_ascii=False).encode()
    return falcon.MEDIA_HTML, render_error(f"{code} {HTTPStatus(code).phrase}", title, text).encode()


def _serializer(pages: bool):
    """JSON for the API and scripts; a Chinese HTML page for everything a browser opens."""

    def serialize(req: falcon.Request, resp: falcon.Response, exc: falcon.HTTPError) -> None:
        code = int(exc.status_code)
        if exc.title is None or exc.title[:3].isdigit():
            exc.title, default = _TITLES.get(code, (exc.title or str(code), None))
            exc.description = exc.description or default
        resp.append_header("Vary", "Accept")
        if pages and not wants_json(req.path):
            resp.content_type = falcon.MEDIA_HTML
            resp.text = render_error(exc.status, exc.title, exc.description or "")
            return
        resp.content_type = falcon.MEDIA_JSON
        resp.media = exc.to_dict()

    return serialize
