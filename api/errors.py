"""Error bodies and the one place where domain errors become HTTP errors."""

from __future__ import annotations

import logging
from typing import Any

import falcon

from indexer import IndexerError, QueryError, WriterBusyError

log = logging.getLogger("bulletin.api")


class ParamError(falcon.HTTPBadRequest):
    """A 400 whose body names the parameter: {"title", "description", "param"}."""

    def __init__(self, param: str, message: str):
        super().__init__(title="参数无效", description=f"参数 {param}：{message}")
        self.param = param

    def to_dict(self, obj_type: type = dict) -> Any:
        body = super().to_dict(obj_type)
        body["param"] = self.param
        return body


def _query_error(req: falcon.Request, resp: falcon.Response, exc: QueryError, params: dict) -> None:
    raise ParamError(exc.param, exc.message)


def _busy(req: falcon.Request, resp: falcon.Response, exc: WriterBusyError, params: dict) -> None:
    raise falcon.HTTPConflict(title="正在写入", description=exc.message)


def _unavailable(req: falcon.Request, resp: falcon.Response, exc: IndexerError, params: dict) -> None:
    raise falcon.HTTPServiceUnavailable(title="索引不可用", description=exc.message)


def _unexpected(req: falcon.Request, resp: falcon.Response, exc: Exception, params: dict) -> None:
    if isinstance(exc, falcon.HTTPError):
        raise exc
    log.exception("unexpected error on %s %s", req.method, req.relative_uri)
    raise falcon.HTTPInternalServerError(title="服务器内部错误", description="请求未能完成，已记录。请稍后重试。")


def add_handlers(app: falcon.App) -> None:
    """Falcon picks the most specific handler, whatever the order of registration."""
    app.add_error_handler(Exception, _unexpected)
    app.add_error_handler(IndexerError, _unavailable)
    app.add_error_handler(WriterBusyError, _busy)
    app.add_error_handler(QueryError, _query_error)
