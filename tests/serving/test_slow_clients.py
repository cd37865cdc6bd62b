"""Slow and idle clients against a real `bulletin serve`: they hold connections, never the workers."""

from __future__ import annotations

import socket
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from conftest import Served, make_corpus, record_figures

from bulletin.connections import HEAD_SECONDS, IDLE_SECONDS

pytestmark = pytest.mark.slow

HEAD = b"GET /api/search?q=%E5%9F%8E%E7%AE%A1%E9%80%9A HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\n\r\n"
BODY_HEAD = (
    b"POST /admin/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 100000\r\n\r\n"
)


class Trickler(threading.Thread):
    """A client that sends its request a byte at a time, and starts again whenever it is cut off."""

    def __init__(self, port: int, data: bytes, every: float, stop: threading.Event, at_once: bytes = b""):
        super().__init__(daemon=True)
        self.port, self.data, self.every, self.stop, self.at_once = port, data, every, stop, at_once
        self.answers: list[bytes] = []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
                    sock.settimeout(self.every)
                    sock.sendall(self.at_once)
                    for byte in self.data:
                        if self.stop.is_set():
                            return
                        sock.sendall(bytes([byte]))
                        try:
                            first = sock.recv(64)
                        except TimeoutError:
                            continue
                        self.answers.append(first)
                        break
            except OSError:
                time.sleep(self.every)


def q(text: str) -> str:
    return urllib.parse.quote(text)


def test_six_trickling_heads_and_four_trickling_bodies_do_not_delay_searches(tmp_path):
    server = Served(make_corpus(tmp_path), tmp_path / "index", token="t" * 32, workers=2)
    stop = threading.Event()
    heads = [Trickler(server.port, HEAD, 1.0, stop) for _ in range(6)]
    bodies = [Trickler(server.port, b"token=" + b"x" * 99994, 0.5, stop, at_once=BODY_HEAD) for _ in range(4)]
    try:
        for attacker in heads + bodies:
            attacker.start()
        time.sleep(2)  # every attacker is now inside its request
        waits = []
        until = time.monotonic() + HEAD_SECONDS + 6  # past the deadline, so attackers are cut off and return
        while time.monotonic() < until:
            started = time.monotonic()
            status, body, _ = server.get(f"/api/search?q={q('城管通')}")
            waits.append(time.monotonic() - started)
            assert status == 200 and body["total"] > 0
            time.sleep(0.2)
        record_figures("slow_clients", searches=len(waits), slowest_s=round(max(waits), 3),
                       median_s=round(sorted(waits)[len(waits) // 2], 4))  # fmt: skip
        assert len(waits) >= 40 and max(waits) < 1.0, f"slowest search {max(waits):.2f} s of {len(waits)}"
        # The trickling clients were answered with 408 when their time was up, not served at their pace.
        answers = [a for attacker in heads + bodies for a in attacker.answers]
        assert answers and all(a.startswith(b"HTTP/1.1 408") for a in answers), answers[:3]
        assert {id(t) for t in heads if t.answers} and {id(t) for t in bodies if t.answers}
    finally:
        stop.set()
        server.stop()


def test_an_idle_connection_holds_no_worker_and_is_closed_soon(tmp_path):
    """Browsers open connections ahead of need; with one worker, idle ones must not stall the rest."""
    server = Served(make_corpus(tmp_path), tmp_path / "index", workers=1)
    idle: list[socket.socket] = []
    try:
        idle += [socket.create_connection(("127.0.0.1", server.port), timeout=30) for _ in range(4)]
        time.sleep(0.2)
        started = time.monotonic()
        assert server.get(f"/api/search?q={q('城管通')}")[0] == 200
        assert time.monotonic() - started < 1.0
        for sock in idle:
            assert sock.recv(1) == b""  # closed by the worker, without an answer
        assert time.monotonic() - started < IDLE_SECONDS + 2
    finally:
        for sock in idle:
            sock.close()
        server.stop()


def test_a_kept_alive_connection_serves_requests_in_turn_and_pipelined(tmp_path):
    server = Served(make_corpus(tmp_path), tmp_path / "index", workers=1)
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(HEAD + HEAD)  # two requests in one write
            got = b""
            while got.count(b"HTTP/1.1 200") < 2:
                chunk = sock.recv(65536)
                assert chunk, got[:200]
                got += chunk
            sock.sendall(HEAD)
            more = sock.recv(65536)
            assert more.startswith(b"HTTP/1.1 200")
    finally:
        server.stop()


def test_one_address_cannot_take_every_connection(tmp_path):
    from bulletin.worker import PER_ADDRESS

    server = Served(make_corpus(tmp_path), tmp_path / "index", workers=1)
    crowd: list[socket.socket] = []
    try:
        for _ in range(PER_ADDRESS + 8):
            sock = socket.socket()
            sock.bind(("127.0.0.2", 0))  # another address on the loopback network (the loopback itself is a proxy's)
            sock.settimeout(5)
            sock.connect(("127.0.0.1", server.port))
            crowd.append(sock)
        time.sleep(0.5)
        assert sum(_closed(sock) for sock in crowd) == 8
        started = time.monotonic()
        assert server.get(f"/api/search?q={q('城管通')}")[0] == 200  # others are still served
        assert time.monotonic() - started < 1.0
    finally:
        for sock in crowd:
            sock.close()
        server.stop()


def _closed(sock: socket.socket) -> bool:
    """True when the server has closed ``sock``; False while it is open, waiting for a request."""
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False


def test_keep_alive_clients_that_connect_at_once_are_shared_by_both_workers(tmp_path):
    """Four clients connect together and keep their connections alive: a worker that took them all would
    answer every search while the other idled. Both workers must do a fair share of the work (their CPU time
    after 4 × 60 searches)."""
    import http.client

    from conftest import children, wait_for

    served = Served(make_corpus(tmp_path), tmp_path / "index", workers=2)
    try:
        workers = wait_for(lambda: found if len(found := children(served.process.pid)) == 2 else None, 30, "2 workers")

        def cpu(pid: int) -> int:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks

        before = {pid: cpu(pid) for pid in workers}
        connections = [http.client.HTTPConnection("127.0.0.1", served.port, timeout=30) for _ in range(4)]
        for connection in connections:
            connection.connect()
        queries = ["执法记录仪 怀柔", "城管通", "视频监控 朝阳", "非法小广告", "勒索病毒", "数字集群", "大数据 开放"]
        statuses: list[int] = []

        def client(k: int, connection: http.client.HTTPConnection) -> None:
            for i in range(60):
                q = urllib.parse.quote(f"{queries[(k + i) % len(queries)]} {i % 5 or ''}".strip())
                try:
                    connection.request("GET", f"/api/search?q={q}&per_page=50")
                    response = connection.getresponse()
                    response.read()
                    statuses.append(response.status)
                except (ConnectionError, http.client.HTTPException):
                    connection.close()  # closed by the worker to be taken by another: reconnect
                    connection.request("GET", f"/api/search?q={q}&per_page=50")
                    response = connection.getresponse()
                    response.read()
                    statuses.append(response.status)

        threads = [threading.Thread(target=client, args=(k, c)) for k, c in enumerate(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for connection in connections:
            connection.close()
        used = {pid: cpu(pid) - before[pid] for pid in workers}
        assert statuses == [200] * 240
        assert min(used.values()) >= 0.25 * sum(used.values()), used
    finally:
        served.stop()
