"""The archive's model: an issue of the bulletin and the articles in it."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of an article's body, or a subheading inside it."""

    text: str
    kind: Literal["text", "subheading"] = "text"


@dataclass(frozen=True)
class Article:
    """One article as printed, with where it sits in its issue."""

    id: str
    issue_id: str
    ordinal: int
    section: str
    title: str
    unit: str | None
    district: str | None
    place: str | None
    page: int | None
    paragraphs: tuple[Paragraph, ...]
    source: str | None = None
    editorial: bool = False
    toc_title: str | None = None
    line: int | None = None
    # The printed page the title was found on, where the source has pages (PDF).
    source_page: int | None = None

    @property
    def text(self) -> str:
        """The body as plain text, subheadings included, one paragraph a line."""
        return "\n".join(p.text for p in self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        # Field by field, not asdict(): a build calls this for every article, and asdict deep-copies.
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["paragraphs"] = [{"text": p.text, "kind": p.kind} for p in self.paragraphs]
        return data


@dataclass(frozen=True)
class TocEntry:
    """A line of the table of contents: a section, or an article in it."""

    title: str
    section: str
    page: int | None
    line: int | None
    is_section: bool = False


@dataclass(frozen=True)
class Issue:
    """One issue of the bulletin, e.g. 2017年第6期 with id ``2017-06``."""

    id: str
    year: int
    number: int
    date: dt.date
    title: str
    publisher: str | None
    sections: tuple[str, ...]
    articles: tuple[Article, ...]
    toc: tuple[TocEntry, ...]
    source_name: str
    sha256: str

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.number}期"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "year": self.year,
            "number": self.number,
            "date": self.date.isoformat(),
            "title": self.title,
            "publisher": self.publisher,
            "sections": list(self.sections),
            "source_name": self.source_name,
            "sha256": self.sha256,
            "toc": [asdict(t) for t in self.toc],
            "articles": [a.to_dict() for a in self.articles],
        }


@dataclass(frozen=True)
class ParseWarning:
    """Something a reader repaired or doubted, for a person to check."""

    line: int | None
    message: str
    kind: str = "note"
    # Where it is in the file's own terms (第 3 页第 2 段 in a PDF, 第 40 段 in Word); else the line says it.
    where: str = ""

    @property
    def place(self) -> str:
        return self.where or (f"第 {self.line} 行" if self.line else "")

    def __str__(self) -> str:
        return f"{self.place}：{self.message}" if self.place else self.message


@dataclass(frozen=True)
class ParsedIssue:
    """What a reader returns: the issue plus everything it warned about."""

    issue: Issue
    warnings: tuple[ParseWarning, ...] = field(default_factory=tuple)
    encoding: str = "utf-8"
    form: str = "markdown"


def article_id(issue_id: str, ordinal: int) -> str:
    """Stable id of the article at ``ordinal`` (1-based, document order) in an issue."""
    return f"{issue_id}-a{ordinal:02d}"


def issue_id(year: int, number: int) -> str:
    return f"{year}-{number:02d}"
