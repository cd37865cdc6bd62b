"""Faults: builds killed at each step, a killed worker, a damaged index, a full disk."""

from __future__ import annotations

import http.client
import os
import resource
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from conftest import Served, make_corpus, record_figures, seed_variants, tree_snapshot, variant_of_seed

from indexer import Archive, reindex
from indexer.store import IndexStore

CLI = [sys.executable, "-m", "bulletin"]


def bulletin(*args: str, env: dict | None = None, limit_bytes: int | None = None) -> subprocess.CompletedProcess:
    def limit_file_size():
        # Writes past the limit fail with EFBIG instead of killing the process with SIGXFSZ.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
        preexec_fn=limit_file_size if limit_bytes else None,
    )


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory):
    return seed_variants(tmp_path_factory.mktemp("big") / "corpus", 40)


@pytest.mark.parametrize(("point", "delay"), [("segment", 0), ("commit", 0.5), ("switch", 0)])
def test_build_killed_at_each_step_leaves_the_old_index_serving(tmp_path, big_corpus, point, delay):
    small = seed_variants(tmp_path / "small", 1)
    index = tmp_path / "index"
    reindex(small, index)
    store = IndexStore(index)
    live, before = store.current(), tree_snapshot(store.current())

    killed = bulletin(
        "reindex", "--corpus", str(big_corpus), "--index", str(index),
        env={"BULLETIN_FAULTPOINT": point, "BULLETIN_FAULT_DELAY": str(delay)},
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert store.current() == live and tree_snapshot(live) == before
    assert Archive(index).search("城管通").total == 11
    with store.lock(timeout=0):  # no lock stays behind
        pass
    leftovers = [p for p in index.glob("gen-*") if p != live]
    assert leftovers  # the killed build's folder, unreferenced

    again = bulletin("reindex", "--corpus", str(big_corpus), "--index", str(index))
    assert again.returncode == 0, again.stderr
    assert Archive(index).search("城管通").total == 40 * 11
    assert not any(p.exists() for p in leftovers)
    record_figures(f"build_killed_at_{point}", killed=True, old_index_served=True, next_build_ok=True)


def test_killed_worker_under_load_is_replaced(tmp_path):
    server = Served(make_corpus(tmp_path), tmp_path / "index", workers=2)
    stop, log = threading.Event(), []

    def load():
        while not stop.is_set() and len(log) < 20000:
            try:
                status = server.get("/api/search?q=" + urllib.parse.quote("执法"))[0]
            except (OSError, http.client.HTTPException):  # cut off by the killed worker
                status = "error"
            log.append((time.monotonic(), status))

    threads = [threading.Thread(target=load) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        workers = children(server.process.pid)
        assert len(workers) == 2
        killed_at = time.monotonic()
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while len(children(server.process.pid)) < 2 or workers[0] in children(server.process.pid):
            assert time.monotonic() < deadline, "gunicorn did not replace the killed worker"
            time.sleep(0.1)
        replaced_at = time.monotonic()
        time.sleep(2.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        server.stop()
    failed = [t for t, status in log if status != 200]
    after = [status for t, status in log if t > replaced_at + 0.5]
    record_figures(
        "worker_sigkill",
        requests=len(log),
        failed=len(failed),
        failed_after_recovery=sum(s != 200 for s in after),
        seconds_to_replace=round(replaced_at - killed_at, 2),
    )
    assert after and all(status == 200 for status in after)
    assert len(failed) <= 8  # at most the requests in flight on the killed worker


def children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return sorted(out)


def _delete_generation(index: Path) -> None:
    import shutil

    shutil.rmtree(IndexStore(index).current())


def _truncate_segment(index: Path) -> None:
    files = [p for p in IndexStore(index).current().iterdir() if p.suffix not in (".json", ".toc")]
    biggest = max(files, key=lambda p: p.stat().st_size)  # the postings
    biggest.write_bytes(biggest.read_bytes()[:200])


def _garble_meta(index: Path) -> None:
    (IndexStore(index).current() / "meta.json").write_text("{not json", encoding="utf-8")


@pytest.mark.parametrize("damage", [_delete_generation, _truncate_segment, _garble_meta])
def test_damaged_index_makes_serve_refuse_and_reindex_repairs_it(tmp_path, damage):
    corpus = make_corpus(tmp_path)
    index = tmp_path / "index"
    reindex(corpus, index)
    damage(index)
    refused = bulletin("serve", "--port", "1", "--corpus", str(corpus), "--index", str(index))
    assert refused.returncode == 1
    assert "bulletin reindex" in refused.stderr and "Traceback" not in refused.stderr
    repaired = bulletin("reindex", "--corpus", str(corpus), "--index", str(index))
    assert repaired.returncode == 0, repaired.stderr
    assert Archive(index).verify()["articles"] == 45
    record_figures(f"damaged_index_{damage.__name__.strip('_')}", refused=True, repaired=True)


def test_full_disk_during_ingest_changes_nothing(tmp_path):
    corpus = make_corpus(tmp_path)
    index = tmp_path / "index"
    reindex(corpus, index)
    new = tmp_path / "2020-05.md"
    new.write_bytes(variant_of_seed(2020, 5))
    before = tree_snapshot(corpus, index)
    result = bulletin("ingest", str(new), "--corpus", str(corpus), "--index", str(index), limit_bytes=64 * 1024)
    assert result.returncode == 1
    assert "磁盘空间" in result.stderr and "Traceback" not in result.stderr
    after = tree_snapshot(corpus, index)
    assert {k: v for k, v in after.items() if not k.endswith(".lock")} == {
        k: v for k, v in before.items() if not k.endswith(".lock")
    }
    ok = bulletin("ingest", str(new), "--corpus", str(corpus), "--index", str(index))
    assert ok.returncode == 0, ok.stderr
    record_figures("full_disk_ingest", refused=True, corpus_and_index_unchanged=True, later_ingest_ok=True)
