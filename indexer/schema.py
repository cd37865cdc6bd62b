"""The index schema and the conversion of an archive Article into an index document."""

from __future__ import annotations

import json
from typing import Any

from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

from archive import Article, Issue

from .analysis import gram_analyzer, word_analyzer


def make_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        issue_id=ID(stored=True, sortable=True),
        ordinal=NUMERIC(int, stored=True, sortable=True),
        title=TEXT(analyzer=word_analyzer(), phrase=False),
        body=TEXT(analyzer=word_analyzer(), phrase=False),
        # Bigram postings without positions: contiguity is checked against the text (indexer/matching.py).
        title_g=TEXT(analyzer=gram_analyzer(), phrase=False),
        body_g=TEXT(analyzer=gram_analyzer(), phrase=False),
        unit=ID(stored=True, sortable=True),
        district=ID(stored=True, sortable=True),
        place=ID(stored=True, sortable=True),
        section=ID(stored=True, sortable=True),
        date=ID(stored=True, sortable=True),
        year=ID(stored=True, sortable=True),
        page=NUMERIC(int, stored=True),
        doc=STORED(),
    )


def document(article: Article, issue: Issue) -> dict[str, Any]:
    """Index fields for one article; ``doc`` stores what a hit or an article page shows."""
    body = article.text
    return {
        "id": article.id,
        "issue_id": issue.id,
        "ordinal": article.ordinal,
        "title": article.title,
        "body": body,
        "title_g": article.title,
        "body_g": body,
        "unit": article.unit or "",
        "district": article.district or "",
        "place": article.place or "",
        "section": article.section,
        "date": issue.date.isoformat(),
        "year": str(issue.year),
        "page": article.page or 0,
        "doc": json.dumps(article.to_dict(), ensure_ascii=False),
    }
