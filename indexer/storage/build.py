"""Full rebuilds and incremental ingests, each ending in one atomic switch.

Every input is parsed before anything is written, and nothing outside a new
generation folder changes until the switch, so a failure at any step leaves
the corpus and the live index exactly as they were.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from archive import ArchiveError, ParsedIssue, read_file
from archive.corpus import Corpus, stage
from archive.reader import FORM_SUFFIX

from ..errors import BuildError, IndexCorruptError, IndexMissingError, NoSuchIssueError
from ..language.analysis import prepare_lean
from .faults import checkpoint
from .journal import Journal, recover, recover_if_idle
from .records import SCHEMA_VERSION, indexed_sha, read_meta, schema_of
from .store import IndexStore
from .writing import MAX_PROCS, delete_issue, prepare_build_process, write_issues

if TYPE_CHECKING:  # search imports build's callers; at run time it is imported where needed
    from ..search import SearchService


class ProgressBar(Protocol):
    def update(self, n: int = 1) -> object: ...


ProgressFactory = Callable[..., AbstractContextManager[ProgressBar]]


class _NullBar:
    def update(self, n: int = 1) -> None:
        return None


def no_progress(**_: Any) -> AbstractContextManager[ProgressBar]:
    return nullcontext(_NullBar())


@dataclass
class BuildReport:
    generation: str
    issues: int
    articles: int
    seconds: float
    warnings: int = 0


@dataclass
class IngestReport:
    generation: str | None
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    articles: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)  # each file's issue and sha256, in order


# Archives of at least this many files are read on every core (fewer are not worth starting the processes).
PARALLEL_PARSE_FROM = 16


def parse_all(paths: Iterable[Path]) -> list[ParsedIssue]:
    """Parse every file first; one duplicate issue id or unreadable file stops everything (the first in
    ``paths``' order, whichever process read it)."""
    paths = list(paths)
    parsed: list[ParsedIssue] = []
    seen: dict[str, Path] = {}
    with _reader(len(paths)) as read:
        for path, result in zip(paths, read(read_file, paths), strict=True):
            parsed.append(_checked(result, path, seen))
    return parsed


@contextlib.contextmanager
def _reader(files: int) -> Iterator[Callable[..., Iterator[ParsedIssue]]]:
    """``map``, or for a large archive the ordered ``map`` of a process per core (a file's error raised at its
    place; a process that dies raises, rather than leaving the build waiting)."""
    procs = min(os.cpu_count() or 1, MAX_PROCS)
    if files < PARALLEL_PARSE_FROM or procs < 2:
        yield map
        return
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(procs, mp_context=context, initializer=prepare_build_process)
    try:
        yield lambda function, items: pool.map(function, items, chunksize=4)
    finally:
        pool.shutdown(cancel_futures=True)


def _checked(result: ParsedIssue, path: Path, seen: dict[str, Path]) -> ParsedIssue:
    other = seen.get(result.issue.id)
    if other is not None:
        raise ArchiveError(
            f"与 {other} 是同一期（{result.issue.label}）。每期只能有一个文件；请删除其中一个后重试。",
            file=str(path),
        )
    seen[result.issue.id] = path
    return result


def reindex(corpus_dir: Path, index_dir: Path, *, progress: ProgressFactory = no_progress) -> BuildReport:
    """Rebuild the whole index from the corpus into a new generation and switch to it."""
    started = time.perf_counter()
    store = IndexStore(index_dir)
    lean = prepare_lean()  # beside the build, once a machine: what a server started after it reads
    try:
        with store.lock():
            recover(store)  # the corpus as an interrupted ingest meant it, before it is read
            parsed = parse_all(Corpus(corpus_dir).files())
            generation = store.new_generation()
            try:
                write_issues(generation, [p.issue for p in parsed], progress, create=True)
                store.switch(generation)
            except BaseException:
                store.discard(generation)
                raise
    finally:
        if lean is not None:
            lean.join()  # a failure shows where the server reads them, with its reason
    return BuildReport(
        generation=generation.name,
        issues=len(parsed),
        articles=sum(len(p.issue.articles) for p in parsed),
        seconds=time.perf_counter() - started,
        warnings=sum(len(p.warnings) for p in parsed),
    )


def ingest(
    paths: Iterable[Path], corpus_dir: Path, index_dir: Path, *, progress: ProgressFactory = no_progress
) -> IngestReport:
    """Add or replace issues: copy each file into the corpus and its articles into the index."""
    started = time.perf_counter()
    paths = list(paths)
    incoming = parse_all(paths)
    corpus = Corpus(corpus_dir)
    store = IndexStore(index_dir)
    report = IngestReport(generation=store.current_name())
    report.warnings = [f"{p.issue.id} {w}" for p in incoming for w in p.warnings]
    report.files = [(p.issue.id, p.issue.sha256) for p in incoming]
    with store.lock():
        recover(store)
        live = _live_generation(store)
        plans = []
        for path, parsed in zip(paths, incoming, strict=True):
            issue = parsed.issue
            plan = corpus.plan(issue, path.read_bytes(), path.suffix or FORM_SUFFIX[parsed.form])
            indexed = live is not None and indexed_sha(live, issue.id) == issue.sha256
            if plan is None and indexed:
                report.unchanged.append(issue.id)
                continue
            existed = bool(corpus.existing(issue))
            (report.replaced if existed else report.added).append(issue.id)
            plans.append((path, parsed, plan))
        if not plans:
            report.seconds = time.perf_counter() - started
            return report
        changed = [p.issue for _, p, _ in plans]
        if live is None:
            # No index yet: build one from the corpus as it will be after this ingest.
            ids = {i.id for i in changed}
            base = [p.issue for p in parse_all(corpus.files()) if p.issue.id not in ids]
            generation = store.new_generation()
            creating, issues = True, base + changed
        else:
            generation = store.copy_generation(live)
            creating, issues = False, changed
        new_folders = {plan[0].parent for _, _, plan in plans if plan is not None and not plan[0].parent.exists()}
        journal = Journal(generation.name, folders=sorted(str(f) for f in new_folders))

        def write() -> None:
            write_issues(generation, issues, progress, create=creating)
            for path, _, plan in plans:
                if plan is not None:
                    target, replaced = plan
                    journal.moves.append((str(_stage(target, path.read_bytes())), str(target)))
                    journal.removes.extend(str(p) for p in replaced)

        _journalled(store, generation, journal, write)
    report.generation = generation.name
    report.articles = sum(len(i.articles) for i in changed)
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class RemoveReport:
    issue: str
    articles: int
    files: list[str]
    generation: str


def remove(issue_id: str, corpus_dir: Path, index_dir: Path) -> RemoveReport:
    """Take one issue out of the index and its files out of the corpus, as one journalled change: a kill at
    any point leaves both with the issue or both without it."""
    corpus, store = Corpus(corpus_dir), IndexStore(index_dir)
    with store.lock():
        recover(store)
        live = _live_generation(store)
        if live is None:
            raise BuildError("还没有索引，什么都没有改变。请先运行 bulletin reindex。")
        files = corpus.files_of(issue_id)
        if indexed_sha(live, issue_id) is None and not files:
            raise NoSuchIssueError(f"没有编号为“{issue_id}”的一期，什么都没有改变。期号形如 2017-06。")
        generation = store.copy_generation(live)
        journal = Journal(generation.name, removes=[str(p) for p in files])
        deleted: list[int] = []
        _journalled(store, generation, journal, lambda: deleted.append(delete_issue(generation, issue_id)))
        for folder in {p.parent for p in files}:
            with contextlib.suppress(OSError):
                folder.rmdir()  # a year folder left empty goes too
    return RemoveReport(issue_id, deleted[0], [str(p) for p in files], generation.name)


def _journalled(store: IndexStore, generation: Path, journal: Journal, write: Callable[[], None]) -> None:
    """Run ``write`` (filling ``generation`` and ``journal``), record the journal, switch to the generation,
    then carry the journal out: a kill at any point is settled by the next command, forward or back."""
    try:
        write()
        journal.write(store)  # from here on, a killed change is settled by the next command
        checkpoint("journal")
        store.switch(generation)
    except BaseException:
        journal.settle(store)
        raise
    checkpoint("switched")
    journal.complete(store)


def _live_generation(store: IndexStore) -> Path | None:
    if store.current_name() is None:
        return None
    generation = store.current()
    try:
        read_meta(generation)
    except IndexCorruptError as exc:
        raise BuildError(exc.message) from None
    return generation


def _stage(target: Path, data: bytes) -> Path:
    """Stage a corpus file beside its target, to be renamed in after the switch."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return stage(target, data)
    except OSError as exc:
        raise BuildError(
            f"无法写入语料库 {target}：{exc.strerror}。语料库和索引都未改动；请检查磁盘空间后重试。"
        ) from None


def _other_schema(index_dir: Path) -> int | None:
    """The live generation's schema version when it is readable and not this program's, else None."""
    try:
        found = schema_of(IndexStore(index_dir).current())
    except (IndexCorruptError, IndexMissingError):  # verifying it says what is wrong
        return None
    return found if found is not None and found != SCHEMA_VERSION else None


def ensure_index(
    corpus_dir: Path,
    index_dir: Path,
    *,
    progress: ProgressFactory = no_progress,
    announce: Callable[[str], object] = lambda _: None,
    service: SearchService | None = None,
) -> dict[str, Any]:
    """Build the index from the corpus if there is none, or if it was written by a version of the program with
    another schema (the corpus is the source of truth: nothing is lost), then prove that it opens and answers.

    Used by ``bulletin serve`` and the WSGI entry point alike; raises a clear error for a damaged index.
    A ``service`` given keeps the generation it verified open (``SearchService.verify``).
    """
    from ..search import SearchService, index_ready

    recover_if_idle(index_dir)
    if not index_ready(index_dir):
        announce(f"还没有索引，正在从 {corpus_dir} 建立……")
        reindex(corpus_dir, index_dir, progress=progress)
    elif (found := _other_schema(index_dir)) is not None:
        announce(f"索引是另一版本程序建立的（格式 {found}，本程序为 {SCHEMA_VERSION}），正在从 {corpus_dir} 重建……")
        reindex(corpus_dir, index_dir, progress=progress)
    if service is None:
        return SearchService(index_dir).verify()
    return service.verify(keep=True)
