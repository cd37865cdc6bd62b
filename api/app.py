"""The app factory: the single place where the JSON API and the web pages meet."""

from __future__ import annotations

import os
from pathlib import Path

import falcon

from indexer import Archive

from .caching import GenerationETag
from .errors import add_handlers
from .resources import (
    ArticleResource,
    HealthResource,
    IssueResource,
    IssuesResource,
    OpenAPIResource,
    ReindexResource,
    SearchResource,
    Settings,
)

_TITLES = {
    400: ("请求无效", "请求的格式不对。"),
    404: ("找不到这个页面", "地址可能有误，或者这一页已不存在。"),
    405: ("不支持这种请求", "这个地址不接受该请求方法。"),
    413: ("内容过大", "请求的内容超过了允许的大小。"),
    500: ("服务器出错了", "请求未能完成。请稍后重试。"),
}


def create_app(archive: Archive, settings: Settings, *, pages: bool = True) -> falcon.App:
    """Compose the search interface, the JSON resources and (with ``pages``) the web pages."""
    app = falcon.App(middleware=[GenerationETag(archive)])
    app.req_options.auto_parse_qs_csv = False
    add_handlers(app)
    app.set_error_serializer(_error_serializer(pages))
    app.add_route("/api/search", SearchResource(archive))
    app.add_route("/api/articles/{article_id}", ArticleResource(archive))
    app.add_route("/api/issues", IssuesResource(archive, settings))
    app.add_route("/api/issues/{issue_id}", IssueResource(archive))
    app.add_route("/api/reindex", ReindexResource(settings))
    app.add_route("/api/openapi.json", OpenAPIResource())
    app.add_route("/healthz", HealthResource(archive))
    if pages:
        from web import add_pages

        add_pages(app, archive)
    return app


def settings_from_env() -> Settings:
    """Read configuration from the environment: only here and in the CLI."""
    return Settings(
        corpus_dir=Path(os.environ.get("BULLETIN_CORPUS", "corpus")),
        index_dir=Path(os.environ.get("BULLETIN_INDEX", "var/index")),
        admin_token=os.environ.get("BULLETIN_ADMIN_TOKEN") or None,
        max_upload=int(os.environ.get("BULLETIN_MAX_UPLOAD", str(10 * 1024 * 1024))),
    )


def get_app() -> falcon.App:
    settings = settings_from_env()
    return create_app(Archive(settings.index_dir), settings)


def _error_serializer(pages: bool):
    """JSON for the API and scripts; a Chinese HTML page for everything a browser opens."""

    def serialize(req: falcon.Request, resp: falcon.Response, exc: falcon.HTTPError) -> None:
        code = int(exc.status_code)
        if exc.title is None or exc.title[:3].isdigit():
            exc.title, default = _TITLES.get(code, (exc.title or str(code), None))
            exc.description = exc.description or default
        resp.append_header("Vary", "Accept")
        if pages and not req.path.startswith(("/api/", "/healthz")):
            from web.pages import render_error

            resp.content_type = falcon.MEDIA_HTML
            resp.text = render_error(exc.status, exc.title, exc.description or "")
            return
        resp.content_type = falcon.MEDIA_JSON
        resp.media = exc.to_dict()

    return serialize
