"""`bulletin backup` and `bulletin restore`: the corpus and the vocabulary, checked before anything is replaced."""

from __future__ import annotations

import io
import json
import tarfile

import pytest
from click.testing import CliRunner
from conftest import record_figures, tree_snapshot

from bulletin.cli import main
from indexer import BackupError, backup, restore, verify
from indexer.language.wordlists import VOCABULARY_FILES


def test_backup_then_restore_gives_back_the_corpus_byte_for_byte_and_rebuilds_the_index(fresh, tmp_path):
    corpus, index = fresh
    data = ["--data", str(tmp_path / "data")]
    original = tree_snapshot(corpus)
    added = CliRunner().invoke(main, [*data, "user", "add", "张三", "--role", "admin"], input="Ab3-enough-length\n")
    assert added.exit_code == 0, added.output
    result = CliRunner().invoke(main, [*data, "backup", str(tmp_path), "--corpus", str(corpus)])
    assert result.exit_code == 0, result.output
    archive = next(tmp_path.glob("bulletin-backup-*.tar.gz"))
    assert "已备份：5 期和 3 个词表、账户文件" in result.output and str(archive) in result.output
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert names[0] == "manifest.json" and not any(n.startswith("index") for n in names)
    assert {f"vocabulary/{n}" for n in VOCABULARY_FILES} <= set(names)
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"]) and len(manifest["files"]) == 8
    assert "data/accounts.sqlite3" in names
    # An account disabled after the backup is as it was once the backup is restored.
    assert CliRunner().invoke(main, [*data, "user", "disable", "张三"]).exit_code == 0

    for path in corpus.rglob("*.md"):  # an accident: issues deleted and one overwritten
        path.unlink()
    next(corpus.rglob("*.txt")).write_bytes(b"overwritten")
    result = CliRunner().invoke(main, [*data, "restore", str(archive), "--corpus", str(corpus), "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert "校验和全部相符" in result.output
    assert CliRunner().invoke(main, [*data, "user", "list"]).output.split() == ["张三", "管理员", "正常"]
    restored = tree_snapshot(corpus)
    record_figures("backup_restore", files_backed_up=len(manifest["files"]), corpus_identical=restored == original)
    assert restored == original
    assert verify(corpus, index).ok and verify(corpus, index).indexed == 5
    assert not list(corpus.parent.glob(".restore-*"))  # no staging folder left


def _tampered(archive, tmp_path, change):
    """A copy of ``archive`` with its members passed through ``change`` (name, data) -> [(name, data)]."""
    out = tmp_path / f"tampered-{change.__name__}.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as target:
        for member in source:
            for name, data in change(member.name, source.extractfile(member).read()):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                target.addfile(info, io.BytesIO(data))
    return out


def edited_issue(name, data):
    return [(name, data + b"\n" if name.endswith(".md") else data)]


def escaping_name(name, data):
    return [(name, data), ("corpus/../../evil.md", b"x")] if name == "manifest.json" else [(name, data)]


def missing_file(name, data):
    return [] if name.endswith(".txt") and name.startswith("corpus/") else [(name, data)]


def unlisted_file(name, data):
    return [(name, data), ("corpus/2030/2030-01.md", b"x")] if name == "manifest.json" else [(name, data)]


def no_manifest(name, data):
    return [] if name == "manifest.json" else [(name, data)]


def _relisted(name, data, target, content):
    """``target`` given ``content``, and the manifest made to agree (a forged backup, not a damaged one)."""
    import hashlib

    if name == target:
        return [(name, content)]
    if name == "manifest.json":
        manifest = json.loads(data)
        for entry in manifest["files"]:
            if entry["path"] == target:
                entry.update(bytes=len(content), sha256=hashlib.sha256(content).hexdigest())
        return [(name, json.dumps(manifest).encode())]
    return [(name, data)]


def long_word(name, data):
    return _relisted(name, data, "vocabulary/userdict.txt", ("城" * 20_000 + " 100\n").encode())


def huge_group(name, data):
    return _relisted(
        name, data, "vocabulary/synonyms.txt", (" ".join(f"词{i}" for i in range(100_000)) + "\n").encode()
    )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (edited_issue, "校验和与清单不符"),
        (escaping_name, "不在 corpus/、vocabulary/ 或 data/ 之内"),
        (missing_file, "不在备份中"),
        (unlisted_file, "不在清单中"),
        (no_manifest, "缺少清单"),
        (long_word, "一个词最多 30 个字"),
        (huge_group, "一行最多 1000 个"),
    ],
)
def test_a_damaged_or_forged_backup_is_refused_before_anything_is_replaced(fresh, tmp_path, change, words):
    corpus, index = fresh
    archive = backup(corpus, tmp_path / "good.tar.gz").path
    bad = _tampered(archive, tmp_path, change)
    before = tree_snapshot(corpus, index)
    with pytest.raises(BackupError) as info:
        restore(bad, corpus, index)
    assert str(bad) in info.value.message and words in info.value.message and "未改动" in info.value.message
    assert tree_snapshot(corpus, index) == before
    assert not list(corpus.parent.glob(".restore-*"))


def test_a_truncated_or_missing_backup_is_refused_with_a_clear_message(fresh, tmp_path):
    corpus, index = fresh
    archive = backup(corpus, tmp_path / "good.tar.gz").path
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    before = tree_snapshot(corpus, index)
    for path, words in ((cut, "已损坏"), (tmp_path / "nope.tar.gz", "找不到备份文件")):
        result = CliRunner().invoke(main, ["restore", str(path), "--corpus", str(corpus), "--index", str(index)])
        assert result.exit_code == 1 and words in result.output and "Traceback" not in result.output
    assert tree_snapshot(corpus, index) == before


def test_a_backup_whose_corpus_does_not_build_puts_the_previous_corpus_back(fresh, tmp_path):
    from archive import ArchiveError

    corpus, index = fresh
    other = tmp_path / "other"
    (other / "2020").mkdir(parents=True)
    (other / "2020" / "2020-05.md").write_bytes("这不是一期简报。\n".encode())
    archive = backup(other, tmp_path / "unbuildable.tar.gz").path
    before = tree_snapshot(corpus, index)
    with pytest.raises(ArchiveError):
        restore(archive, corpus, index)
    assert tree_snapshot(corpus, index) == before
