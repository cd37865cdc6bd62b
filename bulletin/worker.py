"""The gunicorn worker of `bulletin serve`: gunicorn's sync worker, with our answers to what it refuses.

Sync, one request at a time a process: search is CPU-bound Python, and a threaded worker hands every
request between two threads under one GIL (``docs/performance.md``). A sync worker closes each connection
after its answer. No request runs long: a rebuild runs in a process of its own (``indexer.admin.rebuild``).

gunicorn refuses some requests before the app sees them (a request line or a header past its limits, a
malformed request) and would answer with its own English HTML. This worker answers them as the app answers
errors: the API's JSON shape for API paths, the site's Chinese error page otherwise, with the same security
headers. The limits themselves are set in ``gunicorn_conf`` above the app's own (``errors.RequestLimits``).

gunicorn caps a request line at 8,190 bytes unless the cap is lifted altogether, and a long pasted query
needs more; lifted, it would read a line of any length (copying it whole on every read). The worker's
parser bounds it at ``MAX_REQUEST_LINE`` instead.
"""

from __future__ import annotations

import errno
import re
from http import HTTPStatus

from gunicorn import util
from gunicorn.http import errors as http_errors
from gunicorn.http.message import Request
from gunicorn.http.parser import RequestParser
from gunicorn.workers.sync import SyncWorker

from .errors import MAX_URI_BYTES, answer_for
from .headers import SECURITY_HEADERS

# Past the app's own limit (answered by the app, path known) and far below what would cost a worker much.
MAX_REQUEST_LINE = 2 * MAX_URI_BYTES
# How long a connection may take to send its request's head. A sync worker waits on one connection at a
# time, and browsers open connections ahead of need that may never carry a request: one of those may hold
# a worker this long, not until gunicorn's `timeout` ends the worker.
HEAD_SECONDS = 2.0
_HIGH = re.compile(rb"[\x80-\xff]")

_STATUS = (
    (http_errors.LimitRequestLine, 414),
    (http_errors.LimitRequestHeaders, 431),
    (http_errors.ExpectationFailed, 417),
    (http_errors.UnsupportedTransferCoding, 501),
    (http_errors.ForbiddenProxyRequest, 403),
    (http_errors.ConfigurationProblem, 500),
    (http_errors.ParseException, 400),  # every other malformed request
)


def status_for(exc: BaseException) -> int:
    return next((code for kind, code in _STATUS if isinstance(exc, kind)), 500)


class BoundedRequest(Request):
    def read_line(self, unreader, buf, limit=0):
        return super().read_line(unreader, buf, limit or MAX_REQUEST_LINE)

    def parse_request_line(self, line_bytes):
        # A link pasted with its Chinese as it reads (curl, scripts, some office programs send it so) has raw
        # UTF-8 in its target, which gunicorn refuses; encoded as a browser encodes it, it is the same search.
        parts = line_bytes.split(b" ", 2)
        if len(parts) == 3 and _HIGH.search(parts[1]):
            parts[1] = _HIGH.sub(lambda m: b"%%%02X" % m.group()[0], parts[1])
            line_bytes = b" ".join(parts)
        return super().parse_request_line(line_bytes)


class BoundedParser(RequestParser):
    mesg_class = BoundedRequest


class Worker(SyncWorker):
    def handle(self, listener, client, addr):
        # Our parser reads the request (plain HTTP/1.1 only: serve speaks no TLS, for which gunicorn's own
        # handling stays); what it refuses is answered by ``handle_error``.
        if self.cfg.is_ssl:
            return super().handle(listener, client, addr)
        req = None
        try:
            client.settimeout(HEAD_SECONDS)
            req = next(BoundedParser(self.cfg, client, addr))
            client.settimeout(None)  # the body and the answer: bounded by gunicorn's `timeout`, as before
            self.handle_request(listener, req, client, addr)
        except (http_errors.NoMoreData, StopIteration):
            pass  # the client sent nothing (more), or its answer ended the connection
        except TimeoutError:
            self.log.debug("Closed a connection that sent no request within %s s.", HEAD_SECONDS)
        except OSError as exc:
            if exc.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
                self.log.exception("Socket error processing request.")
        except BaseException as exc:
            self.handle_error(req, client, addr, exc)
        finally:
            util.close_graceful(client)

    def handle_error(self, req, client, addr, exc) -> None:
        code = status_for(exc)
        if code == 500:
            self.log.exception("Error handling request %s", getattr(req, "uri", "(no URI read)"))
        else:
            self.log.warning("Invalid request from %s: %s", (addr or ("",))[0], exc)
        content_type, body = answer_for(code, getattr(req, "path", None))
        head = [f"HTTP/1.1 {code} {HTTPStatus(code).phrase}", "Connection: close",
                f"Content-Type: {content_type}", f"Content-Length: {len(body)}",
                *(f"{name}: {value}" for name, value in SECURITY_HEADERS.items())]  # fmt: skip
        try:
            util.write_nonblock(client, "\r\n".join(head).encode("latin-1") + b"\r\n\r\n" + body)
        except OSError:
            self.log.debug("Failed to send the error answer.")
