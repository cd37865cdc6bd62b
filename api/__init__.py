"""The JSON API: Falcon resources over the indexer's search interface, and its OpenAPI document."""

from __future__ import annotations

import falcon
import orjson

from indexer import Admin, SearchService

from .errors import ParamError
from .resources import (
    REINDEX,
    Access,
    ArticleResource,
    HealthResource,
    IssueResource,
    IssuesResource,
    OpenAPIResource,
    ReindexResource,
    SearchResource,
)

__all__ = ["Access", "ParamError", "add_routes"]


def _dumps(obj: object) -> bytes:
    """``obj`` as JSON by orjson, a tenth of the standard library's time for a page of hits (and the same JSON
    but for spaces). A key that is not a string is written as the standard library writes it, on a second
    try: allowing such keys from the start makes orjson check every key, which triples a page's time."""
    try:
        return orjson.dumps(obj)
    except orjson.JSONEncodeError:
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)


# The answers written by ``_dumps``; what clients send is read as before.
JSON = falcon.media.JSONHandler(dumps=_dumps)


def add_routes(
    app: falcon.App, service: SearchService, admin: Admin, access: Access, *, others: dict | None = None
) -> None:
    """Add the JSON routes (``/api/…`` and ``/healthz``) to ``app``; ``others`` are routes outside the API that
    its document describes too (a search's feed and spreadsheet)."""
    app.resp_options.media_handlers[falcon.MEDIA_JSON] = JSON
    app.add_route("/api/search", SearchResource(service))
    app.add_route("/api/articles/{article_id}", ArticleResource(service))
    app.add_route("/api/issues", IssuesResource(service, admin, access))
    app.add_route("/api/issues/{issue_id}", IssueResource(service, admin, access))
    app.add_route(REINDEX, ReindexResource(admin, access))
    app.add_route("/api/openapi.json", OpenAPIResource(others))
    app.add_route("/healthz", HealthResource(service))
