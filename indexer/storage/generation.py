"""One generation, opened for searching: its parts read as one (docnums run through the parts in order), with
what every search reads held in memory (each article's folded title and body, the columns as arrays, the
issues' cover data) and bounded caches of the postings and scored words its searches read.

What a generation folder holds is ``records``' and ``parts``'; ``records.read_meta`` is the one check of its
schema version.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from archive import Article

from ..engine import grams, ranking
from ..engine.facets import FACETS, Coded
from ..engine.grams import Postings
from ..engine.matching import Texts
from ..errors import IndexCorruptError
from ..language.folding import fold_all
from ..language.vocabulary import Vocabulary
from . import parts
from .cache import BoundedCache
from .records import ISSUE_PREFIX, VOCABULARY, read_meta, read_record, sidecars

# Posting lists kept per worker (a pair's, run's or word's: a 4-byte docnum and a 2-byte count): at most this
# many docnums in all (9 MB), or 40 a live article in a larger archive, whose common words' lists are as long as
# the archive (a list read anew costs one pread).
POSTINGS_BUDGET = 1_500_000
POSTINGS_PER_ARTICLE = 40
# Scored words kept per worker (matching's cache), as docnum and score, 12 bytes each: at most 9 MB, or 20 a
# live article (a word's matches are read from its postings again, or verified again, when it has fallen out).
MATCH_BUDGET = 750_000
MATCHES_PER_ARTICLE = 20


class Generation:
    """One opened generation: its parts, per-document arrays, texts and issue records."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        try:
            read_meta(path)
            self.parts = _open_parts(path)
            # Only the cover data of each issue stays in memory; contents are read when a page asks.
            self.issues: dict[str, dict[str, Any]] = {}
            for record_path in sidecars(path, ISSUE_PREFIX):
                record = json.loads(record_path.read_text(encoding="utf-8"))
                self.issues[record["id"]] = {k: v for k, v in record.items() if k not in ("toc", "articles")}
        except IndexCorruptError:
            raise
        except Exception as exc:  # any damage to the folder means the same thing to the user
            raise IndexCorruptError(
                f"索引 {path} 无法打开（{exc}）。请运行 bulletin reindex 从语料库重建索引。"
            ) from None
        self.closed = False
        self.starts = [p.offset for p in self.parts]
        self.live_docs = np.concatenate([p.live + p.offset for p in self.parts] or [np.empty(0, np.int32)])
        self.live = self.live_docs.tolist()
        self.cols = {name: _shared([v for p in self.parts for v in p.columns[name]]) for name in parts.COLUMNS}
        self.ids = {self.cols["id"][n]: n for n in self.live}
        # Each facet's column as codes into its values, so filters and counts are array operations.
        self.coded = {name: Coded.of(self.cols[name]) for name in dict.fromkeys(f.source for f in FACETS)}
        self.dates = np.array([_day(d) for d in self.cols["date"]], dtype=np.int32)
        self.texts, self.plain = _fold_texts(self.parts)
        self.grams = grams.Grams([p.segment for p in self.parts])
        articles = sum(len(p.live) for p in self.parts)
        self.cache = BoundedCache(max(POSTINGS_BUDGET, POSTINGS_PER_ARTICLE * articles))
        # A scored word: (docnums, scores), 12 bytes a docnum.
        self.matches = BoundedCache(max(MATCH_BUDGET, MATCHES_PER_ARTICLE * articles))
        self.record = lru_cache(maxsize=64)(self._record)
        self._vocabulary: Vocabulary | None = None
        self._vocabulary_lock = threading.Lock()
        date, ordinal = self.cols["date"], self.cols["ordinal"]
        self.newest_first = sorted(self.live, key=lambda n: (ranking.newest_first(date[n]), ordinal[n]))
        self.rank = np.zeros(len(self.cols["id"]), dtype=np.int64)
        self.rank[self.newest_first] = np.arange(len(self.newest_first))
        self.articles_by_issue: dict[str, list[str]] = {}
        for n in sorted(self.live, key=ordinal.__getitem__):
            self.articles_by_issue.setdefault(self.cols["issue_id"][n], []).append(self.cols["id"][n])

    @property
    def vocabulary(self) -> Vocabulary:
        """The archive's words (read on first use: only queries that need forgiving pay for it)."""
        if self._vocabulary is None:
            with self._vocabulary_lock:
                if self._vocabulary is None:
                    words = json.loads((self.path / VOCABULARY).read_text(encoding="utf-8"))
                    self._vocabulary = Vocabulary.merge([words])
        return self._vocabulary

    def _locate(self, docnum: int) -> tuple[parts.Part, int]:
        part = self.parts[bisect.bisect_right(self.starts, docnum) - 1]
        return part, docnum - part.offset

    def hit_record(self, docnum: int) -> tuple[str, str | None, str | None, str, int | None, str]:
        """What a hit shows of one article: its title, unit, district, section, page and body."""
        part, row = self._locate(docnum)
        title, body = part.articles.shown(row)
        cols = self.cols
        unit, district, page = cols["unit"][docnum] or None, cols["district"][docnum] or None, cols["page"][docnum]
        return title, unit, district, cols["section"][docnum], page or None, body

    def article(self, docnum: int) -> Article:
        """The whole article of ``docnum``."""
        part, row = self._locate(docnum)
        return part.articles.article(row)

    def in_dates(self, docs: np.ndarray, start: str | None, end: str | None) -> np.ndarray:
        """Which of ``docs`` have an issue date between ``start`` and ``end`` (ISO dates, inclusive)."""
        days = self.dates[docs]
        return (days >= _day(start or "0000-01-01")) & (days <= _day(end or "9999-12-31"))

    def word_docs(self, field: str, word: str) -> np.ndarray:
        """The docnums whose jieba words in ``field`` include ``word``, sorted (cached: the same words come
        back all day)."""
        docs = self.cache.get((field, word))
        if docs is None:
            docs = self.grams.word(field, word)
            self.cache.put((field, word), docs)
        return docs

    def pairs(self, field: str, key: int) -> Postings:
        """Sorted docnums whose ``field`` holds the pair key ``key``, with its count in each (``grams``; a
        title's counts are None, see ``_counted``)."""
        found = self.cache.get(("pairs", field, key))
        if found is None:
            found = self.grams.lookup(field, key, _counted(field))
            self.cache.put(("pairs", field, key), found)
        return found

    def runs(self, field: str, text: str) -> Postings:
        """Sorted docnums whose ``field`` holds the run of three or four CJK characters ``text``, with its
        count in each (``grams``; a title's counts are None, see ``_counted``)."""
        found = self.cache.get(("runs", field, text))
        if found is None:
            found = self.grams.run(field, text, _counted(field))
            self.cache.put(("runs", field, text), found)
        return found

    def warm(self) -> None:
        """Read the pairs with the longest postings into the cache, up to half its budget: in a forking master
        (``SearchService.verify``), so that every worker starts with the pairs most searches need."""
        for field, key in self.grams.longest(self.cache.budget // 2):
            self.pairs(field, key)

    def holding_char(self, field: str, char: str) -> Postings:
        """Sorted docnums whose ``field`` contains the CJK character ``char``, with its count in each (a
        title's counts are None, see ``_counted``)."""
        found = self.cache.get(("char", field, char))
        if found is None:
            found = self.grams.prefix(field, char, _counted(field))
            self.cache.put(("char", field, char), found)
        return found

    def _record(self, issue_id: str) -> dict[str, Any] | None:
        return read_record(self.path, issue_id) if issue_id in self.issues else None

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            for part in self.parts:
                part.close()

    def __del__(self) -> None:
        # Dropped once a newer generation is live and no request holds this one.
        with contextlib.suppress(Exception):
            self.close()


def _open_parts(path: Path) -> list[parts.Part]:
    opened: list[parts.Part] = []
    offset = 0
    for folder in parts.folders(path):
        opened.append(parts.Part(folder, offset))
        offset += opened[-1].size
    return opened


def _fold_texts(opened: list[parts.Part]) -> tuple[Texts, np.ndarray]:
    """Every article's folded title and body, by docnum (a deleted article's are empty), and whether its body
    holds no traditional character (``folding.fold_all``)."""
    titles: list[str] = []
    bodies: list[str] = []
    for part in opened:
        part_titles, part_bodies = part.articles.texts()
        deleted = np.setdiff1d(np.arange(part.size), part.live).tolist()
        for row in deleted:
            part_titles[row] = part_bodies[row] = ""
        titles += part_titles
        bodies += part_bodies
    folded_bodies, plain = fold_all(bodies)
    return Texts(fold_all(titles)[0], folded_bodies), plain


def _counted(field: str) -> bool:
    """Whether a field's postings are read with their counts: a title's never are (ranking asks only whether a
    title holds a word; the body's counts are its term frequencies), which halves a title lookup's reads."""
    return field != "title"


def _shared(column: list[Any]) -> list[Any]:
    """A column's values, each distinct value one object (a district is not 20,000 strings)."""
    seen: dict[Any, Any] = {}
    return [seen.setdefault(value, value) for value in column]


def _day(iso: str) -> int:
    """An ISO date as a number that sorts as the date does (2017-06-10 → 20170610)."""
    return int(iso[:10].replace("-", "")) if iso else 0
