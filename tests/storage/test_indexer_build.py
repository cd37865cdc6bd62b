"""Builds: atomic switch, idempotent ingest, failures that change nothing, kills, concurrent writers."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, make_corpus, start_cli, tree_snapshot, variant_of_seed

from archive import ArchiveError
from indexer import IndexMissingError, SearchService, WriterBusyError, ingest
from indexer.storage.store import IndexStore


def test_ingest_adds_a_new_issue_and_the_same_issue_twice_changes_nothing(fresh, tmp_path):
    corpus, index = fresh
    new = tmp_path / "2020-05.md"
    new.write_bytes(variant_of_seed(2020, 5))
    first = ingest([new], corpus, index)
    assert first.added == ["2020-05"] and first.articles == 31
    assert (corpus / "2020" / "2020-05.md").read_bytes() == new.read_bytes()
    assert SearchService(index).search("", date_from="2020").total == 31
    before = tree_snapshot(corpus, index)
    second = ingest([new], corpus, index)
    assert second.unchanged == ["2020-05"] and not second.added and not second.replaced
    assert tree_snapshot(corpus, index) == before


def test_ingest_replaces_an_issue_in_another_form(fresh):
    corpus, index = fresh
    report = ingest([FIXTURES / "html-2018-03.html"], corpus, index)
    assert report.replaced == ["2018-03"]
    assert sorted(p.name for p in (corpus / "2018").iterdir()) == ["2018-03.html"]
    archive = SearchService(index)
    assert archive.search("", date_from="2018-03", date_to="2018-03").total == 6  # replaced, not doubled


def test_failed_ingest_leaves_corpus_and_index_byte_identical(fresh, tmp_path):
    corpus, index = fresh
    good = tmp_path / "2020-05.md"
    good.write_bytes(variant_of_seed(2020, 5))
    bad = tmp_path / "broken.md"
    bad.write_text("北京城管科技信息动态\n\n没有期号的文件\n", encoding="utf-8")
    before = tree_snapshot(corpus, index)
    with pytest.raises(ArchiveError) as info:
        ingest([good, bad], corpus, index)
    assert "broken.md" in str(info.value)
    assert tree_snapshot(corpus, index) == before


def test_ingest_refuses_two_files_of_the_same_issue(fresh, tmp_path):
    corpus, index = fresh
    before = tree_snapshot(corpus, index)
    with pytest.raises(ArchiveError, match="同一期"):
        ingest([FIXTURES / "plain-2018-03.txt", FIXTURES / "html-2018-03.html"], corpus, index)
    assert tree_snapshot(corpus, index) == before


def test_ingest_into_an_empty_index_builds_it_from_the_corpus_too(tmp_path):
    corpus = make_corpus(tmp_path)
    index = tmp_path / "index"
    new = tmp_path / "2020-05.md"
    new.write_bytes(variant_of_seed(2020, 5))
    ingest([new], corpus, index)
    assert SearchService(index).search("").total == 45 + 31


def test_old_generation_is_untouched_by_an_incremental_ingest(fresh, tmp_path):
    corpus, index = fresh
    store = IndexStore(index)
    old = store.current()
    before = tree_snapshot(old)
    new = tmp_path / "2020-05.md"
    new.write_bytes(variant_of_seed(2020, 5))
    ingest([new], corpus, index)
    assert store.current() != old
    assert tree_snapshot(old) == before  # hard-linked files were never rewritten


@pytest.mark.slow
def test_searcher_open_during_reindex_keeps_answering_and_new_one_sees_new_index(fresh, tmp_path):
    corpus, index = fresh
    archive = SearchService(index)
    assert archive.search("城管通").total == 14
    old_generation = archive.generation().name
    extra = corpus / "2020" / "2020-05.md"
    extra.parent.mkdir()
    extra.write_bytes(variant_of_seed(2020, 5))
    build = start_cli("reindex", "--corpus", str(corpus), "--index", str(index))
    answers = []
    while build.poll() is None:
        answers.append(archive.search("城管通").total)
    _, err = build.communicate()
    assert build.returncode == 0, err.decode()
    assert set(answers) <= {14, 25}  # the old index or the new one, never empty or partial
    assert archive.search("城管通").total == 25  # the same object follows the switch
    assert archive.generation().name != old_generation
    assert SearchService(index).search("城管通").total == 25


def test_second_writer_waits_for_the_first(fresh, tmp_path):
    _corpus, index = fresh
    store = IndexStore(index)
    with store.lock(), pytest.raises(WriterBusyError, match="另一个"), store.lock(timeout=0.3):
        pass


def test_missing_index_says_to_run_reindex(tmp_path):
    with pytest.raises(IndexMissingError, match="bulletin reindex"):
        SearchService(tmp_path / "nothing").search("城管通")


def test_an_index_of_another_schema_is_rebuilt_from_the_corpus_when_served(fresh):
    """After an upgrade, ``bulletin serve`` (``ensure_index``) rebuilds an index an older version wrote, saying
    so, instead of refusing to start; a damaged index is still refused."""
    import json

    from indexer.errors import IndexCorruptError
    from indexer.storage.build import ensure_index
    from indexer.storage.records import META, SCHEMA_VERSION

    corpus, index = fresh
    before = SearchService(index).search("城管通").total
    old = IndexStore(index).current()
    meta = json.loads((old / META).read_text(encoding="utf-8"))
    (old / META).write_text(json.dumps({**meta, "schema": SCHEMA_VERSION - 1}), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="格式版本"):
        SearchService(index).search("城管通")
    said: list[str] = []
    info = ensure_index(corpus, index, announce=said.append)
    assert said == [
        f"索引是另一版本程序建立的（格式 {SCHEMA_VERSION - 1}，本程序为 {SCHEMA_VERSION}），正在从 {corpus} 重建……"
    ]
    assert IndexStore(index).current() != old and info["articles"] == SearchService(index).search("").total
    assert SearchService(index).search("城管通").total == before == 14

    (IndexStore(index).current() / META).write_text("{", encoding="utf-8")  # damaged, not another version
    said.clear()
    with pytest.raises(IndexCorruptError, match="bulletin reindex"):
        ensure_index(corpus, index, announce=said.append)
    assert not said


def test_ingest_failing_while_staging_the_corpus_file_leaves_no_new_folder(fresh, tmp_path, monkeypatch):
    import indexer.storage.build as build
    from indexer import BuildError

    corpus, index = fresh
    new = tmp_path / "2020-05.md"
    new.write_bytes(variant_of_seed(2020, 5))
    before = tree_snapshot(corpus, index)

    def disk_full(target, data):
        target.parent.mkdir(parents=True, exist_ok=True)
        raise BuildError("无法写入语料库：No space left on device。")

    monkeypatch.setattr(build, "_stage", disk_full)
    with pytest.raises(BuildError):
        ingest([new], corpus, index)
    assert tree_snapshot(corpus, index) == before
