"""The Whoosh schema of a part: the jieba words of each article's title and body, and the columns that
filters, facets and ordering read. Nothing is stored in Whoosh: an article is kept once, in the part's
article store (``articles``).

Whoosh pickles the schema with the part, so the two classes here are named by their import path in every
part: moving them needs a reindex (``generation.SCHEMA_VERSION``).
"""

from __future__ import annotations

from typing import Any

from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, KEYWORD, NUMERIC, Schema
from whoosh.formats import Existence

from archive import Article, Issue


class Codec(W3Codec):
    """Whoosh's codec without the field-length statistics it gathers for its own scoring (one file lookup a
    posting at commit for fields that keep no lengths): ranking is ours (``engine.ranking``), so nothing reads
    them."""

    length_stats = False

    def __init__(self) -> None:
        super().__init__(blocklimit=1024)


class Words(Existence):
    """Which articles hold a word, nothing more (ranking is ours: no frequencies, lengths or positions),
    taken from the list of an article's words as the build gives it, without a token object a word."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            return super().word_values(value, analyzer, **kwargs)
        boost = self.field_boost
        return ((word, 1, boost, b"") for word in set(value))


def _words() -> KEYWORD:
    field = KEYWORD()  # Whoosh's own analyser; the build gives each article's words as a list
    field.format = Words()
    return field


def make_schema() -> Schema:
    column = {"sortable": True}
    return Schema(
        id=ID(**column),
        issue_id=ID(**column),
        ordinal=NUMERIC(int, **column),
        title=_words(),
        body=_words(),
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


def document(article: Article, date: str, title_words: list[str], body_words: list[str]) -> dict[str, Any]:
    """Index fields for one article of the issue dated ``date`` (ISO); the title and body as their jieba words
    (``analysis.segment``): Whoosh indexes a list as the tokens it is."""
    return {
        "id": article.id,
        "issue_id": article.issue_id,
        "ordinal": article.ordinal,
        "title": title_words,
        "body": body_words,
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
