"""What a search or a lookup returns: the project's own types, never Whoosh's."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archive import Article

from ..urls import absolute, article_url, citation
from .request import Filters
from .understanding import Understanding


@dataclass(frozen=True, slots=True)  # slots: a page makes twenty, each made a third faster
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
        return article_url(self.id)

    def permalink(self, base: str) -> str:
        return absolute(base, self.url)

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
    understood: Understanding
    sort: str = "relevance"
    terms: list[str] = field(default_factory=list)
    # What was searched, as search parameters: the given ones, with the filters read from the words set and
    # those words taken out of the query (what a page's boxes and links carry).
    params: dict[str, str] = field(default_factory=dict)

    @property
    def relaxed(self) -> bool:
        """True when no article had the words together and each was matched apart."""
        return self.understood.mode == "relaxed"

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
            "understood": self.understood.to_dict(),
        }


@dataclass(frozen=True)
class ArticleRecord:
    """An article with what its page shows around it."""

    article: Article
    issue: dict[str, Any]
    previous: str | None
    next: str | None
    related: tuple[dict[str, Any], ...] = ()  # id, title, unit, issue, date, url of each related article

    def permalink(self, base: str) -> str:
        """The article's address on ``base`` (the public address, or the one the request came to)."""
        return absolute(base, article_url(self.article.id))

    def citation(self, base: str) -> str:
        return citation(self.issue, self.article.title, self.article.page, self.permalink(base))

    def to_dict(self, base: str | None = None) -> dict[str, Any]:
        """As JSON; given the site's ``base`` address, with the absolute permalink and the citation line."""
        data = self.article.to_dict()
        if base is not None:
            data.update(permalink=self.permalink(base), citation=self.citation(base))
        data.update(
            url=article_url(self.article.id),
            issue={k: self.issue[k] for k in ("id", "label", "date", "title", "year", "number")},
            date=self.issue["date"],
            previous=self.previous,
            next=self.next,
            related=list(self.related),
        )
        return data
