"""The records a generation keeps beside its parts: each issue's cover data and contents, each issue's words,
the archive's words together, and the meta (schema version, counts, build time). Written and read here.

    gen-<ns>-<pid>/
      part-<n>/            some of the articles (``parts``)
      meta.json            schema version, counts, build time
      issue-<id>.json      an issue's cover data and contents
      vocab-<id>.json      its words with document frequency and pinyin (``vocabulary``)
      vocabulary.json      the archive's words: every issue's together, read when a search needs them
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from archive import Issue

from ..errors import IndexCorruptError
from ..language.vocabulary import combine
from .store import replace_file

META = "meta.json"
VOCABULARY = "vocabulary.json"
ISSUE_PREFIX = "issue-"
VOCAB_PREFIX = "vocab-"
# Bump when the schema, the layout or the analysis changes: an index of another version must be rebuilt.
SCHEMA_VERSION = 11


def issue_path(generation: Path, issue_id: str) -> Path:
    return generation / f"{ISSUE_PREFIX}{issue_id}.json"


def vocab_path(generation: Path, issue_id: str) -> Path:
    return generation / f"{VOCAB_PREFIX}{issue_id}.json"


def sidecars(generation: Path, prefix: str) -> list[Path]:
    return sorted(generation.glob(f"{prefix}*.json"))


def read_meta(generation: Path) -> dict[str, Any]:
    """The generation's meta, or an error saying to reindex when it is unreadable or of another version."""
    try:
        meta = json.loads((generation / META).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(
            f"索引 {generation} 的元数据无法读取（{exc}）。请运行 bulletin reindex 重建索引。"
        ) from None
    if meta.get("schema") != SCHEMA_VERSION:
        raise IndexCorruptError(f"索引 {generation} 的格式版本与本程序不一致。请运行 bulletin reindex 重建索引。")
    return meta


def schema_of(generation: Path) -> int | None:
    """The schema version ``generation`` was written with, or None when its meta cannot be read."""
    try:
        schema = json.loads((generation / META).read_text(encoding="utf-8")).get("schema")
    except (OSError, ValueError, AttributeError):
        return None
    return schema if isinstance(schema, int) else None


def read_record(generation: Path, issue_id: str) -> dict[str, Any] | None:
    """The issue's record in ``generation`` (cover data, contents, articles), or None if it has none."""
    path = issue_path(generation, issue_id)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def indexed_sha(generation: Path, issue_id: str) -> str | None:
    """The sha256 of the source file the generation indexed for ``issue_id``, if any."""
    record = read_record(generation, issue_id)
    return record.get("sha256") if record else None


def indexed_issues(generation: Path) -> dict[str, str]:
    """Every issue the generation indexed, with the sha256 of its source file."""
    out = {}
    for path in sidecars(generation, ISSUE_PREFIX):
        out[path.stem.removeprefix(ISSUE_PREFIX)] = json.loads(path.read_text(encoding="utf-8")).get("sha256")
    return out


def issue_record(issue: Issue) -> dict[str, Any]:
    """What the index keeps of an issue beside its articles (cover data and contents)."""
    data = issue.to_dict()
    data["articles"] = [
        {k: a[k] for k in ("id", "ordinal", "title", "section", "unit", "district", "page", "editorial")}
        for a in data["articles"]
    ]
    return data


def write_issue_files(
    generation: Path,
    issues: list[Issue],
    vocabularies: list[dict[str, list]] | None,
    *,
    create: bool,
    together: dict[str, list] | None = None,
) -> None:
    """Write each issue's record and words (``vocabulary.tally``), the archive's words and the meta counting
    them into ``generation``. With ``vocabularies`` None, a build's processes wrote each issue's files
    (``write_issue``) and ``together`` is their words."""
    if create:
        meta, words = {"issues": 0, "articles": 0}, {}
    else:
        meta = json.loads((generation / META).read_text(encoding="utf-8"))
        words = json.loads((generation / VOCABULARY).read_text(encoding="utf-8"))
    for n, issue in enumerate(issues):
        if not create:
            _uncount(meta, words, generation, issue.id)
        if vocabularies is not None:
            write_issue(generation, issue, vocabularies[n])
            combine(words, vocabularies[n])
        meta["issues"] += 1
        meta["articles"] += len(issue.articles)
    if together is not None:
        combine(words, together)
    replace_file(generation / VOCABULARY, json.dumps(words, ensure_ascii=False).encode("utf-8"))
    _write_meta(generation, meta)


def _write_meta(generation: Path, meta: dict[str, Any]) -> None:
    meta.update(schema=SCHEMA_VERSION, built=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    replace_file(generation / META, json.dumps(meta, ensure_ascii=False).encode("utf-8"))


def write_issue(generation: Path, issue: Issue, vocabulary: dict[str, list]) -> None:
    """Write one issue's record and words."""
    record = json.dumps(issue_record(issue), ensure_ascii=False).encode("utf-8")
    replace_file(issue_path(generation, issue.id), record)
    replace_file(vocab_path(generation, issue.id), json.dumps(vocabulary, ensure_ascii=False).encode("utf-8"))


def remove_issue_files(generation: Path, issue_id: str) -> None:
    """Take the issue's record and words out of ``generation``, the archive's words and its meta."""
    meta = json.loads((generation / META).read_text(encoding="utf-8"))
    words = json.loads((generation / VOCABULARY).read_text(encoding="utf-8"))
    _uncount(meta, words, generation, issue_id)
    for path in (issue_path(generation, issue_id), vocab_path(generation, issue_id)):
        path.unlink(missing_ok=True)
    replace_file(generation / VOCABULARY, json.dumps(words, ensure_ascii=False).encode("utf-8"))
    _write_meta(generation, meta)


def _uncount(meta: dict[str, Any], words: dict[str, list], generation: Path, issue_id: str) -> None:
    """Take the issue the generation holds now, if any, out of the meta's counts and the archive's words."""
    record = read_record(generation, issue_id)
    if record is not None:
        meta["issues"] -= 1
        meta["articles"] -= len(record["articles"])
        own = vocab_path(generation, issue_id)
        if own.exists():
            combine(words, json.loads(own.read_text(encoding="utf-8")), -1)
