"""The one place where errors become HTTP answers: JSON for the API, the Chinese error page for pages."""

from __future__ import annotations

import logging

import falcon

from api import ParamError
from archive import ArchiveError
from indexer import IndexerError, QueryError, WriterBusyError
from web import render_error

log = logging.getLogger("bulletin.app")

_TITLES = {
    400: ("请求无效", "请求的格式不对。"),
    404: ("找不到这个页面", "地址可能有误，或者这一页已不存在。"),
    405: ("不支持这种请求", "这个地址不接受该请求方法。"),
    413: ("内容过大", "请求的内容超过了允许的大小。"),
    500: ("服务器出错了", "请求未能完成。请稍后重试。"),
}
_JSON_PATHS = ("/api/", "/healthz")
# gunicorn's request-line limit is lifted (long pasted queries); this is the app's own, answered in Chinese.
MAX_URI_BYTES = 32 * 1024


class RequestLimits:
    """Refuse an over-long address before any resource runs, in the API's error shape or as a page."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        size = len(req.relative_uri.encode("utf-8"))
        if size > MAX_URI_BYTES:
            raise falcon.HTTPUriTooLong(
                title="地址过长",
                description=f"请求地址有 {size} 字节，最多 {MAX_URI_BYTES} 字节。请缩短查询后重试。",
            )


def _query_error(req: falcon.Request, resp: falcon.Response, exc: QueryError, params: dict) -> None:
    raise ParamError(exc.param, exc.message)


def _unreadable(req: falcon.Request, resp: falcon.Response, exc: ArchiveError, params: dict) -> None:
    raise falcon.HTTPUnprocessableEntity(title="无法解析", description=str(exc))


def _busy(req: falcon.Request, resp: falcon.Response, exc: WriterBusyError, params: dict) -> None:
    raise falcon.HTTPConflict(title="正在写入", description=exc.message)


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
    app.add_error_handler(QueryError, _query_error)
    app.set_error_serializer(_serializer(pages))


def _serializer(pages: bool):
    """JSON for the API and scripts; a Chinese HTML page for everything a browser opens."""

    def serialize(req: falcon.Request, resp: falcon.Response, exc: falcon.HTTPError) -> None:
        code = int(exc.status_code)
        if exc.title is None or exc.title[:3].isdigit():
            exc.title, default = _TITLES.get(code, (exc.title or str(code), None))
            exc.description = exc.description or default
        resp.append_header("Vary", "Accept")
        if pages and not req.path.startswith(_JSON_PATHS):
            resp.content_type = falcon.MEDIA_HTML
            resp.text = render_error(exc.status, exc.title, exc.description or "")
            return
        resp.content_type = falcon.MEDIA_JSON
        resp.media = exc.to_dict()

    return serialize
