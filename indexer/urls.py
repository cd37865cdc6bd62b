"""The site's addresses, and the citation lines that carry them, built in one place for the API, the pages
and the templates.

Permalinks are the archive's ids (``2017-06-a20``), never index positions, so they survive every rebuild.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode


def article_url(article_id: str) -> str:
    return f"/articles/{article_id}"


def issue_url(issue_id: str) -> str:
    return f"/issues/{issue_id}"


SEARCH = "/search"


def search_url(params: dict[str, str | None], path: str = SEARCH) -> str:
    """``path`` (the search page, or another answer to a search) with the given parameters (blank ones and
    page 1 left out)."""
    query = {k: v for k, v in params.items() if v and not (k == "page" and str(v) == "1")}
    return path + ("?" + urlencode(query) if query else "")


def absolute(base: str, path: str) -> str:
    """``path`` on the public address ``base`` (BULLETIN_PUBLIC_URL, else the address the request came to)."""
    return base.rstrip("/") + path


def citation(issue: dict[str, Any], title: str, page: int | None, permalink: str) -> str:
    """The line staff paste into a report: 《刊名》2017年第6期，第15页：标题，链接."""
    where = f"，第{page}页" if page else ""
    return f"《{issue['title']}》{issue['label']}{where}：{title}，{permalink}"
