"""A search followed and taken away: its Atom feed, its CSV, its citation lines, and the public address."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from conftest import app_client, upload, variant_of_seed

from web.exports import EXPORT_COLUMNS

A = "{http://www.w3.org/2005/Atom}"
TOKEN = {"Authorization": "Bearer s3cret-token"}
PUBLIC = "https://kjxx.example.gov.cn/archive"


def feed(client, **params):
    result = client.simulate_get("/search.atom", params=params)
    assert result.status_code == 200 and result.headers["content-type"].startswith("application/atom+xml")
    return ET.fromstring(result.content)


def rows(client, **params):
    result = client.simulate_get("/search.csv", params=params)
    assert result.status_code == 200 and result.headers["content-type"] == "text/csv; charset=utf-8"
    assert result.content.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    table = list(csv.reader(io.StringIO(result.content.decode("utf-8-sig"), newline="")))
    return table[0], table[1:], result


def test_a_search_feed_is_valid_atom_newest_first(client):
    root = feed(client, q="城管通")
    assert root.tag == f"{A}feed"
    # RFC 4287: a feed has exactly one id, title and updated, and an author (here the feed's own).
    for name in ("id", "title", "updated", "author"):
        assert len(root.findall(f"{A}{name}")) == 1, name
    assert "“城管通”" in root.findtext(f"{A}title")
    self_link = root.find(f"{A}link[@rel='self']").get("href")
    assert self_link == "http://falconframework.org/search.atom?q=%E5%9F%8E%E7%AE%A1%E9%80%9A"
    entries = root.findall(f"{A}entry")
    total = client.simulate_get("/api/search", params={"q": "城管通"}).json["total"]
    assert len(entries) == total == 14
    dates = [e.findtext(f"{A}updated") for e in entries]
    assert dates == sorted(dates, reverse=True) and root.findtext(f"{A}updated") == dates[0]
    for entry in entries:
        for name in ("id", "title", "updated", "summary", "author"):
            assert len(entry.findall(f"{A}{name}")) == 1, name
        link = entry.find(f"{A}link[@rel='alternate']").get("href")
        assert link == entry.findtext(f"{A}id") and link.startswith("http://falconframework.org/articles/")
    first = entries[0]
    assert first.findtext(f"{A}title") == "海淀局：城管通终端更新"
    assert first.findtext(f"{A}author/{A}name") == "海淀局"
    assert first.findtext(f"{A}updated") == "2019-02-20T00:00:00+08:00"
    assert "<mark>城管通</mark>" in first.findtext(f"{A}summary")  # html in a summary of type html
    assert first.find(f"{A}category").get("term") == "区局动态"


def test_a_feed_keeps_the_filters_and_says_so(client):
    root = feed(client, q="峰会", district="怀柔")
    assert "怀柔" in root.findtext(f"{A}title")
    titles = [e.findtext(f"{A}title") for e in root.findall(f"{A}entry")]
    assert titles and all(t.startswith("怀柔局") for t in titles)
    empty = feed(client, q="火星基地", exact="1")
    assert not empty.findall(f"{A}entry") and empty.findtext(f"{A}updated")


def test_a_feed_updates_when_an_issue_is_ingested(writable):
    client, _corpus, _index = writable
    before = feed(client, q="执法记录仪")
    etag = client.simulate_get("/search.atom", params={"q": "执法记录仪"}).headers["etag"]
    assert upload(client, {"file": ("2020-05.md", variant_of_seed(2020, 5))}, TOKEN).status_code == 200
    after = client.simulate_get("/search.atom", params={"q": "执法记录仪"}, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag  # a feed reader's conditional GET sees it
    root = ET.fromstring(after.content)
    newest = root.findall(f"{A}entry")[0]
    assert newest.findtext(f"{A}id").startswith("http://falconframework.org/articles/2020-05-a")
    assert root.findtext(f"{A}updated") == "2020-05-10T00:00:00+08:00" > before.findtext(f"{A}updated")
    assert len(root.findall(f"{A}entry")) > len(before.findall(f"{A}entry"))


def test_csv_has_every_result_under_the_stated_columns(client):
    header, body, result = rows(client, q="执法")
    total = client.simulate_get("/api/search", params={"q": "执法"}).json["total"]
    assert header == list(EXPORT_COLUMNS) == ["标题", "单位", "区域", "栏目", "期号", "页码", "日期", "链接"]
    assert len(body) == total == int(result.headers["x-total-count"]) > 20  # more than one page of the site
    assert "attachment" in result.headers["content-disposition"]
    assert "filename*=UTF-8''%E6%A3%80%E7%B4%A2%E7%BB%93%E6%9E%9C" in result.headers["content-disposition"]
    by_link = {r[7]: r for r in body}
    assert by_link["http://falconframework.org/articles/2017-06-a20"] == [
        "石景山局：充分发挥执法记录仪在拆违工作中的作用",
        "石景山局",
        "石景山区",
        "区局动态",
        "2017-06",
        "15",
        "2017-06-10",
        "http://falconframework.org/articles/2017-06-a20",
    ]
    # The same order as the search page's first page.
    page = client.simulate_get("/api/search", params={"q": "执法"}).json["hits"]
    assert [r[0] for r in body[: len(page)]] == [h["title"] for h in page]


def test_csv_stops_at_the_export_limit_and_says_how_many_there_were(client, monkeypatch):
    import web.exports as exports

    monkeypatch.setattr(exports, "EXPORT_LIMIT", 3)
    _header, body, result = rows(client, q="执法")
    assert len(body) == 3 and int(result.headers["x-total-count"]) > 3


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted_as_text(writable):
    client, _corpus, _index = writable
    text = variant_of_seed(2021, 3).decode("utf-8")
    text = text.replace("石景山局：充分发挥执法记录仪在拆违工作中的作用", '=HYPERLINK("http://x")：执法记录仪公式')
    assert upload(client, {"file": ("2021-03.md", text.encode("utf-8"))}, TOKEN).status_code == 200
    _header, body, _ = rows(client, q="执法记录仪公式")
    titles = [r[0] for r in body]
    assert titles and all(not t.startswith("=") for t in titles)
    assert '\'=HYPERLINK("http://x")：执法记录仪公式' in titles


def test_citations_page_lists_a_line_per_result(client):
    result = client.simulate_get("/search/citations", params={"q": "峰会"})
    assert result.status_code == 200 and result.headers["content-type"].startswith("text/html")
    soup = BeautifulSoup(result.text, "lxml")
    lines = [o.get_text() for o in soup.select(".citations .lines output")]
    total = client.simulate_get("/api/search", params={"q": "峰会"}).json["total"]
    assert len(lines) == total > 1
    assert (
        "《北京城管科技信息动态》2017年第6期，第13页：怀柔局：提升科技装备应用效能 保障峰会期间环境秩序，"
        "http://falconframework.org/articles/2017-06-a15"
    ) in lines
    assert f"共 {total} 篇" in soup.select_one(".stats").get_text()
    back = soup.find("a", string="回到检索结果")["href"]
    assert back == "/search?q=%E5%B3%B0%E4%BC%9A"


def test_the_search_page_links_its_feed_csv_and_citations_with_its_filters(client):
    result = client.simulate_get("/search", params={"q": "城管通", "district": "海淀", "page": "1"})
    soup = BeautifulSoup(result.text, "lxml")
    alternate = soup.select_one('head link[rel="alternate"][type="application/atom+xml"]')
    assert alternate["href"] == "/search.atom?q=%E5%9F%8E%E7%AE%A1%E9%80%9A&district=%E6%B5%B7%E6%B7%80"
    hrefs = [a["href"] for a in soup.select(".exports a")]
    assert [h.split("?")[0] for h in hrefs] == ["/search.atom", "/search.csv", "/search/citations"]
    assert all(h.endswith("?q=%E5%9F%8E%E7%AE%A1%E9%80%9A&district=%E6%B5%B7%E6%B7%80") for h in hrefs)


@pytest.mark.parametrize("path", ["/search.atom", "/search.csv", "/search/citations"])
def test_a_bad_parameter_of_an_export_is_a_400_naming_it(client, path):
    result = client.simulate_get(path, params={"from": "2017-13"})
    assert result.status_code == 400 and "from" in result.text


@pytest.fixture
def public(built):
    client, service = app_client(*built, public_url=PUBLIC)
    yield client
    service.close()


def test_the_public_address_is_used_in_every_permalink_and_citation(public):
    link = f"{PUBLIC}/articles/2017-06-a20"
    soup = BeautifulSoup(public.simulate_get("/articles/2017-06-a20").text, "lxml")
    assert soup.select_one("#citation").get_text().endswith(f"，{link}")
    article = public.simulate_get("/api/articles/2017-06-a20").json
    assert article["permalink"] == link and article["citation"].endswith(f"，{link}")
    assert article["citation"] == soup.select_one("#citation").get_text()
    root = ET.fromstring(public.simulate_get("/search.atom", params={"q": "执法记录仪"}).content)
    assert root.find(f"{A}link[@rel='self']").get("href").startswith(f"{PUBLIC}/search.atom?")
    assert link in {e.findtext(f"{A}id") for e in root.findall(f"{A}entry")}
    _header, body, _ = rows(public, q="执法记录仪")
    assert link in {r[7] for r in body}
    page = BeautifulSoup(public.simulate_get("/search/citations", params={"q": "执法记录仪"}).text, "lxml")
    assert any(o.get_text().endswith(f"，{link}") for o in page.select(".lines output"))
    # The address the request came to appears nowhere.
    assert "falconframework.org" not in public.simulate_get("/api/articles/2017-06-a20").text


@pytest.mark.parametrize("value", ["kjxx.example.gov.cn", "ftp://x", "https://", "https://a b"])
def test_a_public_address_that_is_not_one_is_refused_naming_the_setting(value):
    from bulletin.settings import Settings

    with pytest.raises(ValueError, match="BULLETIN_PUBLIC_URL"):
        Settings.from_env({"BULLETIN_PUBLIC_URL": value})
    assert Settings.from_env({"BULLETIN_PUBLIC_URL": "https://x.cn/kj/"}).public_url == "https://x.cn/kj"
