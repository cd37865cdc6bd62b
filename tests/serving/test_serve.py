"""A real `bulletin serve` (gunicorn) on 127.0.0.1."""

from __future__ import annotations

import urllib.parse

import pytest
from conftest import Served, children, make_corpus, variant_of_seed, wait_for

# Starts servers, browsers or subprocesses: left out of the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow

TOKEN = "serve-test-token"


@pytest.fixture
def served(tmp_path):
    corpus = make_corpus(tmp_path)
    server = Served(corpus, tmp_path / "index", token=TOKEN)  # no index yet: serve builds it first
    yield server, corpus, tmp_path / "index"
    server.stop()


def q(text: str) -> str:
    return urllib.parse.quote(text)


def test_serve_builds_the_index_searches_and_takes_an_upload_without_restart(served):
    server, corpus, _index = served
    status, body, headers = server.get(f"/api/search?q={q('城管通')}")
    assert status == 200 and body["total"] == 14 and headers["content-type"].startswith("application/json")
    status, body, _ = server.get("/api/search?from=2020&to=2020")
    assert body["total"] == 0

    before = sorted(p.name for p in corpus.rglob("*"))
    refused, message, _ = server.post_file({"file": ("2020-05.md", variant_of_seed(2020, 5))})
    assert refused == 401 and "令牌" in message["title"]
    wrong, _, _ = server.post_file({"file": ("2020-05.md", variant_of_seed(2020, 5))}, {"Authorization": "Bearer nope"})
    assert wrong == 401
    assert sorted(p.name for p in corpus.rglob("*")) == before

    status, body, _ = server.post_file(
        {"file": ("2020-05.md", variant_of_seed(2020, 5))}, {"Authorization": f"Bearer {TOKEN}"}
    )
    assert status == 200 and body["added"] == ["2020-05"]
    # Both workers answer from the new index without a restart.
    totals = {server.get(f"/api/search?q={q('城管通')}")[1]["total"] for _ in range(12)}
    assert totals == {25}
    assert server.get("/healthz")[1]["issues"] == 6
    assert "GET /api/search" in server.output()  # the access log
    assert "Rehearsal" not in server.output()  # each worker rehearsed before its first request, without error


def test_pages_and_errors_over_http(served):
    server, _, _ = served
    status, html, headers = server.get(f"/search?q={q('执法记录仪')}&district={q('怀柔')}")
    assert status == 200 and "text/html" in headers["content-type"] and "<mark>执法记录仪</mark>" in html
    assert server.get("/no/such/page")[0] == 404
    assert server.get("/api/search?page=0")[0] == 400


def test_serve_without_token_refuses_writes(tmp_path):
    corpus = make_corpus(tmp_path)
    server = Served(corpus, tmp_path / "index", token=None, workers=1)
    try:
        status, body, _ = server.post_file({"file": ("2020-05.md", variant_of_seed(2020, 5))})
        assert status == 403 and "BULLETIN_ADMIN_TOKEN" in body["description"]
        assert not (corpus / "2020").exists()
    finally:
        server.stop()


def test_long_pasted_queries_work_and_longer_ones_get_our_chinese_414(served):
    server, corpus, _index = served
    from archive import read_file

    seed = read_file(next(corpus.rglob("2017-06.md"))).issue
    source = max(seed.articles, key=lambda a: len(a.text))
    pasted = source.text[:1000]
    status, body, _ = server.get(f"/api/search?q={q(pasted)}")
    assert status == 200 and body["hits"][0]["id"] == source.id
    status, page, _ = server.get(f"/search?q={q(pasted)}")
    assert status == 200 and source.title in page

    too_long = "城管" * 2500  # about 45 KB once encoded: past what the app accepts in an address
    status, body, headers = server.get(f"/api/search?q={q(too_long)}")
    assert status == 414 and headers["content-type"].startswith("application/json")
    assert body["title"] == "地址过长" and "字节" in body["description"]
    status, page, headers = server.get(f"/search?q={q(too_long)}")
    assert status == 414 and headers["content-type"].startswith("text/html") and "地址过长" in page
    over = "城" * 2001  # fits the address, but is longer than a query may be
    status, body, _ = server.get(f"/api/search?q={q(over)}")
    assert status == 400 and body["param"] == "q" and "2000" in body["description"]


@pytest.mark.parametrize("workers", [None, 3])
def test_serve_starts_the_workers_asked_for_by_default_one_per_core(tmp_path, workers):
    import os

    server = Served(make_corpus(tmp_path), tmp_path / "index", workers=workers)
    try:
        expected = workers or os.cpu_count()
        found = wait_for(lambda: len(children(server.process.pid)) == expected, 30, f"{expected} workers")
        assert found and server.get("/healthz")[0] == 200
    finally:
        server.stop()


def raw_request(server: Served, data: bytes) -> tuple[int, dict, bytes]:
    """Send ``data`` as it is (no client library would send most of these) and read the whole answer."""
    import contextlib
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        # the server may answer and close before it has read everything
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def get_with(path: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def test_every_refusal_is_answered_in_chinese_in_the_apps_own_shape(served):
    import json

    server, _, _ = served
    long_query = q("城管通执法" * 400)  # 2,000 characters, 18 KB once encoded: what a paste may be
    # A search this long works, and so does the next request, whose Referer is as long.
    status, _, _ = raw_request(server, get_with(f"/search?q={long_query}", []))
    assert status == 200
    referer = f"{server.base}/search?q={long_query}"
    assert raw_request(server, get_with("/api/search?q=x", [("Referer", referer)]))[0] == 200

    answers = {}
    # Past the app's limits, with the path known: JSON for the API, the page for pages.
    big_headers = [("Cookie", "a=" + "x" * 40_000), ("X-Padding", "y" * 40_000)]
    for path in ("/api/search?q=x", "/search?q=x"):
        answers[f"app 431 {path}"] = raw_request(server, get_with(path, big_headers))
    # Past the server's own limits (a request line over 64 KB, a header over 48 KB, over 50 headers), or
    # not HTTP at all: refused before the path is read, and the worker answers with our page.
    answers["line 414"] = raw_request(server, get_with("/api/search?q=" + "x" * (64 * 1024 + 10), []))
    answers["field 431"] = raw_request(server, get_with("/api/search?q=x", [("Cookie", "a=" + "x" * 60_000)]))
    many = [(f"X-Many-{i}", "1") for i in range(60)]
    answers["fields 431"] = raw_request(server, get_with("/api/search?q=x", many))
    answers["garbage 400"] = raw_request(server, b"NOT HTTP AT ALL\r\n\r\n")
    # A SCRIPT_NAME header (gunicorn takes it from the loopback, as from a proxy) that the path is not under.
    answers["script name 400"] = raw_request(server, get_with("/api/search?q=x", [("SCRIPT_NAME", "/elsewhere")]))

    expected = {
        "app 431 /api/search?q=x": (431, "json", "请求头过大"),
        "app 431 /search?q=x": (431, "html", "请求头过大"),
        "line 414": (414, "html", "地址过长"),
        "field 431": (431, "html", "请求头过大"),
        "fields 431": (431, "html", "请求头过大"),
        "garbage 400": (400, "html", "请求无效"),
        "script name 400": (400, "json", "请求无效"),
    }
    for name, (status, kind, title) in expected.items():
        got_status, headers, body = answers[name]
        assert got_status == status, name
        assert headers["content-security-policy"].startswith("default-src 'self'"), name
        assert headers["x-content-type-options"] == "nosniff", name
        if kind == "json":
            assert headers["content-type"].startswith("application/json"), name
            assert json.loads(body)["title"] == title, name
        else:
            assert headers["content-type"].startswith("text/html"), name
            page = body.decode("utf-8")
            assert title in page and 'lang="zh' in page and "gunicorn" not in page.lower(), name
    assert server.get("/healthz")[0] == 200  # and the server is still answering


def test_a_link_with_its_chinese_unencoded_is_the_same_search(served):
    import json

    server, _, _ = served
    encoded = raw_request(server, get_with(f"/api/search?q={q('城管通')}&district={q('海淀')}", []))
    line = "GET /api/search?q=城管通&district=海淀 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    status, headers, body = raw_request(server, line.encode("utf-8"))
    assert status == 200 and headers["content-type"].startswith("application/json")
    assert json.loads(body)["total"] == json.loads(encoded[2])["total"] > 0
    # Control bytes are still refused, in the app's own shape.
    status, _, body = raw_request(server, b"GET /search?q=\x01 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status == 400 and "请求".encode() in body


def _try(call):
    try:
        return call()
    except OSError:
        return None
