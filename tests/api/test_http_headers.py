"""Every GET route answers HEAD the same way without a body, and every answer carries the security headers."""

from __future__ import annotations

import pytest

from bulletin.headers import SECURITY_HEADERS

GETS = [
    ("/", None),
    ("/search", "q=城管通"),
    ("/articles/2017-06-a20", None),
    ("/issues", None),
    ("/issues/2017-06", None),
    ("/static/style.css", None),
    ("/favicon.ico", None),
    ("/search.atom", "q=城管通"),
    ("/search.csv", "q=城管通&district=海淀"),
    ("/search/citations", "q=峰会"),
    ("/api/search", "q=城管通&district=怀柔"),
    ("/api/articles/2017-06-a20", None),
    ("/api/issues", None),
    ("/api/issues/2017-06", None),
    ("/api/openapi.json", None),
    ("/api/reindex", None),  # 403: writes are off without the token, in the API's error shape
    ("/healthz", None),
    ("/no/such/page", None),  # 404 page
    ("/api/search", "page=0"),  # 400 in the API's error shape
    # The admin pages: 404 while there is neither an account nor the token.
    ("/admin", None),
    ("/admin/login", None),
    ("/admin/rebuild", None),
    ("/admin/audit", None),
    ("/admin/vocabulary", None),
    ("/admin/users", None),
    ("/admin/uploads/" + "0" * 64, None),
    ("/admin/issues/2017-06/remove", None),
]


@pytest.mark.parametrize(("path", "query"), GETS)
def test_head_answers_like_get_without_a_body(client, path, query):
    got = client.simulate_get(path, query_string=query)
    head = client.simulate_head(path, query_string=query)
    assert head.status_code == got.status_code and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert int(head.headers["content-length"]) == len(got.content) > 0


def test_every_get_route_is_among_those_tried(client):
    """A new GET route fails here until it is added to GETS above."""

    def templates(nodes):
        for node in nodes:
            if node.resource is not None and hasattr(node.resource, "on_get"):
                yield node.uri_template
            yield from templates(node.children)

    routes = set(templates(client.app._router._roots))
    tried = {path for path, _ in GETS}
    fill = {"{article_id}": "2017-06-a20", "{issue_id}": "2017-06", "{key}": "0" * 64}
    for route in routes:
        for name, value in fill.items():
            route = route.replace(name, value)
        assert route in tried, route
    assert len(routes) >= 13


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/"), ("GET", "/nope"), ("POST", "/api/reindex"), ("HEAD", "/search")]
)
def test_every_answer_carries_the_security_headers(client, method, path):
    result = client.simulate_request(method, path)
    for name, value in SECURITY_HEADERS.items():
        assert result.headers[name.lower()] == value, name
    assert "script-src 'none'" in result.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in result.headers["content-security-policy"]
