"""Do corpus and index agree? ``verify`` says where they do not; ``repair`` mends the index from the corpus.

The corpus is the source of truth. An index that disagrees with it (a file added by hand and never
ingested, a file removed or edited by hand, an index restored from an old copy) is rebuilt from it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from archive.corpus import Corpus

from ..errors import IndexerError
from .journal import recover_if_idle
from .records import indexed_issues
from .store import IndexStore

STAGED = ".*.tmp"  # what a killed write leaves beside a corpus file


@dataclass(frozen=True)
class Disagreement:
    kind: str  # not-indexed | not-in-corpus | checksum | duplicate | staged | index
    issue: str | None
    path: str | None
    message: str


@dataclass
class VerifyReport:
    files: int = 0
    indexed: int = 0
    recovered: str | None = None  # how an interrupted ingest was settled first, if there was one
    problems: list[Disagreement] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(corpus_dir: Path, index_dir: Path) -> VerifyReport:
    report = VerifyReport(recovered=recover_if_idle(index_dir))
    files = Corpus(corpus_dir).files()
    report.files = len(files)
    for staged in sorted(Path(corpus_dir).rglob(STAGED)) if Path(corpus_dir).is_dir() else []:
        report.problems.append(Disagreement("staged", None, str(staged), f"{staged} 是一次中断的写入留下的临时文件。"))
    try:
        indexed = indexed_issues(IndexStore(index_dir).current())
    except IndexerError as exc:
        report.problems.append(Disagreement("index", None, str(index_dir), exc.message))
        return report
    report.indexed = len(indexed)
    by_sha = {sha: issue for issue, sha in indexed.items()}
    by_stem: dict[str, list[Path]] = defaultdict(list)
    for path in files:
        by_stem[path.stem].append(path)
    seen = set()
    for stem, paths in by_stem.items():
        if len(paths) > 1:
            listed = "、".join(str(p) for p in paths)
            report.problems.append(
                Disagreement("duplicate", stem, listed, f"第 {stem} 期在语料库中有多个文件：{listed}。请只保留一个。")
            )
        for path in paths:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            if sha in by_sha:
                seen.add(by_sha[sha])
            elif stem in indexed:
                seen.add(stem)
                report.problems.append(
                    Disagreement("checksum", stem, str(path), f"{path} 与索引中的第 {stem} 期内容不同（校验和不符）。")
                )
            else:
                report.problems.append(Disagreement("not-indexed", stem, str(path), f"{path} 不在索引中。"))
    for issue in sorted(set(indexed) - seen):
        report.problems.append(Disagreement("not-in-corpus", issue, None, f"索引中的第 {issue} 期在语料库中没有文件。"))
    return report


def repair(corpus_dir: Path, index_dir: Path) -> tuple[VerifyReport, VerifyReport | None]:
    """Verify; if corpus and index disagree, remove stray staged files and rebuild the index from the corpus.

    Returns the report before and the one after (None when there was nothing to repair).
    """
    from .build import reindex

    before = verify(corpus_dir, index_dir)
    if before.ok:
        return before, None
    store = IndexStore(index_dir)
    with store.lock():  # no ingest is staging files while the leftovers are removed
        for problem in before.problems:
            if problem.kind == "staged" and problem.path:
                Path(problem.path).unlink(missing_ok=True)
    reindex(corpus_dir, index_dir)
    return before, verify(corpus_dir, index_dir)
