"""Server-rendered HTML pages: search, article permalinks, issues."""

from .admin import add_admin
from .exports import openapi_paths
from .pages import add_pages, render_error

__all__ = ["add_admin", "add_pages", "openapi_paths", "render_error"]
