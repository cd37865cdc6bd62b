"""Writing issues into a generation: each as part of a part (``parts.write_part``), with its records.

A full build of ``PARALLEL_FROM`` articles or more runs on every core: each process writes the parts of its
shares of the issues (one jieba cut a text, for Whoosh and for the vocabulary alike) and their issues'
records; the parent then writes the archive's words and the meta. An ingest deletes the issues it replaces
from the parts that hold them and writes its issues as one new part, in one process. Nothing here switches
generations (``build`` does, after everything is written).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
from pathlib import Path
from typing import Any

from archive import Article, Issue

from ..errors import BuildError
from ..language.analysis import init as init_analysis
from ..language.vocabulary import combine
from . import parts
from .faults import checkpoint
from .records import ISSUE_PREFIX, read_record, remove_issue_files, sidecars, write_issue, write_issue_files
from .schema import issue_dates
from .store import replace_file

# Full builds of at least this many articles use a process per core (fewer are not worth the start-up).
PARALLEL_FROM = 1000
MAX_PROCS = 4
# Articles a build process writes as one part; past them, as two (each process holds a part's postings while
# it writes them). Every search reads every part, so fewer are faster: at 20,000 articles two parts instead
# of four took 3 % less of a worker's time a search, for a build peak of 1.1 GB instead of 0.7.
ONE_PART_UP_TO = 12_500
_building = False


def _die_with_parent() -> None:
    """In a writer process forked during a build: die if the build is killed, instead of waiting forever."""
    if not _building:
        return
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the orphan waits, harmlessly
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


os.register_at_fork(after_in_child=_die_with_parent)


def write_issues(generation: Path, issues: list[Issue], progress: Any, *, create: bool) -> None:
    """Write ``issues`` into ``generation``: a whole archive into an empty one (``create``), else added to it
    (replacing what it holds of them)."""
    global _building
    _building = True
    try:
        init_analysis()
        total = sum(len(i.articles) for i in issues)
        with progress(total=total, desc="建立索引", unit="篇") as bar:
            if create:
                _build(generation, issues, bar)
            else:
                _ingest(generation, issues, bar)
    except OSError as exc:
        raise BuildError(
            f"写入索引失败：{exc.strerror or exc}。语料库和现有索引都未改动；请检查磁盘空间后重试。"
        ) from None
    finally:
        _building = False


def delete_issue(generation: Path, issue_id: str) -> int:
    """Take an issue out of ``generation``: its articles out of the parts that hold them, its records out of
    the folder; return how many articles it had."""
    deleted = sum(parts.delete_issue(folder, issue_id) for folder in parts.holding(generation, issue_id))
    remove_issue_files(generation, issue_id)
    return deleted


def _build(generation: Path, issues: list[Issue], bar: Any) -> None:
    total = sum(len(i.articles) for i in issues)
    procs = min(os.cpu_count() or 1, MAX_PROCS) if total >= PARALLEL_FROM else 1
    shares = _shares(issues, procs * (1 if total <= procs * ONE_PART_UP_TO else 2)) if procs > 1 else [issues]
    folders = [generation / f"{parts.PREFIX}{n + 1:06d}" for n in range(len(shares))]
    words: dict[str, list] = {}
    if procs == 1:
        for folder, share in zip(folders, shares, strict=True):
            combine(words, _write_share(folder, share, generation))
            bar.update(sum(len(i.articles) for i in share))
    else:
        global _pending
        _pending = (generation, folders, shares)
        try:
            with multiprocessing.get_context("fork").Pool(procs, initializer=prepare_build_process) as pool:
                for n, (articles, share_words) in enumerate(pool.imap(_write_numbered, range(len(shares)))):
                    combine(words, share_words)
                    bar.update(articles)
                    if n == 0:
                        checkpoint("segment")  # one part written, the others being written
        finally:
            _pending = None
    checkpoint("commit")  # every part written, the generation's meta not yet
    write_issue_files(generation, issues, None, create=True, together=words)


def _ingest(generation: Path, issues: list[Issue], bar: Any) -> None:
    for issue in issues:
        for folder in parts.holding(generation, issue.id):
            parts.delete_issue(folder, issue.id)
    vocabularies = parts.write_part(parts.next_folder(generation), _articles(issues), issue_dates(issues),
                                    replace=replace_file)  # fmt: skip
    bar.update(sum(len(i.articles) for i in issues))
    checkpoint("commit")
    write_issue_files(generation, issues, [vocabularies.get(i.id, {}) for i in issues], create=False)
    parts.merge(generation, _dates(generation), replace=replace_file)


def _dates(generation: Path) -> dict[str, str]:
    """Each indexed issue's date (ISO), from its record."""
    ids = [p.stem.removeprefix(ISSUE_PREFIX) for p in sidecars(generation, ISSUE_PREFIX)]
    return {issue_id: record["date"] for issue_id in ids if (record := read_record(generation, issue_id))}


def _articles(issues: list[Issue]) -> list[Article]:
    return [a for issue in issues for a in issue.articles]


def _shares(issues: list[Issue], count: int) -> list[list[Issue]]:
    """``issues`` cut into at most ``count`` runs of about as many articles each, in order."""
    total = sum(len(i.articles) for i in issues)
    shares: list[list[Issue]] = [[]]
    done = 0
    for issue in issues:
        if shares[-1] and done >= total * len(shares) / count:
            shares.append([])
        shares[-1].append(issue)
        done += len(issue.articles)
    return shares


def _write_share(folder: Path, share: list[Issue], generation: Path) -> dict[str, list]:
    """Write one share's part and its issues' records; return the share's words."""
    vocabularies = parts.write_part(folder, _articles(share), issue_dates(share), replace=replace_file)
    words: dict[str, list] = {}
    for issue in share:
        write_issue(generation, issue, vocabularies.get(issue.id, {}))
        combine(words, vocabularies.get(issue.id, {}))
    return words


_pending: tuple[Path, list[Path], list[list[Issue]]] | None = None  # what a build's processes read (by fork)


def prepare_build_process() -> None:
    """In a build process: the default signal handlers, and what it inherited kept out of the collector.

    A build started by a server's worker would otherwise keep the worker's handlers, which only mark it for
    exit: the pool's SIGTERM at the end of the build would not end the process, and the build would wait on
    it. The parsed archive lives as long as the process: the collector's full passes over it cost a few
    percent of a build for nothing."""
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(number, signal.SIG_DFL)
    gc.freeze()


def _write_numbered(n: int) -> tuple[int, dict[str, list]]:
    """In a build process: write share ``n``; return its number of articles and its words."""
    assert _pending is not None
    generation, folders, shares = _pending
    init_analysis(full=True)  # forked from a lean process, jieba's own dict cuts faster
    return sum(len(i.articles) for i in shares[n]), _write_share(folders[n], shares[n], generation)
