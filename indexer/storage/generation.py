"""One generation folder: what it holds, written and read here and nowhere else.

A generation is a complete, immutable-once-live index::

    gen-<ns>-<pid>/
      *.seg, *.toc, …      the Whoosh index: jieba words (postings), the columns filters and
                           facets read, and each article as stored JSON
      grams-<n>.bin, .json a segment of character-pair postings (``grams``): one from a full
                           build, one more from each ingest
      meta.json            schema version, counts, build time
      issue-<id>.json      an issue's cover data and contents
      texts-<id>.json      its articles' folded titles and bodies, which matching checks against
      vocab-<id>.json      its words with document frequency and pinyin (``vocabulary``)
      vocabulary.json      the archive's words: every issue's together, read when a search needs them

Writing: ``write_issue_files`` and ``write_grams`` (the Whoosh part is written by ``build``).
Reading: ``Generation`` opens one for searching, with the per-document arrays,
the texts, the pair postings and a bounded cache of posting lists; ``read_meta``
is the one check of its schema version.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from archive import Issue

from ..engine import grams, ranking
from ..engine.facets import COLUMNS, FACETS, Coded
from ..engine.matching import Texts
from ..errors import IndexCorruptError
from ..language.folding import fold
from ..language.vocabulary import Vocabulary, combine
from .cache import BoundedCache
from .store import replace_file
from .wordpostings import posting_ids

META = "meta.json"
VOCABULARY = "vocabulary.json"
ISSUE_PREFIX = "issue-"
TEXTS_PREFIX = "texts-"
VOCAB_PREFIX = "vocab-"
GRAMS_PREFIX = "grams-"
# An ingest that would leave more pair segments than this writes the ingested ones as one (they are small).
# A full build writes up to 2 × writing.MAX_PROCS.
MAX_SEGMENTS = 8
# Bump when the schema or analysis changes: an index of another version must be rebuilt.
SCHEMA_VERSION = 8
# Posting lists kept per worker (pair postings: a 4-byte docnum and a 2-byte count; a word's: a docnum): at
# most this many docnums in all (12 MB). A pair read anew costs one pread.
POSTINGS_BUDGET = 2_000_000
# Scored words kept per worker (matching's cache), as docnum and score, 12 bytes each: at most 12 MB.
MATCH_BUDGET = 1_000_000
_COLUMNS = tuple(dict.fromkeys(("id", "issue_id", "date", "ordinal", "unit", *COLUMNS)))


def issue_path(generation: Path, issue_id: str) -> Path:
    return generation / f"{ISSUE_PREFIX}{issue_id}.json"


def texts_path(generation: Path, issue_id: str) -> Path:
    return generation / f"{TEXTS_PREFIX}{issue_id}.json"


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
    """Write each issue's record, texts and words (``vocabulary.tally``), the archive's words and the meta
    counting them into ``generation``. With ``vocabularies`` None, a build's processes wrote each issue's
    files (``write_issue``) and ``together`` is their words."""
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
    """Write one issue's record, texts and words."""
    record = json.dumps(issue_record(issue), ensure_ascii=False).encode("utf-8")
    texts = {a.id: [fold(a.title), fold(a.text)] for a in issue.articles}
    replace_file(issue_path(generation, issue.id), record)
    replace_file(texts_path(generation, issue.id), json.dumps(texts, ensure_ascii=False).encode("utf-8"))
    replace_file(vocab_path(generation, issue.id), json.dumps(vocabulary, ensure_ascii=False).encode("utf-8"))


def grams_segments(generation: Path) -> list[Path]:
    """The generation's pair-posting segments, oldest first."""
    return sorted(generation.glob(f"{GRAMS_PREFIX}*.bin"))


def write_grams(generation: Path, issues: list[Issue], *, number: int | None = None) -> None:
    """Write the pair postings of ``issues`` as segment ``number`` (a build's processes write one each), or
    as the generation's next one. When that leaves more than ``MAX_SEGMENTS``, the newest small ones (each
    under a quarter of the largest: ingests) are written again as one; all of them only past twice as many
    (a small archive grown by ingests alone), never a full build's large ones for one ingest."""
    segments = grams_segments(generation)
    if number is None:
        number = int(segments[-1].stem.removeprefix(GRAMS_PREFIX)) + 1 if segments else 1
    articles = [
        grams.Article(a.id, issue.id, a.title, a.text, a.unit, a.district, a.section, a.page)
        for issue in issues
        for a in issue.articles
    ]
    new = generation / f"{GRAMS_PREFIX}{number:06d}.bin"
    grams.write_segment(new, articles, replace=replace_file)
    segments = grams_segments(generation)
    if len(segments) <= MAX_SEGMENTS:
        return
    merging = grams.newest_small(segments)
    if len(merging) < 2:
        if len(segments) <= 2 * MAX_SEGMENTS:
            return
        merging = segments
    live = {p.stem.removeprefix(ISSUE_PREFIX) for p in sidecars(generation, ISSUE_PREFIX)}
    merged = generation / f"{GRAMS_PREFIX}{number + 1:06d}.bin"
    grams.merge_segments(merging, merged, live.__contains__, replace=replace_file)
    for old in merging:
        old.unlink()
        old.with_suffix(".json").unlink()


def remove_issue_files(generation: Path, issue_id: str) -> None:
    """Take the issue's record, texts and words out of ``generation``, its words and its meta."""
    meta = json.loads((generation / META).read_text(encoding="utf-8"))
    words = json.loads((generation / VOCABULARY).read_text(encoding="utf-8"))
    _uncount(meta, words, generation, issue_id)
    for path in (issue_path(generation, issue_id), texts_path(generation, issue_id), vocab_path(generation, issue_id)):
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


class Generation:
    """One opened generation: its index, per-document arrays, texts and issue records."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        try:
            read_meta(path)
            self.ix = whoosh_index.open_dir(str(path))
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
        self.local = threading.local()
        self.lock = threading.Lock()
        self.opened: list[Searcher] = []
        self.closed = False
        with self.ix.searcher() as searcher:
            reader = searcher.reader()
            size = reader.doc_count_all()
            self.live = [n for n in range(size) if not reader.is_deleted(n)]
            self.cols = {name: _shared(reader.column_reader(name)) if size else [] for name in _COLUMNS}
        self.ids = {self.cols["id"][n]: n for n in self.live}
        self.live_docs = np.array(self.live, dtype=np.int32)
        # Each facet's column as codes into its values, so filters and counts are array operations.
        self.coded = {name: Coded.of(self.cols[name]) for name in dict.fromkeys(f.source for f in FACETS)}
        self.dates = np.array([_day(d) for d in self.cols["date"]], dtype=np.int32)
        self.texts = _load_texts(path, self.ids, size)
        self.grams = grams.Grams(grams_segments(path), self.ids.get)
        self.cache = BoundedCache(POSTINGS_BUDGET)
        self.matches = BoundedCache(MATCH_BUDGET)  # a scored word: (docnums, scores), 12 bytes a docnum
        self.record = lru_cache(maxsize=64)(self._record)
        self._vocabulary: Vocabulary | None = None
        self._vocabulary_lock = threading.Lock()  # not self.lock: searchers open while it is read
        date, ordinal = self.cols["date"], self.cols["ordinal"]
        self.newest_first = sorted(self.live, key=lambda n: (ranking.newest_first(date[n]), ordinal[n]))
        self.rank = np.zeros(size, dtype=np.int64)
        self.rank[self.newest_first] = np.arange(len(self.newest_first))
        self.articles_by_issue: dict[str, list[str]] = {}
        for n in sorted(self.live, key=ordinal.__getitem__):
            self.articles_by_issue.setdefault(self.cols["issue_id"][n], []).append(self.cols["id"][n])

    def searcher(self) -> Searcher:
        """This thread's searcher (Whoosh searchers are not shared between threads)."""
        searcher = getattr(self.local, "searcher", None)
        if searcher is None:
            searcher = self.local.searcher = self.ix.searcher()
            with self.lock:
                self.opened.append(searcher)
        return searcher

    @property
    def vocabulary(self) -> Vocabulary:
        """The archive's words (read on first use: only queries that need forgiving pay for it)."""
        if self._vocabulary is None:
            with self._vocabulary_lock:
                if self._vocabulary is None:
                    words = json.loads((self.path / VOCABULARY).read_text(encoding="utf-8"))
                    self._vocabulary = Vocabulary.merge([words])
        return self._vocabulary

    def shown(self, docnum: int) -> list[Any]:
        """What a hit shows of one document: [title, unit, district, section, page, body] (``grams``)."""
        return self.grams.shown(docnum)

    def stored(self, docnum: int) -> dict[str, Any]:
        """The stored fields of one document."""
        return self.searcher().stored_fields(docnum)

    def dated(self, docs: np.ndarray, start: str | None, end: str | None) -> np.ndarray:
        """Which of ``docs`` have an issue date between ``start`` and ``end`` (ISO dates, inclusive)."""
        days = self.dates[docs]
        return (days >= _day(start or "0000-01-01")) & (days <= _day(end or "9999-12-31"))

    def word_docs(self, field: str, word: str) -> np.ndarray:
        """The docnums whose jieba words in ``field`` include ``word``, sorted (cached: the same words come
        back all day)."""
        docs = self.cache.get((field, word))
        if docs is None:
            try:
                docs = np.frombuffer(posting_ids(self.searcher().reader().postings(field, word)), dtype=np.uint32)
            except TermNotFound:
                docs = np.empty(0, np.uint32)
            docs = docs.astype(np.int32)
            self.cache.put((field, word), docs)
        return docs

    def pairs(self, field: str, key: int) -> tuple[np.ndarray, np.ndarray]:
        """Sorted docnums whose ``field`` holds the pair key ``key``, with its count in each (``grams``)."""
        found = self.cache.get(("pairs", field, key))
        if found is None:
            found = self.grams.lookup(field, key)
            self.cache.put(("pairs", field, key), found)
        return found

    def warm(self) -> None:
        """Read the pairs with the longest postings into the cache, up to half its budget: in a forking master
        (``SearchService.verify``), so that every worker starts with the pairs most searches need."""
        for field, key in self.grams.longest(POSTINGS_BUDGET // 2):
            self.pairs(field, key)

    def starting(self, field: str, char: str) -> np.ndarray:
        """Sorted docnums whose ``field`` contains the CJK character ``char``."""
        found = self.cache.get(("char", field, char))
        if found is None:
            found = self.grams.prefix(field, char)
            self.cache.put(("char", field, char), found)
        return found

    def _record(self, issue_id: str) -> dict[str, Any] | None:
        return read_record(self.path, issue_id) if issue_id in self.issues else None

    def close_searchers(self) -> None:
        """Close every Whoosh searcher opened so far, keeping what is in memory (threads open new ones)."""
        with self.lock:
            searchers, self.opened = self.opened, []
            self.local = threading.local()
        for searcher in searchers:
            searcher.close()

    def close(self) -> None:
        with self.lock:
            searchers, self.opened = self.opened, []
            closing, self.closed = not self.closed, True
        for searcher in searchers:
            searcher.close()
        if closing:
            self.ix.close()
            self.grams.close()

    def __del__(self) -> None:
        # Dropped once a newer generation is live and no request holds this one.
        with contextlib.suppress(Exception):
            self.close()


def _shared(column: Any) -> list[Any]:
    """A column's values, each distinct value one object (a district is not 20,000 strings)."""
    seen: dict[Any, Any] = {}
    return [seen.setdefault(value, value) for value in column]


def _day(iso: str) -> int:
    """An ISO date as a number that sorts as the date does (2017-06-10 → 20170610)."""
    return int(iso[:10].replace("-", "")) if iso else 0


def _load_texts(path: Path, ids: dict[str, int], size: int) -> Texts:
    """The folded texts of the generation, placed by docnum."""
    titles, bodies = [""] * size, [""] * size
    for texts_file in sidecars(path, TEXTS_PREFIX):
        for article_id, (title, body) in json.loads(texts_file.read_text(encoding="utf-8")).items():
            docnum = ids.get(article_id)
            if docnum is not None:
                titles[docnum], bodies[docnum] = title, body
    return Texts(titles, bodies)
