"""The Whoosh schema of a part: the columns that filters, facets and ordering read, and the issue an article
belongs to (what a replaced issue's articles are deleted by). Nothing is stored in Whoosh: an article is kept
once, in the part's article store (``articles``), and its words' postings are the part's segment's
(``engine.grams``).

Whoosh pickles the schema with the part, so the class here is named by its import path in every part: moving
it needs a reindex (``generation.SCHEMA_VERSION``).
"""

from __future__ import annotations

from typing import Any

from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, NUMERIC, Schema

from archive import Article, Issue


class Codec(W3Codec):
    """Whoosh's codec without the field-length statistics it gathers for its own scoring (one file lookup a
    posting at commit for fields that keep no lengths): ranking is ours (``engine.ranking``), so nothing reads
    them."""

    length_stats = False

    def __init__(self) -> None:
        super().__init__(blocklimit=1024)


def make_schema() -> Schema:
    column = {"sortable": True}
    return Schema(
        id=ID(**column),
        issue_id=ID(**column),
        ordinal=NUMERIC(int, **column),
        unit=ID(**column),
        district=ID(**column),
        place=ID(**column),
        section=ID(**column),
        date=ID(**column),
        year=ID(**column),
        page=NUMERIC(int, **column),
    )


# The columns a generation reads for each article.
COLUMNS = ("id", "issue_id", "ordinal", "unit", "district", "place", "section", "date", "year", "page")


def document(article: Article, date: str) -> dict[str, Any]:
    """Index fields for one article of the issue dated ``date`` (ISO)."""
    return {
        "id": article.id,
        "issue_id": article.issue_id,
        "ordinal": article.ordinal,
        "unit": article.unit or "",
        "district": article.district or "",
        "place": article.place or "",
        "section": article.section,
        "date": date,
        "year": date[:4],
        "page": article.page or 0,
    }


def issue_dates(issues: list[Issue]) -> dict[str, str]:
    """Each issue's date as ISO, for ``document``."""
    return {issue.id: issue.date.isoformat() for issue in issues}
