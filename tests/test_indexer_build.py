"""Builds: atomic switch, idempotent ingest, failures that change nothing, kills, concurrent writers."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, make_corpus, variant_of_seed

from archive import ArchiveError
from indexer import Archive, IndexMissingError, WriterBusyError, ingest, reindex
from indexer.store import IndexStore


def snapshot(*folders: Path) -> dict[str, str]:
    """Every file under ``folders`` with its sha256: equal snapshots mean byte-identical trees."""
    out = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            elif path.is_dir():
                out[str(path)] = "dir"
    return out


@pytest.fixture
def fresh(tmp_path):
    corpus = make_corpus(tmp_path)
    index = tmp_path / "index"
    reindex(corpus, index)
    return corpus, index


def bulletin(*args: str, env_extra: dict | None = None) -> subprocess.Popen:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "bulletin", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )


def test_ingest_adds_a_new_issue_and_the_same_issue_twice_changes_nothing(fresh, tmp_path):
    corpus, index = fresh
    new = tmp_path / "2020-05.md"
    new.write_bytes(variant_of_seed(2020, 5))
    first = ingest([new], corpus, index)
    assert first.added == ["2020-05"] and first.articles == 31
    assert (corpus / "2020" / "2020-05.md").read_bytes() == new.read_bytes()
    assert Archive(index).search("", date_from="2020").total == 31
    before = snapshot(corpus, index)
    second = ingest([new], corpus, index)
    assert second.unchanged == ["2020-05"] and not second.added and not second.replaced
    assert snapshot(corpus, index) == before


def test_ingest_replaces_an_issue_in_another_form(fresh):
    corpus, index = fresh
    report = ingest([FIXTURES / "html-2018-03.html"], corpus, index)
    assert report.replaced == ["2018-03"]
    assert sorted(p.name for p in (corpus / "2018").iterdir()) == ["2018-03.html"]
    archive = Archive(index)
    assert archive.search("", date_from="2018-03", date_to="2018-03").total == 6  # replaced, not doubled


def test_failed_ingest_leaves_corpus_and_index_byte_identical(fresh, tmp_path):
    corpus, index = fresh
    good = tmp_path / "2020-05.md"
    good.write_bytes(variant_of_seed(2020, 5))
    bad = tmp_path / "broken.md"
    bad.write_text("北京城管科技信息动态\n\n没有期号的文件\n", encoding="utf-8")
    before = snapshot(corpus, index)
    with pytest.raises(ArchiveError) as info:
        ingest([good, bad], corpus, index)
    assert "broken.md" in str(info.value)
    assert snapshot(corpus, index) == before


def test_ingest_refuses_two_files_of_the_same_issue(fresh, tmp_path):
    corpus, index = fresh
    before = snapshot(corpus, index)
    with pytest.raises(ArchiveError, match="同一期"):
        ingest([FIXTURES / "plain-2018-03.txt", FIXTURES / "html-2018-03.html"], corpus, index)
    assert snapshot(corpus, index) == before


def test_ingest_into_an_empty_index_builds_it_from_the_corpus_too(tmp_path):
    corpus = make_corpus(tmp_path)
    index = tmp_path / "index"
    new = tmp_path / "2020-05.md"
    new.write_bytes(variant_of_seed(2020, 5))
    ingest([new], corpus, index)
    assert Archive(index).search("").total == 45 + 31


def test_old_generation_is_untouched_by_an_incremental_ingest(fresh, tmp_path):
    corpus, index = fresh
    store = IndexStore(index)
    old = store.current()
    before = snapshot(old)
    new = tmp_path / "2020-05.md"
    new.write_bytes(variant_of_seed(2020, 5))
    ingest([new], corpus, index)
    assert store.current() != old
    assert snapshot(old) == before  # hard-linked files were never rewritten


def test_searcher_open_during_reindex_keeps_answering_and_new_one_sees_new_index(fresh, tmp_path):
    corpus, index = fresh
    archive = Archive(index)
    assert archive.search("城管通").total == 14
    old_generation = archive.generation().name
    extra = corpus / "2020" / "2020-05.md"
    extra.parent.mkdir()
    extra.write_bytes(variant_of_seed(2020, 5))
    build = bulletin("reindex", "--corpus", str(corpus), "--index", str(index))
    answers = []
    while build.poll() is None:
        answers.append(archive.search("城管通").total)
    _, err = build.communicate()
    assert build.returncode == 0, err.decode()
    assert set(answers) <= {14, 25}  # the old index or the new one, never empty or partial
    assert archive.search("城管通").total == 25  # the same object follows the switch
    assert archive.generation().name != old_generation
    assert Archive(index).search("城管通").total == 25


def test_build_killed_midway_leaves_old_index_serving_and_next_build_succeeds(tmp_path):
    corpus = tmp_path / "corpus"
    for i in range(40):
        year, number = 2000 + i // 12, i % 12 + 1
        path = corpus / str(year) / f"{year}-{number:02d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(variant_of_seed(year, number))
    index = tmp_path / "index"
    first = corpus / "2000" / "2000-01.md"
    only = tmp_path / "small"
    (only / "2000").mkdir(parents=True)
    shutil.copy(first, only / "2000" / first.name)
    reindex(only, index)
    live = IndexStore(index).current()
    before = snapshot(live)
    build = bulletin("reindex", "--corpus", str(corpus), "--index", str(index))
    deadline = time.monotonic() + 60
    while not [g for g in index.glob("gen-*") if g != live and any(g.iterdir())]:
        assert time.monotonic() < deadline and build.poll() is None, "the build never started writing"
        time.sleep(0.05)
    build.send_signal(signal.SIGKILL)
    build.communicate()
    assert IndexStore(index).current() == live and snapshot(live) == before
    assert Archive(index).search("城管通").total == 11
    report = reindex(corpus, index)
    assert report.issues == 40
    assert [g for g in index.glob("gen-*")] and len(list(index.glob("gen-*"))) <= 2
    assert Archive(index).search("城管通").total == 40 * 11


def test_second_writer_waits_for_the_first(fresh, tmp_path):
    _corpus, index = fresh
    store = IndexStore(index)
    with store.lock(), pytest.raises(WriterBusyError, match="另一个"), store.lock(timeout=0.3):
        pass


def test_two_concurrent_ingests_of_different_issues_both_land(fresh, tmp_path):
    corpus, index = fresh
    files = []
    for number in (5, 6):
        path = tmp_path / f"2020-{number:02d}.md"
        path.write_bytes(variant_of_seed(2020, number))
        files.append(path)
    runs = [bulletin("ingest", str(f), "--corpus", str(corpus), "--index", str(index)) for f in files]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
    archive = Archive(index)
    assert archive.search("", date_from="2020-05", date_to="2020-05").total == 31
    assert archive.search("", date_from="2020-06", date_to="2020-06").total == 31
    assert {p.name for p in (corpus / "2020").iterdir()} == {"2020-05.md", "2020-06.md"}


def test_missing_index_says_to_run_reindex(tmp_path):
    with pytest.raises(IndexMissingError, match="bulletin reindex"):
        Archive(tmp_path / "nothing").search("城管通")


def test_ingest_failing_while_staging_the_corpus_file_leaves_no_new_folder(fresh, tmp_path, monkeypatch):
    import indexer.build as build
    from indexer import BuildError

    corpus, index = fresh
    new = tmp_path / "2020-05.md"
    new.write_bytes(variant_of_seed(2020, 5))
    before = snapshot(corpus, index)

    def disk_full(target, data):
        target.parent.mkdir(parents=True, exist_ok=True)
        raise BuildError("无法写入语料库：No space left on device。")

    monkeypatch.setattr(build, "_stage", disk_full)
    with pytest.raises(BuildError):
        ingest([new], corpus, index)
    assert snapshot(corpus, index) == before
