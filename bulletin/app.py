"""The app: the one place where the JSON API and the web pages meet.

``create_app`` composes the search interface, the JSON routes (``api``), the pages (``web``), the error
handlers and the caching middleware. ``get_app`` is the WSGI entry point: it reads the settings once,
builds the index if there is none, and refuses to start on a damaged one.
"""

from __future__ import annotations

import falcon

import api
import web
from indexer import Admin, SearchService, Workspace, ensure_index, lean_dictionary, seed_vocabulary, use_vocabulary

from .address import PublicAddress
from .caching import GenerationETag
from .errors import RequestLimits, add_handlers
from .headers import HeadAndSecurity
from .settings import Settings


def create_app(service: SearchService, settings: Settings, *, pages: bool = True) -> falcon.App:
    """The Falcon app over ``service`` (with ``pages``, the HTML pages as well as the JSON API)."""
    app = falcon.App(
        middleware=[HeadAndSecurity(), RequestLimits(), PublicAddress(settings.public_url), GenerationETag(service)]
    )
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


def get_app() -> falcon.App:
    """WSGI entry point (``gunicorn 'bulletin.app:get_app()'``): settings from the environment."""
    settings = Settings.from_env()
    return create_app(prepare(settings), settings)
