"""The shipped nginx configuration (`deploy/nginx.conf`), run by Debian's nginx in front of a real
`bulletin serve`: searches pass, slow clients stay with nginx, oversized bodies are refused in Chinese, and the
address a client claims is not believed."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import PASSWORD, ROOT, Served, free_port, make_corpus, wait_for

pytestmark = pytest.mark.slow


class Nginx:
    """Debian's nginx running the shipped site configuration, on its own port, in front of ``upstream``."""

    def __init__(self, folder: Path, upstream: int):
        self.port = free_port()
        self.folder = folder
        site = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
        assert "listen 80;" in site and "server 127.0.0.1:8000;" in site
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")
        (folder / "site.conf").write_text(site, encoding="utf-8")
        temp = " ".join(
            f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        user = "user root;" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(
            f"daemon off; worker_processes 1; pid {folder / 'nginx.pid'}; error_log {folder / 'error.log'}; {user}\n"
            f"events {{ worker_connections 512; }}\n"
            f"http {{ access_log off; {temp} include {folder / 'site.conf'}; }}\n",
            encoding="utf-8",
        )
        self.process = subprocess.Popen(["nginx", "-c", str(folder / "nginx.conf"), "-p", str(folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # fmt: skip
        wait_for(self._listening, 10, "nginx to listen")

    def _listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def request(self, path: str, body: bytes | None = None, headers: dict | None = None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read(), dict(exc.headers)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def behind_nginx(tmp_path):
    if shutil.which("nginx") is None:
        pytest.fail("nginx 未安装：apt-get install nginx（.ci/run 会安装）")
    server = Served(make_corpus(tmp_path), tmp_path / "index", token="t" * 32, workers=2)
    proxy = Nginx(tmp_path, server.port)
    yield proxy, server, tmp_path / "data"
    proxy.stop()
    server.stop()


def test_searches_pass_and_slow_clients_stay_with_nginx(behind_nginx):
    proxy, _, _ = behind_nginx
    status, body, _ = proxy.request("/api/search?q=%E5%9F%8E%E7%AE%A1%E9%80%9A")
    assert status == 200 and json.loads(body)["total"] > 0
    stop = threading.Event()

    def trickle(data: bytes) -> None:
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=30) as sock:
            for byte in data:
                if stop.is_set():
                    return
                try:
                    sock.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.5)

    head = b"GET /api/search?q=x HTTP/1.1\r\nHost: x\r\n\r\n"
    body = b"POST /admin/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + b"x" * 5000
    threads = [threading.Thread(target=trickle, args=(data,), daemon=True) for data in [head] * 6 + [body] * 4]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)
        for _ in range(20):
            started = time.monotonic()
            assert proxy.request("/api/search?q=%E5%9F%8E%E7%AE%A1%E9%80%9A")[0] == 200
            assert time.monotonic() - started < 1.0
    finally:
        stop.set()


def test_a_50_mb_form_is_refused_in_chinese(behind_nginx):
    proxy, _, _ = behind_nginx
    status, body, headers = proxy.request("/admin/login", body=b"x" * (50 * 1024 * 1024),
                                          headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert status == 413 and "内容过大".encode() in body and "charset=utf-8" in headers["Content-Type"]


def test_the_address_a_client_claims_is_not_believed(behind_nginx):
    proxy, _, data = behind_nginx
    subprocess.run([sys.executable, "-m", "bulletin", "--data", str(data), "user", "add", "张三"], input=PASSWORD + "\n", text=True,
                   check=True, capture_output=True, env={**os.environ})  # fmt: skip
    form = b"name=%E5%BC%A0%E4%B8%89&password=Wrong-passw0rd-1"
    status, _, _ = proxy.request("/admin/login", body=form, headers={"X-Forwarded-For": "6.6.6.6",
                                 "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert status == 403
    record = json.loads((data / "audit.log").read_text(encoding="utf-8").splitlines()[-1])
    assert record["action"] == "sign-in" and record["outcome"] == "failed" and record["address"] == "127.0.0.1"
