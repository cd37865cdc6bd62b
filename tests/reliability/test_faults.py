"""Faults: builds killed at each step, a killed worker, a damaged index, a full disk."""

from __future__ import annotations

import http.client
import os
import signal
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from conftest import (
    Served,
    children,
    make_corpus,
    record_figures,
    run_cli,
    seed_variants,
    tree_snapshot,
    variant_of_seed,
    wait_for,
)

from indexer import SearchService, reindex
from indexer.storage.store import IndexStore

# Starts servers, browsers or subprocesses: left out of the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory):
    return seed_variants(tmp_path_factory.mktemp("big") / "corpus", 40)


@pytest.mark.parametrize(("point", "delay"), [("segment", 0), ("commit", 0), ("switch", 0)])
def test_build_killed_at_each_step_leaves_the_old_index_serving(tmp_path, big_corpus, point, delay):
    small = seed_variants(tmp_path / "small", 1)
    index = tmp_path / "index"
    reindex(small, index)
    store = IndexStore(index)
    live, before = store.current(), tree_snapshot(store.current())

    killed = run_cli(
        "reindex", "--corpus", str(big_corpus), "--index", str(index),
        env={"BULLETIN_FAULTPOINT": point, "BULLETIN_FAULT_DELAY": str(delay)},
    )  # fmt: skip
    was_killed = killed.returncode == -signal.SIGKILL
    old_served = (
        store.current() == live and tree_snapshot(live) == before and SearchService(index).search("城管通").total == 11
    )
    with store.lock(timeout=0):  # no lock stays behind
        pass
    leftovers = [p for p in index.glob("gen-*") if p != live]

    again = run_cli("reindex", "--corpus", str(big_corpus), "--index", str(index))
    next_ok = again.returncode == 0 and SearchService(index).search("城管通").total == 40 * 11
    record_figures(f"build_killed_at_{point}", killed=was_killed, old_index_served=old_served, next_build_ok=next_ok)
    assert was_killed, killed.stderr
    assert old_served
    assert leftovers  # the killed build's folder, unreferenced
    assert next_ok, again.stderr
    assert not any(p.exists() for p in leftovers)


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
        wait_for(lambda: len(log) >= 100, 60, "100 answered requests before the kill")
        workers = children(server.process.pid)
        assert len(workers) == 2
        killed_at = time.monotonic()
        os.kill(workers[0], signal.SIGKILL)
        wait_for(
            lambda: len(now := children(server.process.pid)) >= 2 and workers[0] not in now,
            30, "gunicorn to replace the killed worker",
        )  # fmt: skip
        replaced_at = time.monotonic()
        settled = replaced_at + 0.5
        wait_for(lambda: sum(t > settled for t, _ in log) >= 200, 60, "200 requests after the replacement")
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


def _delete_generation(index: Path) -> None:
    import shutil

    shutil.rmtree(IndexStore(index).current())


def _truncate_segment(index: Path) -> None:
    current = IndexStore(index).current()
    files = [p for p in current.rglob("*") if p.is_file() and p.suffix not in (".json", ".toc")]
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
    refused = run_cli("serve", "--port", "1", "--corpus", str(corpus), "--index", str(index))
    was_refused = refused.returncode == 1 and "bulletin reindex" in refused.stderr
    repaired = run_cli("reindex", "--corpus", str(corpus), "--index", str(index))
    was_repaired = repaired.returncode == 0 and SearchService(index).verify()["articles"] == 45
    record_figures(f"damaged_index_{damage.__name__.strip('_')}", refused=was_refused, repaired=was_repaired)
    assert was_refused and "Traceback" not in refused.stderr, refused.stderr
    assert was_repaired, repaired.stderr


def test_full_disk_during_ingest_changes_nothing(tmp_path):
    corpus = make_corpus(tmp_path)
    index = tmp_path / "index"
    reindex(corpus, index)
    new = tmp_path / "2020-05.md"
    new.write_bytes(variant_of_seed(2020, 5))
    before = tree_snapshot(corpus, index)
    result = run_cli("ingest", str(new), "--corpus", str(corpus), "--index", str(index), limit_bytes=64 * 1024)
    was_refused = result.returncode == 1 and "磁盘空间" in result.stderr
    after = tree_snapshot(corpus, index)
    unchanged = {k: v for k, v in after.items() if not k.endswith(".lock")} == {
        k: v for k, v in before.items() if not k.endswith(".lock")
    }
    ok = run_cli("ingest", str(new), "--corpus", str(corpus), "--index", str(index))
    record_figures(
        "full_disk_ingest",
        refused=was_refused,
        corpus_and_index_unchanged=unchanged,
        later_ingest_ok=ok.returncode == 0,
    )
    assert was_refused and "Traceback" not in result.stderr, result.stderr
    assert unchanged
    assert ok.returncode == 0, ok.stderr


# (kill point, the command run next, how it must settle the ingest). The ingest adds one issue and replaces
# another in a different form, so it both renames staged files in and removes a replaced one.
KILLS = [
    ("journal", "search", "rolled back"),  # journal written, index not yet switched
    ("switch", "reindex", "rolled back"),  # generation synced, CURRENT not yet replaced
    ("switched", "verify", "completed"),  # index switched, no corpus file renamed in yet
    ("rename", "serve", "completed"),  # one file renamed in, the other still staged, the old form not removed
]


@pytest.mark.parametrize(("point", "then", "outcome"), KILLS)
def test_ingest_killed_around_the_switch_and_rename_is_settled_by_the_next_command(tmp_path, point, then, outcome):
    from indexer import SearchRequest, verify
    from indexer.storage.journal import JOURNAL

    corpus = seed_variants(tmp_path / "corpus", 2)  # 2000-01.md, 2000-02.md
    index = tmp_path / "index"
    reindex(corpus, index)
    incoming = tmp_path / "in"
    incoming.mkdir()
    (incoming / "2020-05.md").write_bytes(variant_of_seed(2020, 5))
    replacement = variant_of_seed(2000, 1).replace("城管通".encode(), "城管通qzxwv".encode())
    (incoming / "2000-01.txt").write_bytes(replacement)
    before_corpus, before_generation = tree_snapshot(corpus), IndexStore(index).current_name()

    killed = run_cli(
        "ingest", str(incoming / "2020-05.md"), str(incoming / "2000-01.txt"),
        "--corpus", str(corpus), "--index", str(index), env={"BULLETIN_FAULTPOINT": point},
    )  # fmt: skip
    was_killed = killed.returncode == -signal.SIGKILL
    journal_left = (index / JOURNAL).exists()

    where = ["--corpus", str(corpus), "--index", str(index)]
    if then == "serve":
        server = Served(corpus, index, workers=1)
        server.stop()
        settled = True
    else:
        args = {"search": ["search", "城管通", "--index", str(index)], "reindex": ["reindex", *where]}
        settled = run_cli(*args.get(then, [then, *where])).returncode == 0
    report = verify(corpus, index)
    staged_left = sorted(p.name for p in corpus.rglob(".*.tmp"))
    files = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file())
    record_figures(
        f"ingest_killed_at_{point}",
        killed=was_killed, journal_left=journal_left, next_command=then, settled=settled,
        agree=report.ok, staged_files_left=len(staged_left), corpus_files=files,
    )  # fmt: skip

    assert was_killed and journal_left, killed.stderr
    assert settled and not (index / JOURNAL).exists()
    assert report.ok, report.problems
    assert staged_left == []
    service = SearchService(index)
    try:
        issue_2020 = service.search(SearchRequest.from_params({"from": "2020"})).total
        replaced = service.search(SearchRequest.from_params({"q": "qzxwv", "exact": "1"})).total
    finally:
        service.close()
    if outcome == "completed":
        assert files == ["2000/2000-01.txt", "2000/2000-02.md", "2020/2020-05.md"]
        assert (corpus / "2000" / "2000-01.txt").read_bytes() == replacement
        assert issue_2020 > 0 and replaced > 0
    else:
        assert tree_snapshot(corpus) == before_corpus
        assert then == "reindex" or IndexStore(index).current_name() == before_generation
        assert issue_2020 == 0 and replaced == 0


@pytest.mark.parametrize(("point", "outcome"), [("journal", "rolled back"), ("switched", "completed")])
def test_remove_killed_around_the_switch_is_settled_by_the_next_command(tmp_path, point, outcome):
    from indexer import verify
    from indexer.storage.journal import JOURNAL

    corpus = seed_variants(tmp_path / "corpus", 2)  # 2000-01.md, 2000-02.md
    index = tmp_path / "index"
    reindex(corpus, index)
    before = tree_snapshot(corpus)
    where = ["--corpus", str(corpus), "--index", str(index)]
    killed = run_cli("remove", "2000-02", *where, env={"BULLETIN_FAULTPOINT": point})
    assert killed.returncode == -signal.SIGKILL and (index / JOURNAL).exists(), killed.stderr
    assert run_cli("verify", *where).returncode == 0  # settles the journal, then finds both agreeing
    report = verify(corpus, index)
    assert report.ok and not (index / JOURNAL).exists(), report.problems
    service = SearchService(index)
    try:
        indexed = {i["id"] for i in service.issues()}
    finally:
        service.close()
    if outcome == "completed":
        assert indexed == {"2000-01"} and not list(corpus.rglob("2000-02.*"))
    else:
        assert indexed == {"2000-01", "2000-02"} and tree_snapshot(corpus) == before
    record_figures(f"remove_killed_at_{point}", outcome=outcome, agree=report.ok, issues=sorted(indexed))
