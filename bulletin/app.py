"""The app: the one place where the JSON API and the web pages meet.

``create_app`` composes the search interface, the JSON routes (``api``), the pages (``web``), the error
handlers and the caching middleware. ``get_app`` is the WSGI entry point: it reads the settings once,
builds the index if there is none, and refuses to start on a damaged one.
"""

from __future__ import annotations

from urllib.parse import urlencode

import falcon
from falcon import testing

import api
import web
from indexer import Admin, SearchService, Workspace, ensure_index, lean_dictionary, seed_vocabulary, use_vocabulary

from .address import PublicAddress
from .caching import GenerationETag
from .errors import RequestLimits, add_handlers
from .headers import HeadAndSecurity
from .settings import Settings

# The archive's most frequent words a newly forked worker searches before its first request (``App.rehearse``;
# with the other kinds of search made of them, about 140 searches, a third of a second at 20,000 articles).
REHEARSED = 100


class App(falcon.App):
    """The Falcon app, with what a worker does once it is forked and before it takes requests."""

    __slots__ = ("service",)

    def rehearse(self, words: int = REHEARSED) -> int:
        """Answer the searches of ``SearchService.rehearsal`` through the whole app, as its first requests would
        be; how many were answered. A worker forked from the master shares its memory, and its first searches
        write to those pages (so the kernel copies them) and fill its caches, each at a cost: paid here, not by
        its first users. Nothing is logged or kept but what the searches read."""
        answered = []
        for params in self.service.rehearsal(words):
            environ = testing.create_environ("/api/search", query_string=urlencode(params))
            for _ in self(environ, lambda status, headers, exc_info=None: answered.append(status)):
                pass
        return sum(status.startswith("200") for status in answered)


def create_app(service: SearchService, settings: Settings, *, pages: bool = True) -> App:
    """The Falcon app over ``service`` (with ``pages``, the HTML pages as well as the JSON API)."""
    app = App(
        middleware=[HeadAndSecurity(), RequestLimits(), PublicAddress(settings.public_url), GenerationETag(service)]
    )
    app.service = service
    app.req_options.auto_parse_qs_csv = False
    add_handlers(app, pages=pages)
    use_vocabulary(settings.data_dir / "vocabulary")
    admin = Admin(Workspace(settings.corpus_dir, settings.index_dir, settings.data_dir), settings.admin_token)
    access = api.Access(settings.max_upload)
    api.add_routes(app, service, admin, access, others=web.openapi_paths() if pages else None)
    if pages:
        web.add_pages(app, service)
        web.add_admin(app, service, admin, settings.max_upload)
    return app


def prepare(settings: Settings, **build_options) -> SearchService:
    """The search service over a built, verified index (built from the corpus first if there is none), with
    the vocabulary read from the data folder (seeded there on the first run, where staff may edit it), and
    jieba's and pypinyin's dictionaries in their compact forms: the server's processes cut only queries."""
    lean_dictionary()
    use_vocabulary(settings.data_dir / "vocabulary")
    seed_vocabulary()
    service = SearchService(settings.index_dir)
    # Verified and kept in memory here, in what becomes gunicorn's master: every worker starts with it.
    ensure_index(settings.corpus_dir, settings.index_dir, service=service, **build_options)
    return service


def get_app() -> App:
    """WSGI entry point (``gunicorn 'bulletin.app:get_app()'``): settings from the environment."""
    settings = Settings.from_env()
    return create_app(prepare(settings), settings)
