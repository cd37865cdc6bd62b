"""The access log's lines are gunicorn's own, field for field, from a request gunicorn parsed."""

from __future__ import annotations

import io
from datetime import timedelta

from gunicorn import glogging
from gunicorn.config import Config
from gunicorn.http import wsgi
from gunicorn.http.parser import RequestParser

from bulletin import gunicorn_conf
from bulletin.accesslog import Logger


class _Socket:
    """What gunicorn's parser reads a request from and its response writes to."""

    def __init__(self, data: bytes):
        self.data, self.out = io.BytesIO(data), io.BytesIO()

    def recv(self, size: int) -> bytes:
        return self.data.read(size)

    def sendall(self, data: bytes) -> None:
        self.out.write(data)


def _answered(log_format: str) -> tuple[Config, object, object, dict]:
    cfg = Config()
    cfg.set("access_log_format", log_format)
    raw = "GET /api/search?q=%E5%9F%8E%E7%AE%A1 HTTP/1.1\r\nHost: x\r\nUser-Agent: 测试/1.0\r\nReferer: /a\r\n\r\n"
    sock = _Socket(raw.encode())
    req = next(iter(RequestParser(cfg, sock, ("127.0.0.1", 5000))))
    resp, environ = wsgi.create(req, sock, ("127.0.0.1", 5000), ("127.0.0.1", 8000), cfg)
    resp.start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "7")])
    resp.write(b'{"a":1}')
    return cfg, req, resp, environ


def test_the_configured_format_gets_gunicorns_fields():
    cfg, req, resp, environ = _answered(gunicorn_conf.access_log_format)
    took = timedelta(microseconds=12_345)
    ours, theirs = Logger(cfg).atoms(resp, req, environ, took), glogging.Logger(cfg).atoms(resp, req, environ, took)
    assert ours and ours == {name: theirs[name] for name in ours}
    assert (
        gunicorn_conf.access_log_format % ours == '127.0.0.1 "GET /api/search?q=%E5%9F%8E%E7%AE%A1 HTTP/1.1" 200 7 12ms'
    )


def test_a_format_naming_other_fields_gets_all_of_gunicorns():
    log_format = '%(h)s "%(a)s" %({content-type}o)s'
    cfg, req, resp, environ = _answered(log_format)
    took = timedelta(seconds=1)
    ours = Logger(cfg).atoms(resp, req, environ, took)
    assert set(ours) == set(glogging.Logger(cfg).atoms(resp, req, environ, took))
    assert glogging.SafeAtoms(ours)["{content-type}o"] == "application/json"
