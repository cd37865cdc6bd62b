"""The site's addresses, built in one place for the API, the pages and the templates.

Permalinks are the archive's ids (``2017-06-a20``), never index positions, so they survive every rebuild.
"""

from __future__ import annotations

from urllib.parse import urlencode


def article_url(article_id: str) -> str:
    return f"/articles/{article_id}"


def issue_url(issue_id: str) -> str:
    return f"/issues/{issue_id}"


def search_url(params: dict[str, str | None]) -> str:
    """/search with the given parameters (blank ones and page 1 left out)."""
    query = {k: v for k, v in params.items() if v and not (k == "page" and str(v) == "1")}
    return "/search" + ("?" + urlencode(query) if query else "")
