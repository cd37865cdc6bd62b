"""The search request: every parameter a search takes, declared once and checked once.

``SearchRequest.from_params`` reads the parameters as the API, the pages and the CLI receive them (strings,
by their HTTP names) and raises the one ``QueryError`` that names the bad parameter. ``PARAMS`` describes
them for the OpenAPI document and the CLI's options; the facet filters come from ``facets.FACETS``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from ..errors import QueryError
from .facets import FILTER_FACETS
from .query import ParsedQuery, parse

# Long enough for a pasted paragraph (issue 13's passages of 1,000 characters and more).
MAX_QUERY = 2000
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
PER_PAGE = 20
SORTS = {"relevance": "相关度", "date": "时间"}

# The forms a date filter accepts; the OpenAPI document publishes this pattern.
DATE_PATTERN = r"^\s*(\d{4})\s*(?:[-./年]\s*(\d{1,2})\s*(?:[-./月]\s*(\d{1,2})\s*日?|月)?)?\s*年?\s*$"
_DATE = re.compile(DATE_PATTERN)
# The filters by parameter name: the facets' and the date bounds.
FILTER_NAMES = (*(f.name for f in FILTER_FACETS), "from", "to")
_INT = re.compile(r"^\s*[+-]?\d+\s*$")
DATE_HELP = "2017、2017-06 或 2017-06-10（也接受 2017年6月 这样的写法）"


@dataclass(frozen=True)
class Param:
    """One search parameter: its HTTP name, the keyword ``SearchService.search`` takes, what staff call it,
    its kind (how the CLI and the forms take it: ``text``, ``choice``, ``number`` or ``flag``), whether it only
    chooses a page of the results (an export or a feed takes them all), its JSON schema and its help."""

    name: str
    keyword: str
    label: str
    kind: str
    schema: dict[str, Any]
    help: str
    paging: bool = False

    @property
    def filter(self) -> bool:
        """True for a parameter that narrows the results (a facet's filter or a date bound)."""
        return self.name in FILTER_NAMES


_TEXT = {"type": "string"}
_DATE_SCHEMA = {"type": "string", "pattern": f"^\\s*$|{DATE_PATTERN}"}  # empty means no bound, as a form sends it
PARAMS: tuple[Param, ...] = (
    Param("q", "query", "检索词", "text", {**_TEXT, "maxLength": MAX_QUERY},
          '查询：词之间为“且”；"短语"；OR；-排除；+必含；title:'),
    *(Param(f.name, f.name, f.label, "text", _TEXT, f.help) for f in FILTER_FACETS),
    Param("from", "date_from", "起始日期", "text", _DATE_SCHEMA, f"起始日期：{DATE_HELP}"),
    Param("to", "date_to", "截止日期", "text", _DATE_SCHEMA, f"截止日期：{DATE_HELP}"),
    Param("sort", "sort", "排序", "choice", {"enum": [*SORTS, ""], "default": "relevance"},
          "排序：relevance（相关度）或 date（时间）"),
    Param("page", "page", "页码", "number", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
          "页码", paging=True),
    Param("exact", "exact", "完全按输入检索", "flag", {"enum": ["", "0", "1"], "default": ""},
          "完全按输入检索，不扩展、不纠错、不转拼音、不识别筛选词（exact=1）"),
    Param("per_page", "per_page", "每页条数", "number",
          {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": PER_PAGE},
          f"每页条数（最多 {MAX_PER_PAGE}）", paging=True),
)  # fmt: skip
_BY_KEYWORD = {p.keyword: p for p in PARAMS}
# The parameters that make a search what it is, in order: a search page keeps them in its links.
SEARCH_PARAMS: tuple[str, ...] = tuple(p.name for p in PARAMS if not p.paging)


@dataclass(frozen=True)
class Filters:
    """The facet filters (stored values) and the date range of a search."""

    values: tuple[tuple[str, str], ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def get(self, name: str) -> str | None:
        return dict(self.values).get(name)

    @property
    def date_from_iso(self) -> str | None:
        return self.date_from.isoformat() if self.date_from else None

    @property
    def date_to_iso(self) -> str | None:
        return self.date_to.isoformat() if self.date_to else None

    @property
    def dated(self) -> bool:
        return self.date_from is not None or self.date_to is not None


@dataclass(frozen=True)
class SearchRequest:
    """One search, read and checked once (``from_params``): what every caller passes to ``SearchService``."""

    query: str = ""
    filters: Filters = field(default_factory=Filters)
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE
    exact: bool = False  # search the words as typed: no thesaurus, no pinyin reading, no correction
    # The parameters that make the search (SEARCH_PARAMS) as they were given, blanks left out: what a page
    # shows in its boxes and carries in its links.
    given: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @cached_property
    def parsed(self) -> ParsedQuery:
        """The query, parsed (and folded) once for every step that reads it."""
        return parse(self.query)

    @property
    def params(self) -> dict[str, str]:
        """``given`` as a mapping, every search parameter present (blank where not given)."""
        return {name: "" for name in SEARCH_PARAMS} | dict(self.given)

    @classmethod
    def from_params(cls, params: Mapping[str, Any], *, per_page: int = PER_PAGE) -> SearchRequest:
        """The request for ``params`` by HTTP name (q, district, from, …).

        A blank text parameter means "not given", as an HTML form sends it; a number must be a number.
        """
        query = _text(params.get("q"))
        if len(query) > MAX_QUERY:
            raise QueryError("q", f"查询词过长（{len(query)} 字），最多 {MAX_QUERY} 字。请缩短后重试。")
        # A choice is taken as the document lists it: no trimming, whose idea of a space is Python's own.
        sort = _text(params.get("sort")) or "relevance"
        if sort not in SORTS:
            choices = "或".join(f"{k}（{v}）" for k, v in SORTS.items())
            raise QueryError("sort", f"排序方式“{sort}”无效，只能是 {choices}。")
        page = _integer(params.get("page"), "page", 1)
        if not 1 <= page <= MAX_PAGE:
            raise QueryError("page", f"页码必须是 1 到 {MAX_PAGE} 之间的整数。")
        size = _integer(params.get("per_page"), "per_page", per_page)
        if not 1 <= size <= MAX_PER_PAGE:
            raise QueryError("per_page", f"每页条数必须在 1 到 {MAX_PER_PAGE} 之间。")
        start = parse_date(params.get("from"), "from", end=False)
        end = parse_date(params.get("to"), "to", end=True)
        if start and end and start > end:
            raise QueryError("to", f"起始日期 {start.isoformat()} 晚于截止日期 {end.isoformat()}。请调换或修改日期。")
        values = []
        for facet in FILTER_FACETS:
            assert facet.normalise is not None
            value = facet.normalise(_text(params.get(facet.name)))
            if value:
                values.append((facet.name, value))
        exact = _text(params.get("exact"))
        if exact not in ("", "0", "1"):
            raise QueryError("exact", f"“{exact}”无效：1 表示完全按输入检索，留空或 0 表示允许纠错。")
        return cls(query, Filters(tuple(values), start, end), sort, page, size, exact == "1", given(params))

    def whole(self, limit: int) -> SearchRequest:
        """The same search as one page of up to ``limit`` results (an export takes every page at once)."""
        return replace(self, page=1, per_page=limit)

    def newest(self, size: int) -> SearchRequest:
        """The same search, newest first, as a feed reads it."""
        return replace(self, sort="date", page=1, per_page=size)

    @classmethod
    def create(cls, **keywords: Any) -> SearchRequest:
        """The request for Python keywords (query, district, date_from, page, …), checked the same way."""
        unknown = set(keywords) - set(_BY_KEYWORD)
        if unknown:
            raise TypeError(f"unknown search keywords: {sorted(unknown)}")
        return cls.from_params({_BY_KEYWORD[k].name: v for k, v in keywords.items()})


def given(params: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The search parameters of ``params`` as given (stripped, blanks left out): what a page shows in its boxes,
    also when a parameter is refused."""
    return tuple((name, value) for name in SEARCH_PARAMS if (value := _text(params.get(name)).strip()))


def parse_date(value: Any, param: str, *, end: bool) -> dt.date | None:
    """A date bound from 2017, 2017-06 or 2017-06-10: the start of the period, or with ``end`` its end."""
    value = _text(value)
    if not value.strip():
        return None
    match = _DATE.match(value)
    if not match:
        raise QueryError(param, f"日期“{value}”无法识别。请用 2017、2017-06 或 2017-06-10 的形式。")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if month is None:
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, last if end else 1)
        return dt.date(year, month, day)
    except (ValueError, calendar.IllegalMonthError):
        raise QueryError(param, f"日期“{value}”不存在。请检查年、月、日。") from None


def _text(value: Any) -> str:
    if isinstance(value, list):  # a parameter given twice (?q=a&q=b): the last one counts, as a form sends it
        value = value[-1] if value else None
    return "" if value is None else str(value)


def _integer(value: Any, param: str, default: int) -> int:
    if isinstance(value, list):
        value = value[-1] if value else None
    if value is None:
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not _INT.match(str(value)):
        raise QueryError(param, f"“{value}”不是整数。")
    return int(value)
