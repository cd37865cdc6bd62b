"""Server-rendered HTML pages: search, article permalinks, issues."""

from .pages import add_pages, render_error

__all__ = ["add_pages", "render_error"]
