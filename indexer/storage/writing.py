"""Writing issues into a generation: the Whoosh index, the issues' files and the pair postings.

A full build of ``PARALLEL_FROM`` articles or more runs on every core: each process cuts a share of the
issues with jieba once (words for Whoosh, the vocabulary from the same cut) and writes its own Whoosh
segment, its issues' files and its segment of pair postings; the parent then commits the Whoosh segments
as the index. An ingest writes its few issues in one process. Nothing here switches generations
(``build`` does, after everything is written).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from archive import Issue

from ..errors import BuildError
from ..language.analysis import init as init_analysis
from ..language.analysis import segment
from ..language.vocabulary import combine, tally
from .faults import checkpoint
from .generation import remove_issue_files, write_grams, write_issue, write_issue_files
from .schema import Codec, document, make_schema

# Full builds of at least this many articles use a process per core (fewer are not worth the start-up).
PARALLEL_FROM = 1000
MAX_PROCS = 4
_building = False


def _die_with_parent() -> None:
    """In a writer process forked during a build: die if the build is killed, instead of waiting forever."""
    if not _building:
        return
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the orphan waits, harmlessly
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


os.register_at_fork(after_in_child=_die_with_parent)


@contextlib.contextmanager
def _committed(ix: Any, writer: Any) -> Iterator[Any]:
    """The writer, committed when the block ends, cancelled when it fails; the index closed either way."""
    try:
        yield writer
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    finally:
        ix.close()


def delete_issue(generation: Path, issue_id: str) -> int:
    """Take an issue's articles out of the Whoosh index of ``generation`` and its files out of the folder
    (its pair postings are left out when the generation opens); return how many articles it had."""
    ix = whoosh_index.open_dir(str(generation))
    with _committed(ix, ix.writer(codec=Codec())) as writer:
        articles = writer.delete_by_term("issue_id", issue_id)
    remove_issue_files(generation, issue_id)
    return articles


def write_issues(generation: Path, issues: list[Issue], progress: Any, *, create: bool) -> None:
    """Write ``issues`` into the Whoosh index and sidecar files of ``generation``."""
    global _building
    _building = True
    try:
        _write_index(generation, issues, progress, create=create)
    except OSError as exc:
        raise BuildError(
            f"写入索引失败：{exc.strerror or exc}。语料库和现有索引都未改动；请检查磁盘空间后重试。"
        ) from None
    finally:
        _building = False


def _write_index(generation: Path, issues: list[Issue], progress: Any, *, create: bool) -> None:
    init_analysis()
    total = sum(len(i.articles) for i in issues)
    procs = min(os.cpu_count() or 1, MAX_PROCS) if create and total >= PARALLEL_FROM else 1
    ix = whoosh_index.create_in(str(generation), make_schema()) if create else whoosh_index.open_dir(str(generation))
    writer = ix.writer(**_WRITER)
    with progress(total=total, desc="建立索引", unit="篇") as bar:
        if procs > 1:
            words = _write_shares(generation, ix, writer, _shares(issues, procs * 2), procs, bar)
            write_issue_files(generation, issues, None, create=True, together=words)
            return
        with _committed(ix, writer):
            vocabularies = []
            for n, issue in enumerate(issues):
                if not create:
                    writer.delete_by_term("issue_id", issue.id)
                vocabularies.append(_add_issue(writer, issue))
                bar.update(len(issue.articles))
                if n == len(issues) // 2:
                    checkpoint("segment")
            checkpoint("commit")
    write_issue_files(generation, issues, vocabularies, create=create)
    write_grams(generation, issues)


# Separate files, not one compound file: Whoosh maps them instead of copying them into every reader.
_WRITER = {"limitmb": 256, "compound": False, "codec": Codec()}


def _add_issue(writer: Any, issue: Issue) -> dict[str, list]:
    """Add an issue's articles to ``writer``, each text cut by jieba once; return the issue's vocabulary."""
    found = []
    for article in issue.articles:
        title_words, title_vocabulary = segment(article.title)
        body_words, body_vocabulary = segment(article.text)
        writer.add_document(**document(article, issue, title_words, body_words))
        found.append(title_vocabulary | body_vocabulary)
    return tally(found)


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


_pending: tuple[Path, list[list[Issue]]] | None = None  # what a build's processes read (inherited by fork)


def _write_shares(
    generation: Path, ix: Any, writer: Any, shares: list[list[Issue]], procs: int, bar: Any
) -> dict[str, list]:
    """A full build on every core: each process cuts a share of the issues with jieba and writes them as its
    own Whoosh segment (as Whoosh's multi-process writer does), its issues' files and its pair postings;
    ``writer`` (holding the index's lock) then commits the segments, in order, as the index. Returns the
    archive's words."""
    global _pending
    _pending = (generation, shares)
    segments, words = [], {}
    try:
        with multiprocessing.get_context("fork").Pool(procs, initializer=prepare_build_process) as pool:
            for n, (segment, articles, share_words) in enumerate(pool.imap(_write_share, range(len(shares)))):
                segments.append(segment)
                combine(words, share_words)
                bar.update(articles)
                if n == 0:
                    checkpoint("segment")  # one segment written, the others being written
        checkpoint("commit")  # every segment written, the index's table not yet
        # What MpWriter.commit does with its processes' segments (Whoosh has no public call for it).
        writer._close_segment()
        writer._commit_toc(segments)
        writer._finish()
        return words
    except BaseException:
        writer.cancel()
        raise
    finally:
        _pending = None
        ix.close()


def prepare_build_process() -> None:
    """In a build process: the default signal handlers, and what it inherited kept out of the collector.

    A build started by a server worker (an admin rebuild) would otherwise keep the worker's handlers, which
    only mark it for exit: the pool's SIGTERM at the end of the build would not end the process, and the
    build would wait on it. The parsed archive lives as long as the process: the collector's full passes
    over it cost a few percent of a build for nothing."""
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(number, signal.SIG_DFL)
    gc.freeze()


def _write_share(n: int) -> tuple[Any, int, dict[str, list]]:
    """In a build process: write share ``n`` (see ``_write_shares``); return its Whoosh segment, its number
    of articles and its words."""
    assert _pending is not None
    generation, shares = _pending
    init_analysis(full=True)  # forked from a server (an admin rebuild), jieba's own dict cuts faster
    ix = whoosh_index.open_dir(str(generation))
    writer = SegmentWriter(ix, _lk=False, **_WRITER)
    words: dict[str, list] = {}
    for issue in shares[n]:
        vocabulary = _add_issue(writer, issue)
        write_issue(generation, issue, vocabulary)
        combine(words, vocabulary)
    segment = writer._finalize_segment()
    write_grams(generation, shares[n], number=n + 1)
    return segment, sum(len(i.articles) for i in shares[n]), words
