"""The index schema and the conversion of an archive Article into an index document."""

from __future__ import annotations

import json
from typing import Any

from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, Schema
from whoosh.formats import Existence

from archive import Article, Issue

from ..language.analysis import word_analyzer


class Codec(W3Codec):
    """Whoosh's codec without the field-length statistics it gathers for its own scoring (one file lookup a
    posting at commit for fields that keep no lengths): ranking is ours (``ranking``), so nothing reads them.
    Pickled into the index: moving it needs a reindex."""

    length_stats = False

    def __init__(self) -> None:
        # Blocks of 1,024 postings, not 128: a word's docnums are read a block per Python step.
        super().__init__(blocklimit=1024)


class Words(Existence):
    """Which articles hold a word, nothing more (ranking is ours: no frequencies, lengths or positions),
    taken from the list of an article's words as the build gives it, without a token object a word.
    Pickled into the index: moving it needs a reindex."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            return super().word_values(value, analyzer, **kwargs)
        boost = self.field_boost
        return ((word, 1, boost, b"") for word in set(value))


def _words() -> KEYWORD:
    field = KEYWORD(analyzer=word_analyzer())
    field.format = Words()
    return field


def make_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        issue_id=ID(stored=True, sortable=True),
        ordinal=NUMERIC(int, stored=True, sortable=True),
        # Which articles hold a jieba word, nothing more: ranking is ours, so no lengths or positions.
        title=_words(),
        body=_words(),
        unit=ID(stored=True, sortable=True),
        district=ID(stored=True, sortable=True),
        place=ID(stored=True, sortable=True),
        section=ID(stored=True, sortable=True),
        date=ID(stored=True, sortable=True),
        year=ID(stored=True, sortable=True),
        page=NUMERIC(int, stored=True),
        doc=STORED(),
    )


def document(article: Article, issue: Issue, title_words: list[str], body_words: list[str]) -> dict[str, Any]:
    """Index fields for one article; ``doc`` stores what a hit or an article page shows.

    The title and body are given as their jieba words (``analysis.words``; the build segments in a process
    per core): Whoosh indexes a list as the tokens it is, and a text through the fields' analyser."""
    return {
        "id": article.id,
        "issue_id": issue.id,
        "ordinal": article.ordinal,
        "title": title_words,
        "body": body_words,
        "unit": article.unit or "",
        "district": article.district or "",
        "place": article.place or "",
        "section": article.section,
        "date": issue.date.isoformat(),
        "year": str(issue.year),
        "page": article.page or 0,
        "doc": json.dumps(article.to_dict(), ensure_ascii=False),
    }
