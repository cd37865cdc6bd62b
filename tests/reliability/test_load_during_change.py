"""Steady client load against a real `bulletin serve` while reindex and ingest switch the index."""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
import urllib.parse

import pytest
from conftest import Served, make_corpus, record_figures, variant_of_seed, wait_for

# Starts servers, browsers or subprocesses: left out of the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow

QUERY = "/api/search?q=" + urllib.parse.quote("城管通")


def load(server: Served, stop: threading.Event, log: list, limit: int = 4000) -> None:
    paths = [QUERY, "/healthz", "/search?q=" + urllib.parse.quote("执法"), "/api/articles/2017-06-a20"]
    i = 0
    while not stop.is_set() and i < limit:
        path = paths[i % len(paths)]
        i += 1
        try:
            status, body, _ = server.get(path)
        except (OSError, http.client.HTTPException) as exc:
            log.append((path, "error", repr(exc)))
            continue
        log.append((path, status, body if path in (QUERY, "/healthz") else None))


def test_no_failed_request_and_every_answer_from_a_complete_index(tmp_path):
    corpus = make_corpus(tmp_path)
    index = tmp_path / "index"
    server = Served(corpus, index, workers=2)
    stop, log, threads = threading.Event(), [], []
    try:
        threads = [threading.Thread(target=load, args=(server, stop, log)) for _ in range(4)]
        for thread in threads:
            thread.start()
        answered = lambda n: lambda: len(log) >= n  # noqa: E731 - a condition for wait_for
        wait_for(answered(50), 60, "50 answers before the reindex")
        extra = corpus / "2020" / "2020-05.md"
        extra.parent.mkdir()
        extra.write_bytes(variant_of_seed(2020, 5))
        cli = [sys.executable, "-m", "bulletin"]
        where = ["--corpus", str(corpus), "--index", str(index)]
        subprocess.run([*cli, "reindex", *where], check=True, capture_output=True, timeout=120)
        wait_for(answered(len(log) + 50), 60, "50 answers after the reindex")
        new = tmp_path / "2020-06.md"
        new.write_bytes(variant_of_seed(2020, 6))
        subprocess.run([*cli, "ingest", str(new), *where], check=True, capture_output=True, timeout=120)
        wait_for(answered(len(log) + 50), 60, "50 answers after the ingest")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        server.stop()

    failed = [entry for entry in log if entry[1] == "error" or entry[1] >= 500]
    totals = [body["total"] for path, status, body in log if path == QUERY and status == 200]
    articles = [body["articles"] for path, status, body in log if path == "/healthz" and status == 200]
    record_figures(
        "load_during_change",
        requests=len(log),
        failed=len(failed),
        search_totals_seen=sorted(set(totals)),
        health_article_counts_seen=sorted(set(articles)),
    )
    assert len(log) > 200
    assert failed == []
    # 14 before, 25 after the reindex, 36 after the ingest: never empty, never partial.
    assert set(totals) <= {14, 25, 36} and {14, 36} <= set(totals)
    assert set(articles) <= {45, 76, 107}
