"""Filter values as staff type them: 怀柔/怀柔区/怀柔局, 【区局动态】, 2017 / 2017-06 / 2017-06-10."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from archive import normalise_district

from .errors import QueryError

# The forms a date filter accepts; the OpenAPI document publishes this pattern.
DATE_PATTERN = r"^\s*(\d{4})\s*(?:[-./年]\s*(\d{1,2})\s*(?:[-./月]\s*(\d{1,2})\s*日?|月)?)?\s*年?\s*$"
_DATE = re.compile(DATE_PATTERN)


@dataclass(frozen=True)
class Filters:
    district: str | None = None
    section: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def date_from_iso(self) -> str | None:
        return self.date_from.isoformat() if self.date_from else None

    @property
    def date_to_iso(self) -> str | None:
        return self.date_to.isoformat() if self.date_to else None


def parse_filters(district: str | None, section: str | None, date_from: str | None, date_to: str | None) -> Filters:
    start = parse_date(date_from, "from", end=False)
    end = parse_date(date_to, "to", end=True)
    if start and end and start > end:
        raise QueryError("to", f"起始日期 {start.isoformat()} 晚于截止日期 {end.isoformat()}。请调换或修改日期。")
    return Filters(_district(district), _section(section), start, end)


def parse_date(value: str | None, param: str, *, end: bool) -> dt.date | None:
    """A date bound from 2017, 2017-06 or 2017-06-10: the start of the period, or with ``end`` its end."""
    if value is None or not value.strip():
        return None
    match = _DATE.match(value)
    if not match:
        raise QueryError(param, f"日期“{value}”无法识别。请用 2017、2017-06 或 2017-06-10 的形式。")
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if month is None:
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, last if end else 1)
        return dt.date(year, month, day)
    except (ValueError, calendar.IllegalMonthError):
        raise QueryError(param, f"日期“{value}”不存在。请检查年、月、日。") from None


def _district(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    # An unknown value is kept as typed: it matches nothing, which the page explains.
    return normalise_district(value) or value.strip()


def _section(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().strip("【】[]").strip()
    return value or None
