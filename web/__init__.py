"""Server-rendered HTML pages: search, article permalinks, issues."""

from .pages import add_pages

__all__ = ["add_pages"]
