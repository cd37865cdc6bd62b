"""The gunicorn worker of `bulletin serve`: one loop that reads and writes every client without waiting on
any, and hands the app one whole request at a time.

Search is CPU-bound Python under one GIL a process, so a worker answers one request at a time (threads would
only hand requests between one another, ``docs/performance.md``). What it must not do is wait on a client: a
sync worker waits on one connection from its first byte to its last, so two sockets sending a byte every
second stop it. This worker gathers each request whole in its connection (``connections``: one deadline for the
whole head and body, limits on both, a bound on the bytes held), runs the app on it, and writes the answer out
as the client takes it; idle keep-alive connections wait in the same loop and are closed after a few seconds.
A request that never ends (a handler stuck) stops the loop's heartbeat, and gunicorn's master recycles the
worker after ``timeout``.

gunicorn refuses some requests before the app sees them (a request line or a header past its limits, a
malformed request) and would answer with its own English HTML. This worker answers them, and what it refuses
itself, as the app answers errors: the API's JSON for API paths, the site's Chinese page otherwise, with the
same security headers. A link pasted with raw UTF-8 in its target (curl, scripts send it so) is encoded as a
browser would encode it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import selectors
import socket
import time
from datetime import datetime
from http import HTTPStatus

from gunicorn.http import errors as http_errors
from gunicorn.http import wsgi
from gunicorn.http.message import Request
from gunicorn.http.parser import RequestParser
from gunicorn.workers.base import Worker as BaseWorker
from gunicorn.workers.sync import SyncWorker

from .connections import IDLE_SECONDS, MAX_REQUEST_LINE, Connection, Refused
from .errors import answer_for
from .headers import SECURITY_HEADERS

# Bytes the worker may hold of requests being received, in all: past it, a new large body is refused (503).
BUFFER_BUDGET = 64 * 1024 * 1024
# Connections one address may hold in a worker at once (a browser opens six); more are closed as they come.
# The loopback is not counted: it is a proxy in front, speaking for everyone.
PER_ADDRESS = 32
_HIGH = re.compile(rb"[\x80-\xff]")
_STATUS = (
    (http_errors.LimitRequestLine, 414),
    (http_errors.LimitRequestHeaders, 431),
    (http_errors.ExpectationFailed, 417),
    (http_errors.UnsupportedTransferCoding, 501),
    (http_errors.ForbiddenProxyRequest, 403),
    (http_errors.ParseException, 400),  # every other malformed request
)
_GONE = (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN, errno.EBADF)


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


class _Sink:
    """What gunicorn's response writes to: the answer, kept whole for the loop to send."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.parts.append(bytes(data))

    def send(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def data(self) -> bytes:
        return b"".join(self.parts)


class Settled:
    """gunicorn's settings as a worker reads them, each looked up once: ``Config`` looks a setting up anew at
    every access, and its parser and response ask about twenty times a request. A worker's settings do not
    change while it runs (a reload starts new workers)."""

    def __init__(self, cfg: object) -> None:
        self._cfg = cfg

    def __getattr__(self, name: str) -> object:
        value = getattr(self._cfg, name)
        setattr(self, name, value)
        return value


class Worker(BaseWorker):
    def run(self) -> None:
        self._rehearse()
        if self.cfg.is_ssl:  # serve speaks no TLS itself; gunicorn's own handling stays for it
            SyncWorker.run(self)  # type: ignore[arg-type]
            return
        self.settings = Settled(self.cfg)
        self.selector = selectors.DefaultSelector()
        self.connections: dict[int, Connection] = {}
        self.buffered = 0
        self.body_limit = int(os.environ.get("BULLETIN_MAX_UPLOAD") or 10 * 1024 * 1024) + 1024 * 1024
        for listener in self.sockets:
            listener.setblocking(False)
            self.selector.register(listener, selectors.EVENT_READ, None)
        self.accepting = True
        while self.alive:
            self.notify()
            if self.ppid != os.getppid():
                self.log.info("Parent changed, shutting down: %s", self)
                break
            for key, events in self.selector.select(timeout=self._wait()):
                if key.data is None:
                    self._accept(key.fileobj)
                elif events & selectors.EVENT_READ:
                    self._read(key.data)
                elif events & selectors.EVENT_WRITE:
                    self._write(key.data)
            self._expire(time.monotonic())
        for connection in list(self.connections.values()):
            self._close(connection)

    def _rehearse(self) -> None:
        """The app's rehearsal (``bulletin.app.App.rehearse``), if it has one, before the first request; a
        failure is logged and the worker serves all the same (the same fault answers each request clearly)."""
        rehearse = getattr(self.wsgi, "rehearse", None)
        if rehearse is None:
            return
        try:
            rehearse()
        except Exception:
            self.log.exception("Rehearsal before the first request failed")

    def _wait(self) -> float:
        if not self.connections:
            return 1.0
        soonest = min(c.deadline for c in self.connections.values())
        return max(0.0, min(1.0, soonest - time.monotonic()))

    def _accept(self, listener: socket.socket) -> None:
        while len(self.connections) < self.settings.worker_connections or self._drop_idle():
            try:
                client, addr = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                if exc.errno in (errno.ECONNABORTED, errno.EPROTO):
                    continue
                raise
            if self._crowded(addr):
                client.close()
                continue
            client.setblocking(False)
            connection = Connection(client, addr, listener, time.monotonic() + IDLE_SECONDS)
            self.connections[client.fileno()] = connection
            self.selector.register(client, selectors.EVENT_READ, connection)
            return  # one a turn: the rest wait in the listener for whichever worker is free first

    def _crowded(self, addr: object) -> bool:
        host = addr[0] if isinstance(addr, tuple) and addr else None
        if host is None or host in ("127.0.0.1", "::1"):
            return False
        return sum(1 for c in self.connections.values() if c.addr[0] == host) >= PER_ADDRESS

    def _drop_idle(self) -> bool:
        """Make room by closing the connection idle longest; False when none is idle."""
        idle = [c for c in self.connections.values() if c.idle()]
        if not idle:
            return False
        self._close(min(idle, key=lambda c: c.deadline))
        return True

    def _read(self, connection: Connection) -> None:
        try:
            data = connection.sock.recv(256 * 1024)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._close(connection)
            return
        if not data:
            self._close(connection)
            return
        if self.buffered + len(data) > BUFFER_BUDGET:
            self._refuse(connection, Refused(503, "worker buffer full"))
            return
        self.buffered += len(data)
        connection.received(data, time.monotonic())
        self._serve(connection)

    def _serve(self, connection: Connection) -> None:
        """Answer the whole requests the connection has sent (pipelined ones one after another)."""
        while connection.out is None:
            before = len(connection.inbuf)
            try:
                ready = connection.request(self.body_limit)
            except Refused as refused:
                self._refuse(connection, refused)
                return
            if ready is None:
                if connection.needs_continue():
                    connection.continue_sent()
                return
            self.buffered -= before - len(connection.inbuf)
            raw, _ = ready
            self._handle(connection, raw)

    def _handle(self, connection: Connection, raw: bytes) -> None:
        req = None
        try:
            req = next(BoundedParser(self.settings, [raw], connection.addr))
            self._respond(connection, req)
        except StopIteration:
            self._close(connection)
        except Exception as exc:
            self._error(connection, getattr(req, "path", None), status_for(exc), exc)

    def _respond(self, connection: Connection, req: Request) -> None:
        sink = _Sink()
        started = datetime.now()
        resp, environ = wsgi.create(req, sink, connection.addr, connection.listener.getsockname(), self.settings)
        self.nr += 1
        if self.nr >= self.max_requests or not self.alive:
            self.alive = False
            resp.force_close()
        elif self._others_waiting(connection):
            resp.force_close()  # the client reconnects, and an idle worker takes it (see ``_others_waiting``)
        self.settings.pre_request(self, req)
        respiter = self.wsgi(environ, resp.start_response)
        try:
            for item in respiter:
                resp.write(item)
            resp.close()
        finally:
            self.log.access(resp, req, environ, datetime.now() - started)
            if hasattr(respiter, "close"):
                respiter.close()
            self.settings.post_request(self, req, environ, resp)
        connection.answer(sink.data(), resp.should_close(), time.monotonic())
        self._write(connection)

    def _others_waiting(self, connection: Connection) -> bool:
        """Whether another client of this worker has sent bytes it has not read yet. A keep-alive connection
        stays with the worker that accepted it, so clients that connected at once can all land on one worker
        while another idles; closing an answered connection while others wait here lets its next request go
        to whichever worker is free, as a sync worker's would. (A client trickling a request is waited for
        only while its bytes arrive, as it is in the loop.)"""
        ready = self.selector.select(timeout=0)
        return any(
            key.data is not None and key.data is not connection and events & selectors.EVENT_READ
            for key, events in ready
        )

    def _write(self, connection: Connection) -> None:
        try:
            done = connection.flush()
        except (BlockingIOError, InterruptedError):
            done = False
        except OSError:
            self._close(connection)
            return
        if not done:
            self.selector.modify(connection.sock, selectors.EVENT_WRITE, connection)
            return
        if connection.close_after:
            self._close(connection)
            return
        connection.waiting(time.monotonic())
        self.selector.modify(connection.sock, selectors.EVENT_READ, connection)
        if connection.inbuf:
            self._serve(connection)  # a request pipelined behind the one answered

    def _refuse(self, connection: Connection, refused: Refused) -> None:
        self.log.warning("Refused a request from %s: %s", (connection.addr or ("",))[0], refused)
        path = _path_of(bytes(connection.inbuf[:MAX_REQUEST_LINE]))
        self._error(connection, path, refused.status, None)

    def _error(self, connection: Connection, path: str | None, code: int, exc: BaseException | None) -> None:
        if code == 500:
            self.log.error("Error handling request %s", path or "(no path read)", exc_info=exc)
        content_type, body = answer_for(code, path)
        head = [f"HTTP/1.1 {code} {HTTPStatus(code).phrase}", "Connection: close",
                f"Content-Type: {content_type}", f"Content-Length: {len(body)}",
                *(f"{name}: {value}" for name, value in SECURITY_HEADERS.items())]  # fmt: skip
        self.buffered -= len(connection.inbuf)
        connection.inbuf.clear()
        connection.answer("\r\n".join(head).encode("latin-1") + b"\r\n\r\n" + body, True, time.monotonic())
        self._write(connection)

    def _expire(self, now: float) -> None:
        for connection in [c for c in self.connections.values() if c.deadline < now]:
            if connection.out is None and connection.inbuf:
                self._refuse(connection, Refused(408, "request not received in time"))
            else:
                self._close(connection)

    def _close(self, connection: Connection) -> None:
        fd = connection.sock.fileno()
        if self.connections.pop(fd, None) is None:
            return
        self.buffered -= len(connection.inbuf)
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(connection.sock)
        try:
            connection.sock.shutdown(socket.SHUT_RDWR)
        except OSError as exc:
            if exc.errno not in _GONE:
                self.log.debug("Closing a connection: %s", exc)
        connection.sock.close()


def _path_of(head: bytes) -> str | None:
    """The path a request line names, if one can be read (to answer in the API's shape or the page's)."""
    parts = head.split(b"\r\n", 1)[0].split(b" ")
    if len(parts) >= 2 and parts[1].startswith(b"/"):
        return parts[1].split(b"?", 1)[0].decode("latin-1")
    return None
