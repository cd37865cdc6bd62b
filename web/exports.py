"""A search taken away: followed as an Atom feed, exported as CSV, listed as citation lines.

Each takes the search page's parameters and answers the same search, so every link on the search page keeps
its query and filters. Addresses in them are absolute, on the site's public address (``req.context.base``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from urllib.parse import quote

import falcon

from indexer import PARAMS, Hit, SearchRequest, SearchResult, SearchService
from indexer.urls import SEARCH, absolute, citation, search_url

FEED = "/search.atom"  # the search as an Atom feed, newest first
CSV = "/search.csv"  # the search's results as a spreadsheet
CITATIONS = "/search/citations"  # the citation line of each result
FEED_SIZE = 50  # entries in a search's Atom feed, newest first
EXPORT_LIMIT = 1000  # results in one CSV or citations list (every page of a search, up to this)
# A hit as one row of a spreadsheet, in this order.
EXPORT_COLUMNS = ("标题", "单位", "区域", "栏目", "期号", "页码", "日期", "链接")
ATOM = "http://www.w3.org/2005/Atom"
PUBLISHER = "北京市城管执法局科技信息中心"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a cell starting so is a formula to a spreadsheet


class Export:
    """What the three share: the search page's parameters, the one search, and the citation of a hit."""

    def __init__(self, service: SearchService):
        self.service = service

    @staticmethod
    def request(req: falcon.Request) -> SearchRequest:
        """The search, as the search page reads it (every page of it: an export takes them all)."""
        return SearchRequest.from_params({**req.params, "page": None, "per_page": None})

    def cite(self, base: str, hit: Hit, issues: dict[str, dict]) -> str:
        if hit.issue not in issues:
            issues[hit.issue] = self.service.issue(hit.issue) or {"title": "北京城管科技信息动态", "label": hit.issue}
        return citation(issues[hit.issue], hit.title, hit.page, hit.permalink(base))


class Feed(Export):
    """/search.atom: the newest results of a search, so that a feed reader tells staff of a new issue."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        request = self.request(req)
        params = request.params
        result = self.service.search(request.newest(FEED_SIZE))
        resp.content_type = "application/atom+xml; charset=utf-8"
        resp.data = self.render(req.context.base, params, result)

    def render(self, base: str, params: dict[str, str], result: SearchResult) -> bytes:
        feed = ET.Element("feed", xmlns=ATOM)
        ET.SubElement(feed, "title").text = f"《北京城管科技信息动态》检索：{describe(params)}"
        ET.SubElement(feed, "subtitle").text = f"共 {result.total} 篇，按时间从新到旧，列出最新 {len(result.hits)} 篇"
        page = absolute(base, search_url(params, SEARCH))
        ET.SubElement(feed, "id").text = page
        feed_url = absolute(base, search_url(params, FEED))
        ET.SubElement(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
        ET.SubElement(feed, "link", rel="alternate", type="text/html", href=page)
        newest = result.hits[0].date if result.hits else self._newest_issue()
        ET.SubElement(feed, "updated").text = _timestamp(newest)
        ET.SubElement(ET.SubElement(feed, "author"), "name").text = PUBLISHER
        issues: dict[str, dict] = {}
        for hit in result.hits:
            link = hit.permalink(base)
            entry = ET.SubElement(feed, "entry")
            ET.SubElement(entry, "title").text = hit.title
            ET.SubElement(entry, "id").text = link
            ET.SubElement(entry, "link", rel="alternate", type="text/html", href=link)
            ET.SubElement(entry, "published").text = _timestamp(hit.date)
            ET.SubElement(entry, "updated").text = _timestamp(hit.date)
            ET.SubElement(ET.SubElement(entry, "author"), "name").text = hit.unit or PUBLISHER
            ET.SubElement(entry, "category", term=hit.section, label=f"【{hit.section}】")
            ET.SubElement(entry, "summary", type="html").text = hit.snippet  # the query's words marked
            ET.SubElement(entry, "content", type="text").text = self.cite(base, hit, issues)
        return ET.tostring(feed, encoding="utf-8", xml_declaration=True)

    def _newest_issue(self) -> str:
        issues = self.service.issues()
        return issues[0]["date"] if issues else dt.date.today().isoformat()


class Spreadsheet(Export):
    """/search.csv: every result up to EXPORT_LIMIT, in UTF-8 with a BOM so that Excel reads the Chinese."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        result = self.service.search(self.request(req).whole(EXPORT_LIMIT))
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows([_cell(v) for v in row(hit, req.context.base)] for hit in result.hits)
        resp.content_type = "text/csv; charset=utf-8"
        name = quote(f"检索结果-{dt.date.today().isoformat()}.csv")
        resp.set_header("Content-Disposition", f"attachment; filename=\"search.csv\"; filename*=UTF-8''{name}")
        resp.set_header("X-Total-Count", str(result.total))
        resp.data = out.getvalue().encode("utf-8")


class Citations(Export):
    """/search/citations: the citation line of every result up to EXPORT_LIMIT, ready to paste."""

    def __init__(self, service: SearchService, render: Callable[..., str]):
        super().__init__(service)
        self.render = render

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        request = self.request(req)
        params = request.params
        result = self.service.search(request.whole(EXPORT_LIMIT))
        issues: dict[str, dict] = {}
        resp.content_type = falcon.MEDIA_HTML
        resp.text = self.render(
            "citations.html",
            described=describe(params),
            lines=[self.cite(req.context.base, hit, issues) for hit in result.hits],
            total=result.total,
            limit=EXPORT_LIMIT,
            exports=links(params),
        )


def describe(params: dict[str, str]) -> str:
    """The search in words: “城管通”，district 怀柔，2017-01 至 最新."""
    parts = [f"“{params['q']}”" if params.get("q") else "全部文章"]
    parts += [value for name, value in params.items() if value and name not in ("q", "sort", "exact", "from", "to")]
    if params.get("from") or params.get("to"):
        parts.append(f"{params.get('from') or '最早'} 至 {params.get('to') or '最新'}")
    return "，".join(parts)


def links(params: dict[str, str]) -> dict[str, str]:
    """The search page and its feed, CSV and citations, for the same parameters (without the page)."""
    params = {k: v for k, v in params.items() if k != "page"}
    paths = {"search": SEARCH, "feed": FEED, "csv": CSV, "citations": CITATIONS}
    return {name: search_url(params, path) for name, path in paths.items()}


def row(hit: Hit, base: str) -> tuple[str, ...]:
    """The hit under EXPORT_COLUMNS."""
    page = str(hit.page) if hit.page else ""
    values = (hit.title, hit.unit, hit.district, hit.section, hit.issue, page, hit.date, hit.permalink(base))
    return tuple(v or "" for v in values)


def openapi_paths() -> dict:
    """The routes of a search taken away, as the OpenAPI document describes them (the app adds them to it):
    the search page's parameters but the paging ones, since an export takes every page."""
    params = [{"name": p.name, "in": "query", "required": False, "schema": p.schema, "description": p.help}
              for p in PARAMS if not p.paging]  # fmt: skip
    errors = {
        code: {"description": what, "content": {"text/html": {"schema": {"type": "string"}}}}
        for code, what in (("400", "参数无效（中文错误页，指出哪个参数）"), ("503", "索引不可用"))
    }
    atom = {"description": "Atom 订阅", "content": {"application/atom+xml": {"schema": {"type": "string"}}}}
    csv_answer = {
        "description": "列：" + "，".join(EXPORT_COLUMNS) + "；X-Total-Count 为结果总数",
        "headers": {"X-Total-Count": {"schema": {"type": "integer", "minimum": 0}}},
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
    feed = f"检索结果的 Atom 订阅（按时间从新到旧，最新 {FEED_SIZE} 篇）"
    spreadsheet = f"检索结果导出为 CSV（UTF-8 带 BOM；全部结果，至多 {EXPORT_LIMIT} 篇）"
    return {
        FEED: {"get": {"operationId": "searchFeed", "summary": feed, "parameters": params,
                       "responses": {"200": atom, **errors}}},
        CSV: {"get": {"operationId": "searchCsv", "summary": spreadsheet, "parameters": params,
                      "responses": {"200": csv_answer, **errors}}},
    }  # fmt: skip


def _timestamp(date: str) -> str:
    return f"{date}T00:00:00+08:00"  # an issue is dated by the day, in Beijing


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA) else text


def add_exports(app: falcon.App, service: SearchService, render: Callable[..., str]) -> None:
    app.add_route(FEED, Feed(service))
    app.add_route(CSV, Spreadsheet(service))
    app.add_route(CITATIONS, Citations(service, render))
