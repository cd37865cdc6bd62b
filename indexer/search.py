"""The search interface: the only code that opens the index.

``Archive`` follows the live generation: each call checks the CURRENT pointer
(one small read) and, when a reindex or ingest has switched it, opens the new
generation, so running servers pick up new issues without a restart.
Whoosh holds the postings, the columns and the stored articles; which
articles match a query and how well is decided in ``matching``; filters,
facets and date order work on per-generation arrays read once from the columns.
"""

from __future__ import annotations

import bisect
import contextlib
import heapq
import json
import threading
import time
from array import array
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from archive import Article, Paragraph

from . import query as q
from .analysis import init as init_analysis
from .errors import IndexCorruptError, IndexerError, QueryError
from .filters import Filters, parse_filters
from .highlight import highlight_all, snippet
from .matching import Texts, evaluate
from .schema import SCHEMA_VERSION
from .store import ISSUE_PREFIX, TEXTS_PREFIX, IndexStore, issue_path, sidecars

ARTICLE_URL = "/articles/{id}"
MAX_QUERY = 200
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
# Posting lists kept per worker, as 4-byte docnums: at most this many in all (16 MB).
POSTINGS_BUDGET = 4_000_000
SORTS = ("relevance", "date")


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    unit: str | None
    district: str | None
    section: str
    date: str
    issue: str
    page: int | None
    snippet: str

    @property
    def url(self) -> str:
        return ARTICLE_URL.format(id=self.id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "unit": self.unit,
            "district": self.district,
            "section": self.section,
            "date": self.date,
            "issue": self.issue,
            "page": self.page,
            "snippet": self.snippet,
        }


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    filters: Filters
    sort: str = "relevance"
    relaxed: bool = False
    terms: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "took_ms": self.took_ms,
            "hits": [h.to_dict() for h in self.hits],
            "facets": self.facets,
        }


@dataclass(frozen=True)
class ArticleRecord:
    """An article with what its page shows around it."""

    article: Article
    issue: dict[str, Any]
    previous: str | None
    next: str | None

    def to_dict(self) -> dict[str, Any]:
        data = self.article.to_dict()
        data.update(
            url=ARTICLE_URL.format(id=self.article.id),
            issue={k: self.issue[k] for k in ("id", "label", "date", "title", "year", "number")},
            date=self.issue["date"],
            previous=self.previous,
            next=self.next,
        )
        return data


class _Generation:
    """One opened generation: its index, per-document arrays and issue records."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        try:
            self.ix = whoosh_index.open_dir(str(path))
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            # Only the cover data of each issue stays in memory; contents are read when a page asks.
            self.issues: dict[str, dict[str, Any]] = {}
            for record_path in sidecars(path, ISSUE_PREFIX):
                record = json.loads(record_path.read_text(encoding="utf-8"))
                self.issues[record["id"]] = {k: v for k, v in record.items() if k not in ("toc", "articles")}
        except Exception as exc:  # any damage to the folder means the same thing to the user
            raise IndexCorruptError(
                f"索引 {path} 无法打开（{exc}）。请运行 bulletin reindex 从语料库重建索引。"
            ) from None
        if meta.get("schema") != SCHEMA_VERSION:
            raise IndexCorruptError(f"索引 {path} 的格式版本不符。请运行 bulletin reindex 重建索引。")
        self.local = threading.local()
        self.lock = threading.Lock()
        self.opened: list[Searcher] = []
        self.closed = False
        with self.ix.searcher() as searcher:
            reader = searcher.reader()
            size = reader.doc_count_all()
            self.live = [n for n in range(size) if not reader.is_deleted(n)]
            self.cols = {
                name: list(reader.column_reader(name)) if size else []
                for name in ("id", "issue_id", "district", "section", "year", "date", "ordinal")
            }
        self.ids = {self.cols["id"][n]: n for n in self.live}
        self.everything = frozenset(self.live)
        self.by_value = {name: _group(self.live, self.cols[name]) for name in ("district", "section", "year")}
        self.by_date = sorted((self.cols["date"][n], n) for n in self.live)
        self.texts = _load_texts(path, self.ids, size)
        self.cache = PostingsCache(POSTINGS_BUDGET)
        self.record = lru_cache(maxsize=64)(self._record)
        date, ordinal = self.cols["date"], self.cols["ordinal"]
        self.newest_first = sorted(self.live, key=lambda n: (_desc(date[n]), ordinal[n]))
        self.rank = {n: i for i, n in enumerate(self.newest_first)}
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

    def dated(self, start: str | None, end: str | None) -> set[int]:
        """Docnums whose issue date lies between ``start`` and ``end`` (ISO strings, inclusive)."""
        lo = bisect.bisect_left(self.by_date, (start or "",))
        hi = bisect.bisect_right(self.by_date, (end or "9999", float("inf")))
        return {n for _, n in self.by_date[lo:hi]}

    def postings(self, field: str, term: str) -> set[int]:
        """The docnums whose ``field`` has ``term`` (cached: the same words come back all day)."""
        ids = self.cache.get((field, term))
        if ids is None:
            try:
                ids = array("I", self.searcher().reader().postings(field, term).all_ids())
            except TermNotFound:
                ids = array("I")
            self.cache.put((field, term), ids)
        return set(ids)

    def prefixed(self, field: str, prefix: str) -> set[int]:
        out: set[int] = set()
        for term in self.searcher().reader().expand_prefix(field, prefix):
            out |= self.postings(field, term.decode("utf-8") if isinstance(term, bytes) else term)
        return out

    def _record(self, issue_id: str) -> dict[str, Any] | None:
        path = issue_path(self.path, issue_id)
        return json.loads(path.read_text(encoding="utf-8")) if issue_id in self.issues and path.exists() else None

    def close(self) -> None:
        with self.lock:
            searchers, self.opened = self.opened, []
            closing, self.closed = not self.closed, True
        for searcher in searchers:
            searcher.close()
        if closing:
            self.ix.close()

    def __del__(self) -> None:
        # Dropped once a newer generation is live and no request holds this one.
        with contextlib.suppress(Exception):
            self.close()


class Archive:
    """Search, article and issue lookups over the live index in ``index_dir``."""

    def __init__(self, index_dir: str | Path):
        self.store = IndexStore(index_dir)
        self._generation: _Generation | None = None
        self._lock = threading.Lock()
        init_analysis()

    # -- generations -------------------------------------------------------

    def generation(self) -> _Generation:
        name = self.store.current_name()
        current = self._generation
        if current is not None and current.name == name:
            return current
        with self._lock:
            current = self._generation
            if current is None or current.name != name:
                current = self._generation = _Generation(self.store.current())
        return current

    def check(self) -> dict[str, Any]:
        """Open the live index (raising a clear error if it cannot be) and describe it."""
        gen = self.generation()
        return {
            "generation": gen.name,
            "articles": len(gen.live),
            "issues": len(gen.issues),
            "years": sorted({r["year"] for r in gen.issues.values()}),
        }

    def verify(self) -> dict[str, Any]:
        """Open the live index to prove it works, then close it (so a forking master holds nothing open)."""
        try:
            info = self.check()
            gen = self.generation()
            if gen.live:
                self.search("城管", per_page=1)
                self.article(gen.cols["id"][gen.live[0]])
            return info
        except IndexerError:
            raise
        except Exception as exc:  # a damaged file shows up as any error while reading
            raise IndexCorruptError(
                f"索引 {self.store.root} 已损坏（{type(exc).__name__}: {exc}）。"
                "请运行 bulletin reindex 从语料库重建索引。"
            ) from None
        finally:
            self.close()

    def close(self) -> None:
        with self._lock:
            generation, self._generation = self._generation, None
        if generation is not None:
            generation.close()

    # -- search ------------------------------------------------------------

    def search(
        self,
        query: str = "",
        district: str | None = None,
        section: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 20,
    ) -> SearchResult:
        started = time.perf_counter()
        query = query or ""
        if len(query) > MAX_QUERY:
            raise QueryError("q", f"查询词过长（{len(query)} 字），最多 {MAX_QUERY} 字。请缩短后重试。")
        if sort not in SORTS:
            raise QueryError("sort", f"排序方式“{sort}”无效，只能是 relevance（相关度）或 date（时间）。")
        if not 1 <= page <= MAX_PAGE:
            raise QueryError("page", f"页码必须是 1 到 {MAX_PAGE} 之间的整数。")
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise QueryError("per_page", f"每页条数必须在 1 到 {MAX_PER_PAGE} 之间。")
        filters = parse_filters(district, section, date_from, date_to)
        gen = self.generation()
        parsed = q.parse(query)
        relaxed = False
        scored = self._match(gen, parsed, relaxed=False)
        if scored is not None and not scored and q.can_relax(parsed):
            relaxed = True
            scored = self._match(gen, parsed, relaxed=True)
        matched, facets = self._filter(gen, gen.everything if scored is None else scored.keys(), filters)
        start = (page - 1) * per_page
        # Only the pages up to this one are ordered; totals and facets need no order.
        if sort == "date" or scored is None:
            ordered = heapq.nsmallest(start + per_page, matched, key=gen.rank.__getitem__)
        else:
            ordered = heapq.nsmallest(start + per_page, matched, key=lambda n: (-scored[n], gen.rank[n]))
        terms = q.highlight_terms(parsed, relaxed=relaxed)
        hits = [self._hit(gen, n, terms) for n in ordered[start:]]
        return SearchResult(
            query=query,
            total=len(matched),
            page=page,
            per_page=per_page,
            took_ms=round((time.perf_counter() - started) * 1000, 1),
            hits=hits,
            facets=facets,
            filters=filters,
            sort=sort,
            relaxed=relaxed,
            terms=terms,
        )

    def _match(self, gen: _Generation, parsed: q.ParsedQuery, *, relaxed: bool) -> dict[int, float] | None:
        """Docnums matching the text query with their scores; None for an empty query (browse)."""
        plan = q.plan(parsed, relaxed=relaxed)
        if plan is None:
            return None
        return evaluate(plan, gen.texts, gen.postings, gen.prefixed, gen.everything)

    def _filter(self, gen: _Generation, docs: Iterable[int], f: Filters) -> tuple[set[int], dict[str, dict[str, int]]]:
        """Apply the filters and count facets, each facet respecting the other filters (set operations)."""
        found = set(docs)
        by_district = gen.by_value["district"].get(f.district, frozenset()) if f.district else None
        by_section = gen.by_value["section"].get(f.section, frozenset()) if f.section else None
        by_date = gen.dated(f.date_from_iso, f.date_to_iso) if f.date_from or f.date_to else None

        def narrowed(*sets: frozenset[int] | set[int] | None) -> set[int]:
            out = found
            for other in sorted((x for x in sets if x is not None), key=len):
                out = out & other
            return out

        def count(field: str, docs: set[int]) -> Counter[str]:
            counts = Counter(map(gen.cols[field].__getitem__, docs))
            counts.pop("", None)
            return counts

        districts = count("district", narrowed(by_section, by_date))
        sections = count("section", narrowed(by_district, by_date))
        years = count("year", narrowed(by_district, by_section))
        facets = {
            "district": dict(sorted(districts.items(), key=lambda kv: (-kv[1], kv[0]))),
            "section": dict(sorted(sections.items(), key=lambda kv: (-kv[1], kv[0]))),
            "year": dict(sorted(years.items(), reverse=True)),
        }
        return narrowed(by_district, by_section, by_date), facets

    def _hit(self, gen: _Generation, docnum: int, terms: list[str]) -> Hit:
        stored = gen.searcher().stored_fields(docnum)
        doc = json.loads(stored["doc"])
        text = "\n".join(p["text"] for p in doc["paragraphs"])
        return Hit(
            id=doc["id"],
            title=doc["title"],
            unit=doc["unit"],
            district=doc["district"],
            section=doc["section"],
            date=stored["date"],
            issue=doc["issue_id"],
            page=doc["page"],
            snippet=snippet(text, terms),
        )

    # -- lookups -----------------------------------------------------------

    def article(self, article_id: str) -> ArticleRecord | None:
        gen = self.generation()
        docnum = gen.ids.get(article_id)
        if docnum is None:
            return None
        doc = json.loads(gen.searcher().stored_fields(docnum)["doc"])
        doc["paragraphs"] = tuple(Paragraph(**p) for p in doc["paragraphs"])
        article = Article(**doc)
        siblings = gen.articles_by_issue.get(article.issue_id, [])
        index = siblings.index(article.id) if article.id in siblings else -1
        previous = siblings[index - 1] if index > 0 else None
        following = siblings[index + 1] if 0 <= index < len(siblings) - 1 else None
        return ArticleRecord(article, gen.issues[article.issue_id], previous, following)

    def highlighted_paragraphs(self, record: ArticleRecord, query: str) -> list[dict[str, str]]:
        """The article's paragraphs as escaped HTML with the query's terms marked."""
        terms = q.highlight_terms(q.parse(query[:MAX_QUERY])) if query else []
        return [{"kind": p.kind, "html": highlight_all(p.text, terms)} for p in record.article.paragraphs]

    def issue(self, issue_id: str) -> dict[str, Any] | None:
        """The issue's cover data with its contents and article list."""
        return self.generation().record(issue_id)

    def issues(self) -> list[dict[str, Any]]:
        """All issues, newest first, without their article lists."""
        records = sorted(self.generation().issues.values(), key=lambda r: r["date"], reverse=True)
        return [{k: v for k, v in r.items() if k not in ("articles", "toc")} for r in records]


def _desc(iso_date: str) -> tuple[int, ...]:
    return tuple(-int(part) for part in iso_date.split("-")) if iso_date else (0,)


def _group(docs: list[int], values: list[str]) -> dict[str, frozenset[int]]:
    groups: dict[str, set[int]] = {}
    for n in docs:
        groups.setdefault(values[n], set()).add(n)
    return {k: frozenset(v) for k, v in groups.items()}


def _load_texts(path: Path, ids: dict[str, int], size: int) -> Texts:
    """The folded texts of the generation, placed by docnum."""
    titles, bodies = [""] * size, [""] * size
    for texts_file in sidecars(path, TEXTS_PREFIX):
        for article_id, (title, body) in json.loads(texts_file.read_text(encoding="utf-8")).items():
            docnum = ids.get(article_id)
            if docnum is not None:
                titles[docnum], bodies[docnum] = title, body
    return Texts(titles, bodies)


class PostingsCache:
    """Least recently used posting arrays, bounded by the total number of docnums held."""

    def __init__(self, budget: int):
        self.budget = budget
        self.size = 0
        self.items: OrderedDict[tuple[str, str], array] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> array | None:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: tuple[str, str], value: array) -> None:
        with self.lock:
            if key in self.items or len(value) > self.budget:
                return
            self.items[key] = value
            self.size += len(value)
            while self.size > self.budget:
                _, evicted = self.items.popitem(last=False)
                self.size -= len(evicted)


def index_ready(index_dir: str | Path) -> bool:
    """True when an index has been built in ``index_dir`` (whether or not it still opens)."""
    return IndexStore(index_dir).current_name() is not None
