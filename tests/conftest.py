"""Shared paths and fixtures for the test suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The tests' own copy of the first issue: correcting or adding to corpus/ never changes a test.
SEED = FIXTURES / "corpus" / "2017" / "2017-06.md"


OUTPUT: Path | None = None


@pytest.fixture(scope="session", autouse=True)
def _test_output(tmp_path_factory) -> Path:
    """Screenshots and reliability figures: a folder named by BULLETIN_TEST_OUTPUT, else pytest's temp folder."""
    global OUTPUT
    named = os.environ.get("BULLETIN_TEST_OUTPUT")
    OUTPUT = Path(named) if named else tmp_path_factory.mktemp("output", numbered=False)
    return OUTPUT


@pytest.fixture(scope="session", autouse=True)
def _checkout_untouched():
    """The tests write nothing into the checkout: no default index or data folder appears in it."""
    before = (ROOT / "var").exists()
    yield
    assert (ROOT / "var").exists() == before, "a test wrote ./var into the checkout (pass it a temporary folder)"


def output_dir(*parts: str) -> Path:
    """A folder for what the tests leave to be looked at, outside the checkout."""
    assert OUTPUT is not None, "the session fixture _test_output sets the folder"
    path = OUTPUT.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def wait_for(condition, timeout: float, what: str, interval: float = 0.05):
    """Poll ``condition`` until it returns something true; fail naming ``what`` after ``timeout`` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


INDEX_FIXTURES = ("plain-2018-03.txt", "gb18030-2016-12.txt", "notoc-2019-01.md", "plain-2019-02-escaping.txt")


def make_corpus(root: Path) -> Path:
    """A corpus of the seed and the fixture issues, laid out like the real one."""
    import shutil

    from archive import read_file

    corpus = root / "corpus"
    for source in (SEED, *(FIXTURES / name for name in INDEX_FIXTURES)):
        issue = read_file(source).issue
        target = corpus / str(issue.year) / f"{issue.id}{source.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    return corpus


def variant_of_seed(year: int, number: int) -> bytes:
    """The seed re-labelled as another issue, for tests that need many distinct issues."""
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("2017年第6期", f"{year}年第{number}期").replace("2017年6月10日", f"{year}年{number}月10日")
    return text.encode("utf-8")


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """A real index built from the fixture corpus in a temporary folder: (corpus, index)."""
    from indexer import reindex

    root = tmp_path_factory.mktemp("built")
    corpus = make_corpus(root)
    index = root / "index"
    reindex(corpus, index)
    return corpus, index


@pytest.fixture(scope="session")
def archive(built):
    from indexer import SearchService

    service = SearchService(built[1])
    yield service
    service.close()  # its searchers' files, closed before the session ends


@pytest.fixture(scope="session")
def articles(built):
    """Every article of the fixture corpus, parsed directly (the ground truth)."""
    from archive.corpus import Corpus
    from indexer.storage.build import parse_all

    return [a for p in parse_all(Corpus(built[0]).files()) for a in p.issue.articles]


@pytest.fixture(scope="session")
def openapi():
    from api.openapi import document
    from web import openapi_paths

    return document(openapi_paths())


def app_client(corpus: Path, index: Path, **settings):
    """falcon's test client over the real app for ``index`` and the service under it, with ``settings``
    (admin_token, data_dir (default: beside the index), public_url, max_upload): the one factory the tests build an app with. Close the
    service when done."""
    from falcon import testing

    from bulletin.app import create_app
    from bulletin.settings import Settings
    from indexer import SearchService

    service = SearchService(index)
    settings.setdefault("data_dir", index.parent / "data")  # never the working folder's var/data
    return testing.TestClient(create_app(service, Settings(corpus, index, **settings))), service


@pytest.fixture(scope="session")
def client(built):
    """falcon.testing client over the real app (read-only: writes are disabled without a token)."""
    client, service = app_client(*built, admin_token=None)
    yield client
    service.close()


@pytest.fixture
def fresh(tmp_path, built):
    """A corpus and index of this test's own (a copy of the session's built ones): (corpus, index)."""
    import shutil

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(built[0], corpus)
    shutil.copytree(built[1], index)
    return corpus, index


@pytest.fixture
def writable(fresh, tmp_path_factory):
    """A client over its own corpus and index, with admin writes enabled by a token."""
    corpus, index = fresh
    data = tmp_path_factory.mktemp("data")  # the audit log goes here, away from what the tests compare
    client, service = app_client(corpus, index, admin_token="s3cret-token", max_upload=200_000, data_dir=data)
    yield client, corpus, index
    service.close()


def conforms(openapi, result, path: str, method: str = "get"):
    """Validate ``result`` against the OpenAPI document's schema for its status; return its JSON."""
    from jsonschema import Draft202012Validator, FormatChecker

    responses = openapi["paths"][path][method]["responses"]
    spec = responses[str(result.status_code)]
    schema = {**spec["content"]["application/json"]["schema"], "components": openapi["components"]}
    body = result.json
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(body)
    assert result.headers["content-type"].startswith("application/json")
    return body


def multipart(files: dict) -> tuple[bytes, str]:
    """``files`` ({field: (filename, bytes)}) as a multipart/form-data body and its content type; a filename
    of None makes a plain form field."""
    boundary = "bulletin-test-boundary-7f3a"
    body = b""
    for field, (filename, data) in files.items():
        if filename is None:
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n'
        else:
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            )
        body += head.encode() + data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def upload(client, files: dict, headers: dict | None = None, path: str = "/api/issues"):
    """POST ``files`` as multipart/form-data through a falcon test client."""
    body, content_type = multipart(files)
    return client.simulate_post(path, headers={**(headers or {}), "Content-Type": content_type}, body=body)


def run_cli(*args: str, env: dict | None = None, limit_bytes: int | None = None, timeout: float = 300):
    """Run ``bulletin ARGS`` in a new process and wait for it (optionally with a file-size limit)."""
    import resource
    import signal
    import subprocess
    import sys

    def limit_file_size():
        # Writes past the limit fail with EFBIG instead of killing the process with SIGXFSZ.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run(
        [sys.executable, "-m", "bulletin", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        preexec_fn=limit_file_size if limit_bytes else None,
    )


# Runs ``bulletin`` and, at exit, writes the process's own peak resident memory (VmHWM, KiB) to argv[1].
# Not ru_maxrss: Linux carries a forked child's peak over its exec, so a child of a large test process would
# report the test process's size.
_MEASURED = """
import atexit, runpy, sys
def peak(path=sys.argv[1]):
    with open("/proc/self/status") as status:
        kib = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(path, "w") as out:
        out.write(kib)
atexit.register(peak)
sys.argv = ["bulletin", *sys.argv[2:]]
runpy.run_module("bulletin", run_name="__main__", alter_sys=True)
"""


def run_measured(*args: str, env: dict | None = None, timeout: float = 300):
    """Run ``bulletin ARGS`` and return (returncode, stdout, stderr, peak resident memory in MB of that process)."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak"
        process = subprocess.run(
            [sys.executable, "-c", _MEASURED, str(peak_file), *args],
            stdout=out,
            stderr=err,
            env={**os.environ, **(env or {})},
            timeout=timeout,
        )
        out.seek(0)
        err.seek(0)
        peak_mb = int(peak_file.read_text()) / 1024
        return process.returncode, out.read().decode(), err.read().decode(), peak_mb


def start_cli(*args: str, env: dict | None = None):
    """Start ``bulletin ARGS`` in a new process without waiting (stdout and stderr piped)."""
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "bulletin", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )


def children(pid: int) -> list[int]:
    """The process ids whose parent is ``pid`` (a gunicorn master's workers)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return sorted(out)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """A real `bulletin serve` on 127.0.0.1, started for a test and stopped after it."""

    def __init__(
        self, corpus: Path, index: Path, token: str | None = None, workers: int | None = 2, env: dict | None = None
    ):
        import os
        import subprocess
        import sys

        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **{k: v for k, v in os.environ.items() if k != "BULLETIN_ADMIN_TOKEN"},
            "BULLETIN_DATA": str(index.parent / "data"),
            **(env or {}),
        }
        if token:
            env["BULLETIN_ADMIN_TOKEN"] = token
        self.log = open(index.parent / f"serve-{self.port}.log", "w+b")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bulletin", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             *(["--workers", str(workers)] if workers else []), "--corpus", str(corpus), "--index", str(index)],
            stdout=self.log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"bulletin serve exited with {self.process.returncode}:\n{self.output()}")
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"bulletin serve did not answer within {timeout} s:\n{self.output()}")

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        import json
        import urllib.error
        import urllib.request

        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, raw, got = resp.status, resp.read(), {k.lower(): v for k, v in resp.headers.items()}
        except urllib.error.HTTPError as exc:
            status, raw, got = exc.code, exc.read(), {k.lower(): v for k, v in exc.headers.items()}
            exc.close()
        is_json = got.get("content-type", "").startswith("application/json")
        return status, json.loads(raw) if is_json and raw else raw.decode("utf-8", "replace"), got

    def get(self, path: str, headers: dict | None = None):
        return self.request("GET", path, headers=headers)

    def post_file(self, files: dict, headers: dict | None = None):
        body, content_type = multipart(files)
        return self.request("POST", "/api/issues", body, {**(headers or {}), "Content-Type": content_type})

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except Exception:
                self.process.kill()
                self.process.wait()
        self.log.close()


def record_figures(name: str, **figures) -> None:
    """Add a reliability test's measured figures to reliability.json in the test output folder."""
    import json

    path = output_dir() / "reliability.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[name] = figures
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def seed_variants(corpus: Path, count: int, start_year: int = 2000) -> Path:
    """Write ``count`` distinct issues (the seed re-labelled) into ``corpus``."""
    for i in range(count):
        year, number = start_year + i // 12, i % 12 + 1
        path = corpus / str(year) / f"{year}-{number:02d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(variant_of_seed(year, number))
    return corpus


def tree_snapshot(*folders: Path) -> dict[str, str]:
    """Every file and folder under ``folders`` with the sha256 of its bytes."""
    import hashlib

    out = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    return out


TOKEN = "s3cret-token"
PASSWORD = "Ab3-enough-length"


@pytest.fixture
def admin(fresh):
    """A site with the admin pages on (the token set), over its own corpus, index and data folder:
    (site, corpus, index, data)."""
    from indexer import use_vocabulary

    corpus, index = fresh
    data = index.parent / "data"
    client, service = app_client(corpus, index, admin_token=TOKEN, data_dir=data)
    yield AdminSite(client), corpus, index, data
    service.close()
    use_vocabulary(None)


class AdminSite:
    """The admin pages as one person's browser: a session cookie, forms posted with their CSRF token, from an
    address of its own (X-Forwarded-For, trusted from the loopback peer the test client is)."""

    def __init__(self, client, address: str = "127.0.0.1"):
        self.client, self.cookie, self.address = client, None, address

    def headers(self, extra=None):
        cookie = {"Cookie": f"bulletin_admin={self.cookie}"} if self.cookie else {}
        return {**cookie, "X-Forwarded-For": self.address, **(extra or {})}

    def get(self, path, status=200):
        result = self.client.simulate_get(path, headers=self.headers())
        assert result.status_code == status, result.text[:800]
        return result

    def soup(self, path):
        from bs4 import BeautifulSoup

        return BeautifulSoup(self.get(path).text, "lxml")

    def post(self, path, fields, status=303):
        from urllib.parse import urlencode

        result = self.client.simulate_post(
            path, body=urlencode(fields), headers=self.headers({"Content-Type": "application/x-www-form-urlencoded"})
        )
        assert status is None or result.status_code == status, result.text[:800]
        return result

    def sign_in(self, name: str | None = None, password: str = PASSWORD, status: int | None = 303):
        """Sign in with the token (no ``name``) or as ``name`` (``status`` None: whatever the answer)."""
        fields = {"token": TOKEN} if name is None else {"name": name, "password": password}
        result = self.post("/admin/login", {**fields, "next": "/admin"}, status=status)
        if status == 303:
            self.cookie = result.cookies["bulletin_admin"].value
        return result

    def edit_vocabulary(self, fields, status=303):
        """Post a vocabulary edit, then confirm the preview of its lines as a person would: (the preview's
        page, the confirmation's answer)."""
        from bs4 import BeautifulSoup

        preview = BeautifulSoup(self.post("/admin/vocabulary", {"csrf": self.csrf(), **fields}, 200).text, "lxml")
        values = {i["name"]: i.get("value", "") for i in preview.select("form.confirm input")}
        return preview, self.post("/admin/vocabulary", values, status)

    def csrf(self, path="/admin"):
        return self.soup(path).select_one("input[name=csrf]")["value"]

    def upload(self, name, data, csrf=None, status=303):
        body, content_type = multipart({"csrf": (None, (csrf if csrf is not None else self.csrf()).encode()),
                                        "file": (name, data)})  # fmt: skip
        result = self.client.simulate_post(
            "/admin/upload", body=body, headers=self.headers({"Content-Type": content_type})
        )
        assert result.status_code == status, result.text[:800]
        return result
