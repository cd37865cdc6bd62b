"""The facets: one declaration drives the columns read, the filters, the counting, the API document and the page.

To add a facet (say on ``unit``), add a ``Facet`` to ``FACETS``: the generation reads its column, a search
takes its filter (``unit=…`` on the API and the page, ``--unit`` on the CLI), results count it, the OpenAPI
document lists both, and the search page shows it in the sidebar.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from archive import normalise_area


def _as_typed(value: str) -> str | None:
    return value.strip() or None


def _district(value: str) -> str | None:
    value = value.strip()
    # An unknown value is kept as typed: it matches nothing, which the page explains.
    return (normalise_area(value) or value) if value else None


def _section(value: str) -> str | None:
    return value.strip().strip("【】[]").strip() or None


_ISSUE = re.compile(r"^(\d{4})\s*(?:[-./年]\s*第?|第)\s*(\d{1,2})\s*期?$")


def issue_id(value: str) -> str | None:
    """An issue as its id: 2017-06, 2017-6, 2017年第6期 and 2017第6期 are all 2017-06; None for what is none."""
    match = _ISSUE.match(value.strip())
    return f"{match.group(1)}-{int(match.group(2)):02d}" if match and 1 <= int(match.group(2)) <= 99 else None


def _issue(value: str) -> str | None:
    # An unknown value is kept as typed: it matches nothing, which the page explains.
    return issue_id(value) or value.strip() or None


@dataclass(frozen=True)
class Facet:
    """One dimension results are counted by and, where ``filter`` is set, narrowed by."""

    name: str  # the key in results, and the filter parameter's name
    label: str  # the heading staff read
    help: str  # what the filter parameter takes (API document, CLI help, form placeholder)
    by_count: bool = True  # order values by count (else by value, newest first)
    # A filter on this facet's column: how a typed value becomes a stored one. None: not filtered by itself.
    normalise: Callable[[str], str | None] | None = _as_typed
    # The filter that narrows this facet, so that it is ignored when counting it: its own, unless set.
    owner: str | None = None
    select: Callable[[str], dict[str, str]] | None = None  # the parameters that choose one value
    control: str = "input"  # on the search form: "input" (typed) or "select" (from the counted values)
    column: str | None = None  # the index column it reads, when not named as the facet
    limit: int = 60  # the values a result lists at most (the first in its order); a narrower filter shows the rest

    @property
    def source(self) -> str:
        return self.column or self.name

    @property
    def filtered(self) -> bool:
        return self.normalise is not None

    @property
    def filter_key(self) -> str:
        return self.owner or self.name

    def choose(self, value: str) -> dict[str, str]:
        """The search parameters that narrow results to ``value``."""
        return self.select(value) if self.select else {self.name: value}


FACETS: tuple[Facet, ...] = (
    Facet("district", "区域", "区域，如 怀柔、怀柔区、怀柔局、西站地区、全市", normalise=_district),
    Facet("section", "栏目", "栏目，如 区局动态 或 【区局动态】", normalise=_section, control="select"),
    Facet(
        "year",
        "年份",
        "年份",
        by_count=False,
        normalise=None,
        owner="date",
        select=lambda year: {"from": year, "to": year},
    ),
    Facet(
        "issue",
        "期号",
        "期号，如 2017-06 或 2017年第6期",
        by_count=False,
        normalise=_issue,
        column="issue_id",
        limit=24,  # two years of issues: a year's filter lists that year's
    ),
)
FILTER_FACETS: tuple[Facet, ...] = tuple(f for f in FACETS if f.filtered)
COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(f.source for f in FACETS))


@dataclass(frozen=True)
class Coded:
    """A column as codes (by docnum) into its distinct values, so filters compare numbers and counts are a
    ``bincount``."""

    codes: np.ndarray
    values: tuple[str, ...]

    @classmethod
    def of(cls, column: Sequence[str]) -> Coded:
        values = tuple(sorted(set(column)))
        code = {v: i for i, v in enumerate(values)}
        return cls(np.array([code[v] for v in column], dtype=np.int32), values)

    def code(self, value: str) -> int:
        """The code of ``value``, or -1 when no article has it."""
        i = bisect.bisect_left(self.values, value)
        return i if i < len(self.values) and self.values[i] == value else -1

    def having(self, docs: np.ndarray, value: str) -> np.ndarray:
        """Which of ``docs`` have ``value``."""
        return self.codes[docs] == self.code(value)


def count(
    found: np.ndarray, columns: Mapping[str, Coded], narrowing: Mapping[str, np.ndarray | None]
) -> dict[str, dict[str, int]]:
    """Each facet's value counts over ``found`` (docnums), narrowed by every filter but the facet's own
    (``narrowing``: a filter's name to which of ``found`` it keeps, or None when it is not set)."""
    out: dict[str, dict[str, int]] = {}
    found = found.astype(np.intp, copy=False)  # once, not in each facet's indexing
    given = {key: mask for key, mask in narrowing.items() if mask is not None}
    for facet in FACETS:
        docs = intersect(found, (m for key, m in given.items() if key != facet.filter_key)) if given else found
        column = columns[facet.source]
        tally = np.bincount(column.codes[docs], minlength=len(column.values))
        if (blank := column.code("")) >= 0:
            tally[blank] = 0
        # Codes follow the values' order, so neither order sorts strings: the most first (then by value), or
        # the newest value first.
        present = np.flatnonzero(tally)
        present = present[np.argsort(-tally[present], kind="stable")] if facet.by_count else present[::-1]
        present = present[: facet.limit]
        values, counts = column.values, tally[present].tolist()
        out[facet.name] = dict(zip(map(values.__getitem__, present.tolist()), counts, strict=True))
    return out


def intersect(found: np.ndarray, masks: Iterable[np.ndarray | None]) -> np.ndarray:
    """The docnums of ``found`` every given mask keeps."""
    given = [m for m in masks if m is not None]
    return found[np.logical_and.reduce(given)] if given else found
