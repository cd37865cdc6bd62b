"""A part of a generation: some of its articles, in a folder of their own, as a Whoosh index of their columns,
their postings (pairs, runs and jieba words: ``engine.grams``) and the articles themselves (``articles``).

A part is written in one go by one process (``write_part``: a full build writes one for each share of the
issues, on every core; an ingest one for the issues it brings), through Whoosh's public API. Afterwards it
changes only when Whoosh deletes the articles of an issue replaced or removed since (``delete_issue``); the
newest small parts are written again as one when there are too many (``merge``).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index

from archive import Article

from ..engine import grams
from ..language.analysis import segment
from ..language.vocabulary import tally
from . import articles as article_store
from .schema import COLUMNS, Codec, document, make_schema

PREFIX = "part-"
GRAMS = "grams.bin"
# An ingest that leaves more parts than this writes the newest small ones again as one. A full build writes
# up to 2 × writing.MAX_PROCS.
MAX_PARTS = 8
# Separate files, not one compound file: Whoosh maps them instead of copying them into every reader.
WRITER = {"limitmb": 256, "compound": False}
Writer = Callable[[Path, bytes], None]


def folders(generation: Path) -> list[Path]:
    """The generation's parts, oldest first."""
    return sorted(p for p in generation.glob(f"{PREFIX}*") if p.is_dir())


def next_folder(generation: Path) -> Path:
    """Where the generation's next part goes."""
    existing = folders(generation)
    number = int(existing[-1].name.removeprefix(PREFIX)) + 1 if existing else 1
    return generation / f"{PREFIX}{number:06d}"


def write_part(folder: Path, articles: list[Article], dates: dict[str, str], *, replace: Writer) -> dict[str, dict]:
    """Write ``articles`` (of issues dated ``dates``, ISO) as the part ``folder``, each text cut by jieba once
    (its words' postings and its vocabulary from the same cut); return each issue's words (``tally``)."""
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), make_schema())
    writer = ix.writer(codec=Codec(), **WRITER)
    found: dict[str, list[set[str]]] = {}
    word_keys: tuple[list[np.ndarray], list[np.ndarray]] = ([], [])  # each row's title and body words' keys
    known: dict[str, int] = {}
    try:
        for article in articles:
            title_words, title_vocabulary = segment(article.title)
            body_words, body_vocabulary = segment(article.text)
            writer.add_document(**document(article, dates[article.issue_id]))
            found.setdefault(article.issue_id, []).append(title_vocabulary | body_vocabulary)
            word_keys[0].append(grams.word_keys_of(title_words, known))
            word_keys[1].append(grams.word_keys_of(body_words, known))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    finally:
        ix.close()
    article_store.write(folder, articles, replace=replace)
    titles, bodies = [a.title for a in articles], [a.text for a in articles]
    grams.write_segment(folder / GRAMS, titles, bodies, word_keys, replace=replace)
    return {issue: tally(words) for issue, words in found.items()}


def delete_issue(folder: Path, issue_id: str) -> int:
    """Delete the issue's articles from the part's Whoosh index; how many it had there. (Its rows in the other
    files stay, unread: a part's live articles are those Whoosh has not deleted.)"""
    ix = whoosh_index.open_dir(str(folder))
    writer = ix.writer(codec=Codec())
    try:
        deleted = writer.delete_by_term("issue_id", issue_id)
        if deleted:
            writer.commit(merge=False)  # the part's own segments stay as they are: its docnums are its rows
        else:
            writer.cancel()
        return deleted
    except BaseException:
        writer.cancel()
        raise
    finally:
        ix.close()


def holding(generation: Path, issue_id: str) -> list[Path]:
    """The parts that hold articles of the issue (deleted or not)."""
    return [folder for folder in folders(generation) if issue_id in article_store.Articles.issues_of(folder)]


def issue_articles(generation: Path, issue_id: str) -> list[Article]:
    """The issue's articles as the generation keeps them: in the newest part holding it (an issue replaced by
    an ingest lives in the part written last; the older part's rows are deleted)."""
    held = holding(generation, issue_id)
    if not held:
        return []
    store = article_store.Articles(held[-1])
    try:
        first, last = store.issues[issue_id]
        return [store.article(row) for row in range(first, last)]
    finally:
        store.close()


def merge(generation: Path, dates: dict[str, str], *, replace: Writer) -> None:
    """When the generation has more than ``MAX_PARTS`` parts, write the newest small ones (each under a quarter
    of the largest's live articles: ingests') again as one; all of them past twice as many (a small archive
    grown by ingests alone), never a full build's large ones for one ingest."""
    existing = folders(generation)
    if len(existing) <= MAX_PARTS:
        return
    opened = [Part(folder, 0) for folder in existing]
    try:
        small = newest_small([len(p.live) for p in opened])
        chosen = opened[len(opened) - small :] if small >= 2 else opened if len(opened) > 2 * MAX_PARTS else []
        kept = [part.articles.article(row) for part in chosen for row in part.live.tolist()]
    finally:
        for part in opened:
            part.close()
    if not chosen:
        return
    write_part(next_folder(generation), kept, dates, replace=replace)
    for part in chosen:
        shutil.rmtree(part.folder)


def newest_small(sizes: list[int]) -> int:
    """How many of the newest parts (``sizes``: their live articles, oldest first) each hold under a quarter
    of the largest's."""
    small = 0
    while small < len(sizes) - 1 and sizes[-1 - small] * 4 < max(sizes):
        small += 1
    return small


class Part:
    """One opened part: its columns and live articles (docnums from ``offset``), its postings segment and its
    article store."""

    def __init__(self, folder: Path, offset: int):
        self.folder, self.offset = folder, offset
        self.ix = whoosh_index.open_dir(str(folder))
        with self.ix.searcher() as searcher:
            reader = searcher.reader()
            self.size = reader.doc_count_all()
            self.live = np.fromiter(reader.all_doc_ids(), dtype=np.int32)
            self.columns = {name: list(reader.column_reader(name)) if self.size else [] for name in COLUMNS}
        self.articles = article_store.Articles(folder)
        if self.articles.ids != self.columns["id"]:
            raise ValueError(f"{folder}: 文章库与词索引的顺序不一致")  # a damaged part: the generation says reindex
        remap = np.full(self.size, -1, dtype=np.int32)
        remap[self.live] = self.live + offset
        self.segment = grams.Segment(folder / GRAMS, remap)

    def close(self) -> None:
        self.ix.close()
        self.segment.close()
        self.articles.close()
