"""Backups: the corpus, the vocabulary files and what the caller adds of the data folder (the accounts) in one
archive with a manifest of checksums.

The index is not backed up: it is derived, and ``restore`` rebuilds it. ``restore`` reads the whole archive
and checks every file against the manifest (and every name against escaping the corpus) before it replaces
anything; the corpus is then swapped in whole, by rename, and the index rebuilt from it.

Archive layout (a gzip-compressed tar)::

    manifest.json        {"format": 1, "created": …, "files": [{"path", "bytes", "sha256"}, …]}
    corpus/2017/2017-06.md
    vocabulary/userdict.txt
    vocabulary/synonyms.txt
    data/accounts.sqlite3
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from archive.corpus import Corpus, write_atomic
from archive.limits import LIMITS

from ..errors import BuildError
from ..language.wordlists import VOCABULARY_FILES, check_word_list, vocabulary_file, write_vocabulary
from .store import IndexStore

MANIFEST = "manifest.json"
FORMAT = 1
_ROOTS = ("corpus", "vocabulary", "data")


@dataclass
class BackupReport:
    path: Path
    issues: int
    files: int
    bytes: int
    data: dict[str, bytes] = field(default_factory=dict)  # what the archive holds under data/, for the caller


class BackupError(BuildError):
    """A backup archive that cannot be restored as it is; nothing was replaced."""


def default_name(now: dt.datetime | None = None) -> str:
    return f"bulletin-backup-{(now or dt.datetime.now()).strftime('%Y%m%d-%H%M%S')}.tar.gz"


def backup(corpus_dir: Path, dest: Path, extra: dict[str, bytes] | None = None) -> BackupReport:
    """Write the archive to ``dest`` (a folder gets a dated file name), through a temporary file, with the
    ``extra`` files (paths under ``data/``)."""
    dest = dest / default_name() if dest.is_dir() else dest
    entries: list[tuple[str, bytes]] = []
    corpus = Corpus(corpus_dir)
    for path in corpus.files():
        entries.append((f"corpus/{path.relative_to(corpus.root).as_posix()}", path.read_bytes()))
    issues = len(entries)
    for name in VOCABULARY_FILES:
        entries.append((f"vocabulary/{name}", vocabulary_file(name).read_bytes()))
    entries.extend(sorted((extra or {}).items()))
    manifest = {
        "format": FORMAT,
        "created": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "files": [{"path": p, "bytes": len(d), "sha256": hashlib.sha256(d).hexdigest()} for p, d in entries],
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in [(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode()), *entries]:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), int(dt.datetime.now().timestamp()), 0o644
            tar.addfile(info, io.BytesIO(data))
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(dest, buffer.getvalue())
    except OSError as exc:
        raise BuildError(f"无法写入备份 {dest}：{exc.strerror}。请检查路径和磁盘空间。") from None
    return BackupReport(dest, issues, len(entries), buffer.tell())


def read_backup(archive: Path) -> dict[str, bytes]:
    """Every file of the archive by its path, each checked against the manifest; or a BackupError."""

    def refuse(why: str) -> BackupError:
        return BackupError(f"备份 {archive} 无法恢复：{why}。语料库和索引都未改动。")

    files: dict[str, bytes] = {}
    manifest = None
    total = 0
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                if not member.isfile():
                    raise refuse(f"其中的 {member.name} 不是普通文件")
                if member.name != MANIFEST and not _safe(member.name):
                    raise refuse(f"其中的 {member.name} 不在 corpus/、vocabulary/ 或 data/ 之内")
                total += member.size
                if member.size > LIMITS.source_bytes or total > 64 * LIMITS.source_bytes:
                    raise refuse(f"其中的 {member.name} 过大")
                data = tar.extractfile(member).read()
                if member.name == MANIFEST:
                    manifest = json.loads(data)
                elif member.name in files:
                    raise refuse(f"{member.name} 出现了两次")
                else:
                    files[member.name] = data
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        raise BackupError(f"找不到备份文件 {archive}。请给出 bulletin backup 写的 .tar.gz 文件。") from None
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise refuse(f"文件已损坏（{type(exc).__name__}）") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise refuse("缺少清单 manifest.json，或其格式不是本系统写的")
    listed = {entry["path"]: entry for entry in manifest.get("files", [])}
    for path in sorted(set(listed) | set(files)):
        if path not in files:
            raise refuse(f"清单中的 {path} 不在备份中")
        if path not in listed:
            raise refuse(f"{path} 不在清单中")
        data, entry = files[path], listed[path]
        if len(data) != entry["bytes"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise refuse(f"{path} 的校验和与清单不符（备份已损坏或被改动）")
        if path.startswith("vocabulary/"):
            _check_vocabulary(path, data, refuse)
    return files


def _check_vocabulary(path: str, data: bytes, refuse) -> None:
    """A word list is held to the limits the admin page holds it to, before anything is replaced."""
    try:
        check_word_list(PurePosixPath(path).name, data.decode("utf-8"))
    except UnicodeDecodeError:
        raise refuse(f"词表 {path} 不是 UTF-8 文本") from None
    except ValueError as exc:
        raise refuse(f"词表 {path} 无法使用：{str(exc).rstrip('。')}") from None


def restore(archive: Path, corpus_dir: Path, index_dir: Path, check=None) -> BackupReport:
    """Check the whole archive (and, with ``check``, its data/ files: a ValueError refuses it), then replace
    the corpus (and the vocabulary) with it and rebuild the index. The data/ files are the caller's to put
    back, in the report."""
    from .build import reindex

    files = read_backup(archive)
    extra = {path: content for path, content in files.items() if path.startswith("data/")}
    if check is not None:
        try:
            check(extra)
        except ValueError as exc:
            raise BackupError(f"备份 {archive} 无法恢复：{exc}。语料库和索引都未改动。") from None
    corpus_dir = Path(corpus_dir)
    corpus_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=corpus_dir.parent))
    previous = staging / "previous"
    vocabulary = {name: vocabulary_file(name).read_bytes() for name in VOCABULARY_FILES}
    try:
        (staging / "corpus").mkdir()
        for path, data in files.items():
            if path.startswith("corpus/"):
                target = staging / path
                target.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(target, data)
        with IndexStore(index_dir).lock():  # no ingest writes into the corpus while it is swapped
            if corpus_dir.exists():
                os.replace(corpus_dir, previous)
            os.replace(staging / "corpus", corpus_dir)
        try:
            _put_vocabulary({n: files.get(f"vocabulary/{n}", d) for n, d in vocabulary.items()})
            report = reindex(corpus_dir, index_dir)
        except BaseException:
            # The restored corpus does not build: put the previous corpus and vocabulary back.
            shutil.rmtree(corpus_dir, ignore_errors=True)
            if previous.exists():
                os.replace(previous, corpus_dir)
            _put_vocabulary(vocabulary)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BackupReport(archive, report.issues, len(files), sum(len(d) for d in files.values()), extra)


def _put_vocabulary(contents: dict[str, bytes]) -> None:
    """Write the vocabulary files that differ into the data folder (the rebuild that follows reads them)."""
    for name, data in contents.items():
        if vocabulary_file(name).read_bytes() != data:
            try:
                write_vocabulary(name, data.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise BackupError(f"备份中的词表 {name} 无法使用：{exc}") from None


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and len(path.parts) >= 2
        and path.parts[0] in _ROOTS
        and "\\" not in name
        and "\x00" not in name
    )
