"""One client connection of the server's worker: its request gathered whole before the app sees it, under one
deadline for the whole request (its head, then its body, not a read at a time), and its answer written out.

The worker (``worker``) reads and writes every connection without waiting on any, so a client that sends a byte
now and then holds one of these, never the worker. What a request may be is bounded here: a head of at most
``HEAD_BYTES``, a body of at most the app's upload limit and a little, sent at ``MIN_RATE`` at least.
"""

from __future__ import annotations

import contextlib
import re
import socket
import time
from dataclasses import dataclass, field

from .errors import MAX_HEADER_BYTES, MAX_URI_BYTES

# A request line past the app's own limit is answered by the app (path known); past this, by the worker.
MAX_REQUEST_LINE = 2 * MAX_URI_BYTES
HEAD_BYTES = MAX_REQUEST_LINE + MAX_HEADER_BYTES + 1024
# Seconds a connection may wait before it starts a request (a browser opens connections ahead of need), a
# request's head may take from its first byte, and an idle keep-alive connection may wait for the next.
IDLE_SECONDS = 5.0
HEAD_SECONDS = 10.0
KEEPALIVE_SECONDS = 5.0
# Bytes a second that a body or an answer must move at, on average, after a start of BODY_SECONDS.
MIN_RATE = 32 * 1024
BODY_SECONDS = 10.0
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_HEADER = re.compile(rb"^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$")


class Refused(Exception):
    """A request the worker answers itself, with ``status``, before the app sees it."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


@dataclass
class Connection:
    """A client's socket, what it has sent, what is to be sent back, and by when."""

    sock: socket.socket
    addr: tuple
    listener: socket.socket
    deadline: float
    inbuf: bytearray = field(default_factory=bytearray)
    out: memoryview | None = None
    close_after: bool = False
    head_end: int | None = None  # where the current request's head ends in inbuf
    body_size: int | None = None  # its declared length (None: chunked, or not read yet)
    continued: bool = False  # 100 Continue sent for the current request
    requests: int = 0

    def idle(self) -> bool:
        """True between requests: nothing of a request read, nothing to write."""
        return not self.inbuf and self.out is None

    def received(self, data: bytes, now: float) -> None:
        if not self.inbuf and self.head_end is None:
            self.deadline = now + HEAD_SECONDS  # the whole head from its first byte
        self.inbuf += data

    def request(self, body_limit: int) -> tuple[bytes, bool] | None:
        """The first whole request in what was received (and whether it asked for 100 Continue and has not
        had it yet), or None while it is incomplete; ``Refused`` for one over its limits or not HTTP."""
        if self.head_end is None:
            while self.inbuf.startswith(b"\r\n"):  # empty lines before a request are allowed
                del self.inbuf[:2]
            end = self.inbuf.find(b"\r\n\r\n")
            if end < 0:
                if b"\r\n" not in self.inbuf[:MAX_REQUEST_LINE] and len(self.inbuf) > MAX_REQUEST_LINE:
                    raise Refused(414, "request line too long")
                if len(self.inbuf) > HEAD_BYTES:
                    raise Refused(431, "request head too large")
                return None
            self.head_end = end + 4
            self.body_size = _body_size(bytes(self.inbuf[: self.head_end]), body_limit)
            if self.body_size is not None:
                self.deadline = time.monotonic() + BODY_SECONDS + self.body_size / MIN_RATE
            else:
                self.deadline = time.monotonic() + BODY_SECONDS + body_limit / MIN_RATE
        end = self._body_end(body_limit)
        if end is None:
            return None
        head = bytes(self.inbuf[: self.head_end])
        wants = _expects_continue(head)
        raw = _without_expect(head) + bytes(self.inbuf[self.head_end : end]) if wants else bytes(self.inbuf[:end])
        del self.inbuf[:end]
        self.head_end = self.body_size = None
        self.continued = False
        return raw, wants

    def needs_continue(self) -> bool:
        """True when the head asked for 100 Continue, the body has not come, and it was not sent yet."""
        return (
            self.head_end is not None
            and not self.continued
            and len(self.inbuf) == self.head_end
            and _expects_continue(bytes(self.inbuf[: self.head_end]))
        )

    def continue_sent(self) -> None:
        self.continued = True
        self.send(_CONTINUE)

    def _body_end(self, limit: int) -> int | None:
        assert self.head_end is not None
        if self.body_size is not None:
            end = self.head_end + self.body_size
            return end if len(self.inbuf) >= end else None
        return _chunked_end(self.inbuf, self.head_end, limit)

    def answer(self, data: bytes, close: bool, now: float) -> None:
        """Start writing ``data``, the whole answer; close after it when ``close``."""
        self.out, self.close_after = memoryview(data), close
        self.deadline = now + BODY_SECONDS + len(data) / MIN_RATE
        self.requests += 1

    def send(self, data: bytes) -> None:
        """Write what the socket takes now (the rest, if any, is lost: for 100 Continue only)."""
        with contextlib.suppress(OSError):
            self.sock.send(data)

    def flush(self) -> bool:
        """Write as much of the answer as the socket takes; True when all of it is written."""
        if self.out is None:
            return True
        sent = self.sock.send(self.out)
        self.out = self.out[sent:]
        if len(self.out):
            return False
        self.out = None
        return True

    def waiting(self, now: float) -> None:
        """Between requests on a kept-alive connection."""
        self.deadline = now + KEEPALIVE_SECONDS


def _headers(head: bytes) -> list[tuple[bytes, bytes]]:
    out = []
    for line in head.split(b"\r\n")[1:]:
        found = _HEADER.match(line)
        if found:
            out.append((found.group(1).lower(), found.group(2)))
    return out


def _body_size(head: bytes, limit: int) -> int | None:
    """The body's declared length (0 when there is none), None when it is chunked."""
    headers = _headers(head)
    lengths = {value for name, value in headers if name == b"content-length"}
    codings = [value.lower() for name, value in headers if name == b"transfer-encoding"]
    if codings:
        if lengths:
            raise Refused(400, "both Content-Length and Transfer-Encoding")
        if codings != [b"chunked"]:
            raise Refused(501, "unsupported transfer coding")
        return None
    if not lengths:
        return 0
    if len(lengths) > 1 or not next(iter(lengths)).isdigit():
        raise Refused(400, "bad Content-Length")
    size = int(next(iter(lengths)))
    if size > limit:
        raise Refused(413, "body too large")
    return size


def _chunked_end(buf: bytearray, at: int, limit: int) -> int | None:
    """Where a chunked body starting at ``at`` ends (after its trailers), None while incomplete."""
    total = 0
    while True:
        line_end = buf.find(b"\r\n", at)
        if line_end < 0:
            if len(buf) - at > 1024:
                raise Refused(400, "chunk size line too long")
            return None
        size_text = bytes(buf[at:line_end]).split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise Refused(400, "bad chunk size") from None
        total += size
        if total > limit:
            raise Refused(413, "body too large")
        at = line_end + 2
        if size == 0:
            end = buf.find(b"\r\n\r\n", at - 2)
            return end + 4 if end >= 0 else None
        if len(buf) < at + size + 2:
            return None
        at += size + 2


def _expects_continue(head: bytes) -> bool:
    return any(name == b"expect" and value.lower() == b"100-continue" for name, value in _headers(head))


def _without_expect(head: bytes) -> bytes:
    """The head without its Expect line (the worker has answered it itself)."""
    lines = head.split(b"\r\n")
    return b"\r\n".join(line for line in lines if not line.lower().startswith(b"expect:"))
