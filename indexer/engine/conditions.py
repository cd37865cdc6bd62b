"""Filters typed into the query box: an area, a section, an issue or a date among the words.

Staff type 怀柔区 峰会, 2017年6月 共享单车 or 区局动态 视频监控 before they think of the filter boxes. A word
that names a filter value as a whole is applied as that filter, exactly as if it had been chosen in its box:
an area (``archive.units.area_named``: 怀柔, 怀柔区, 怀柔局, 西站分局, 全市), a section of the archive (with or
without 【】), an issue (2017年第6期), or a date or span (2017年, 2017年6月, 2017-06-10, 2017年6月至2018年3月).

A word is read so when the query keeps other words (or when every word is such a filter: 刊首语 2017年), the
request does not already set that filter, and it stands alone in its group (not quoted, negated, in an OR
group or limited to titles). ``search`` reads a lone filter word as text first, and a filter that leaves
nothing as text again, and says so.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace

from archive.units import area_named

from ..errors import QueryError
from .facets import issue_id
from .query import ParsedQuery
from .request import Filters, parse_date

LABELS = {"district": "区域", "section": "栏目", "issue": "期号", "date": "日期"}
_SPAN = re.compile(r"^(.+?)\s*(?:至|到|~|～|—|－)\s*(.+)$")
_YEAR_SPAN = re.compile(r"^(\d{4})\s*-\s*(\d{4})$")
_DATE_LIKE = re.compile(r"^\d{4}(?:\s*(?:年|[-./])|$)")
_ISSUE_LIKE = re.compile(r"期$")
_FIRST_YEAR, _LAST_YEAR = 1949, 2100


@dataclass(frozen=True)
class Condition:
    """A filter read from a word of the query."""

    name: str  # district, section, issue or date
    value: str  # as applied: 怀柔区, 区局动态, 2017-06; a date as its bounds, 2017-06-01/2017-06-30
    typed: str  # the word as typed

    @property
    def label(self) -> str:
        return LABELS[self.name]

    @property
    def shown(self) -> str:
        """The value as a person reads it: a date as typed, an issue as 2017年第6期."""
        if self.name == "issue":
            year, _, number = self.value.partition("-")
            return f"{year}年第{int(number)}期"
        return self.typed if self.name == "date" else self.value

    def params(self) -> dict[str, str]:
        """The search parameters that choose this filter in the filter boxes."""
        if self.name == "date":
            start, _, end = self.value.partition("/")
            return {"from": start, "to": end}
        return {self.name: self.value}

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "label": self.label, "value": self.value, "shown": self.shown, "typed": self.typed}


def recognise(
    parsed: ParsedQuery, filters: Filters, sections: Collection[str], *, lone: bool = False
) -> tuple[ParsedQuery, Filters, tuple[Condition, ...]]:
    """The query without the words that name filters, the filters with them, and what was read; with
    ``lone``, a query of one such word is read as its filter too."""
    singles = [g[0] for g in parsed.groups if len(g) == 1 and not (g[0].phrase or g[0].title_only)]
    found: dict[int, Condition] = {}  # by the term's place among the groups
    taken = {name for name, _ in filters.values} | ({"date"} if filters.dated else set())
    for place, group in enumerate(parsed.groups):
        if len(group) != 1 or group[0] not in singles:
            continue
        condition = read(group[0].text, sections)
        if condition is not None and condition.name not in taken:
            found[place] = condition
            taken.add(condition.name)
    others = len(parsed.groups) - len(found)
    if not found or (others == 0 and len(found) == 1 and not lone):
        return parsed, filters, ()
    rest = ParsedQuery(tuple(g for i, g in enumerate(parsed.groups) if i not in found), parsed.excluded)
    return rest, apply(filters, found.values()), tuple(found.values())


def apply(filters: Filters, conditions: Collection[Condition]) -> Filters:
    """``filters`` with ``conditions`` set."""
    values = list(filters.values)
    date_from, date_to = filters.date_from, filters.date_to
    for condition in conditions:
        if condition.name == "date":
            start, _, end = condition.value.partition("/")
            date_from, date_to = parse_date(start, "q", end=False), parse_date(end, "q", end=True)
        else:
            values.append((condition.name, condition.value))
    return replace(filters, values=tuple(values), date_from=date_from, date_to=date_to)


def read(word: str, sections: Collection[str]) -> Condition | None:
    """The filter ``word`` names as a whole, or None."""
    word = word.strip()
    if (area := area_named(word)) is not None:
        return Condition("district", area, word)
    bare = word.strip("【】[]").strip()
    if bare in sections:
        return Condition("section", bare, word)
    if _ISSUE_LIKE.search(word) and (issue := issue_id(word)) is not None:
        return Condition("issue", issue, word)
    return _date(word)


def _date(word: str) -> Condition | None:
    """A date or span as its bounds (``start/end``, each as its period is typed), or None."""
    span = _YEAR_SPAN.match(word) or _SPAN.match(word)
    start, end = (span.group(1), span.group(2)) if span else (word, word)
    if not (_DATE_LIKE.match(start) and _DATE_LIKE.match(end)):
        return None
    try:
        first, last = parse_date(start, "q", end=False), parse_date(end, "q", end=True)
    except QueryError:
        return None
    if first is None or last is None or first > last or not _FIRST_YEAR <= first.year <= last.year <= _LAST_YEAR:
        return None
    return Condition("date", f"{start.strip()}/{end.strip()}", word)
