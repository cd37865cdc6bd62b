"""HTML resources. They call the search interface directly, never the JSON API."""

from __future__ import annotations

import datetime as dt
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import falcon
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from indexer import (
    FACETS,
    FILTER_FACETS,
    SORTS,
    QueryError,
    SearchRequest,
    SearchService,
    article_url,
    issue_url,
    search_url,
)
from indexer.engine.request import MAX_QUERY, PARAMS, SEARCH_PARAMS, given

from .charts import bar_chart
from .exports import add_exports, links

STATIC = Path(__file__).resolve().parent / "static"
FILTER_NAMES = {p.name: p.label for p in PARAMS if p.filter}

env = Environment(loader=PackageLoader("web", "templates"), autoescape=select_autoescape(default=True))
env.globals.update(
    facets=FACETS,
    filter_facets=FILTER_FACETS,
    sorts=SORTS,
    article_url=article_url,
    issue_url=issue_url,
    max_query=MAX_QUERY,
)


def chinese_date(value: str | dt.date | None) -> str:
    if not value:
        return ""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return f"{day.year}年{day.month}月{day.day}日"


def issue_label(issue_id: str) -> str:
    """2017-06 → 2017年第6期."""
    year, _, number = issue_id.partition("-")
    return f"{year}年第{int(number)}期" if number.isdigit() else issue_id


ECHO = 30  # characters of a query a page repeats back (a pasted passage is not echoed whole)


def echoed(query: str) -> str:
    """A query as a page repeats it: a long one cut, with how long it was."""
    return query if len(query) <= ECHO else f"{query[:ECHO]}…（共 {len(query)} 字）"


def example(help_text: str) -> str:
    """A filter box's placeholder: the first example of its help (如 怀柔), short enough for a phone."""
    examples = help_text.split("，", 1)[-1]
    return re.split(r"、| 或 ", examples)[0]


env.filters["echoed"] = echoed
env.filters["example"] = example
env.filters["cndate"] = chinese_date
env.filters["issue_label"] = issue_label


def render(template: str, **context: Any) -> str:
    return env.get_template(template).render(**context)


def render_error(status: str, title: str, description: str) -> str:
    return render("error.html", status=status.split(" ", 1)[0], title=title, description=description)


class Favicon:
    """/favicon.ico, which browsers ask for whatever a page names: the site's icon, not a 404."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = "image/svg+xml"
        resp.cache_control = ["public", "max-age=86400"]
        resp.data = (STATIC / "favicon.svg").read_bytes()


def add_pages(app: falcon.App, service: SearchService) -> None:
    app.add_route("/", HomePage(service))
    app.add_route("/search", SearchPage(service))
    app.add_route(article_url("{article_id}"), ArticlePage(service))
    app.add_route("/issues", IssuesPage(service))
    app.add_route(issue_url("{issue_id}"), IssuePage(service))
    add_exports(app, service, render)
    app.add_static_route("/static", str(STATIC))
    app.add_route("/favicon.ico", Favicon())


def _html(resp: falcon.Response, body: str) -> None:
    resp.content_type = falcon.MEDIA_HTML
    resp.text = body


class HomePage:
    def __init__(self, service: SearchService):
        self.service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        info = self.service.check()
        _html(resp, render("home.html", info=info, issues=self.service.issues()[:6]))


class SearchPage:
    def __init__(self, service: SearchService):
        self.service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        result, error = None, None
        try:
            # per_page is the page's own, not the visitor's to set.
            request = SearchRequest.from_params({**req.params, "per_page": None})
            result = self.service.search(request)
            typed, params = request.params, result.params
        except QueryError as exc:
            resp.status = falcon.HTTP_400
            error = exc.message
            typed = params = {name: "" for name in SEARCH_PARAMS} | dict(given(req.params))
        link = _linker(params)
        if result is not None and result.total and result.page > result.pages:
            raise falcon.HTTPSeeOther(link(page=str(result.pages)))  # past the last page: to the last page
        suggestions = self.service.suggestions(request) if result is not None and result.total == 0 else []
        conditions = result.understood.conditions if result is not None else ()
        _html(
            resp,
            render(
                "search.html",
                params=params,
                typed=typed,
                result=result,
                error=error,
                suggestions=[{"what": s.what, "total": s.total, "url": link(**_drop(s.changes))} for s in suggestions],
                link=link,
                active_filters=[(k, FILTER_NAMES[k], params[k]) for k in FILTER_NAMES if params[k]],
                removals=[link(**{k + "_": None for k in c.params()}) for c in conditions],
                charts=self._charts(result),
                choices=self._choices(),
                exports=links(params),
            ),
        )

    @staticmethod
    def _charts(result: Any) -> list[Markup]:
        if result is None or result.total == 0:
            return []
        by_year = dict(sorted(result.facets["year"].items()))
        return [bar_chart("按年份", by_year), bar_chart("按区域", result.facets["district"])]

    def _choices(self) -> dict[str, list[str]]:
        """The values a facet's select control offers: every value the archive has."""
        return {f.name: self.service.values(f.name) for f in FILTER_FACETS if f.control == "select"}


class ArticlePage:
    def __init__(self, service: SearchService):
        self.service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response, article_id: str) -> None:
        record = self.service.article(article_id)
        if record is None:
            raise falcon.HTTPNotFound(title="找不到这篇文章", description=f"没有编号为“{article_id}”的文章。")
        query = (req.get_param("q") or "").strip()
        article, issue = record.article, record.issue
        suffix = "?" + urlencode({"q": query}) if query else ""
        _html(
            resp,
            render(
                "article.html",
                article=article,
                issue=issue,
                paragraphs=[
                    {"kind": p["kind"], "html": Markup(p["html"])}
                    for p in self.service.highlighted_paragraphs(record, query)
                ],
                previous=self.service.article(record.previous, related=False) if record.previous else None,
                following=self.service.article(record.next, related=False) if record.next else None,
                related=record.related,
                query=query,
                suffix=suffix,
                citation=record.citation(req.context.base),
                permalink=record.permalink(req.context.base),
            ),
        )


class IssuesPage:
    def __init__(self, service: SearchService):
        self.service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        by_year: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()
        for issue in self.service.issues():
            by_year.setdefault(issue["year"], []).append(issue)
        _html(resp, render("issues.html", by_year=by_year))


class IssuePage:
    def __init__(self, service: SearchService):
        self.service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response, issue_id: str) -> None:
        issue = self.service.issue(issue_id)
        if issue is None:
            raise falcon.HTTPNotFound(title="找不到这一期", description=f"没有编号为“{issue_id}”的一期。")
        section_pages = {e["title"]: e["page"] for e in issue["toc"] if e["is_section"]}
        sections: OrderedDict[str, list[dict[str, Any]]] = OrderedDict((s, []) for s in issue["sections"])
        for article in issue["articles"]:
            sections.setdefault(article["section"], []).append(article)
        _html(resp, render("issue.html", issue=issue, sections=sections, section_pages=section_pages))


def _drop(changes: dict[str, str]) -> dict[str, str | None]:
    """A suggestion's changes as ``_linker``'s keywords (a blank value drops the parameter)."""
    return {name + "_": value or None for name, value in changes.items()}


def _linker(params: dict[str, str]):
    """A function that builds a /search URL from the current parameters with some changed."""

    def link(**changes: str | None) -> str:
        merged = {**params, **{k.rstrip("_"): v for k, v in changes.items()}}
        return search_url({k: v for k, v in merged.items() if k in (*SEARCH_PARAMS, "page")})

    return link
