"""Every page through falcon.testing: status, key content and escaping (asserted with BeautifulSoup)."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

XSS = "<script>alert(1)</script>"


def page(client, path, params=None, status=200):
    result = client.simulate_get(path, params=params)
    assert result.status_code == status, result.text[:500]
    assert result.headers["content-type"].startswith("text/html")
    soup = BeautifulSoup(result.text, "lxml")
    assert soup.html["lang"] == "zh-CN"
    return soup, result.text


def test_home(client):
    soup, _ = page(client, "/")
    assert soup.find("input", {"name": "q"})
    assert "收录 5 期、45 篇文章（2016—2019 年）" in soup.get_text()
    assert [a["href"] for a in soup.select("ul.issues a")][:2] == ["/issues/2019-02", "/issues/2019-01"]


def test_search_results_facets_chart_and_pagination(client):
    soup, _ = page(client, "/search", {"q": "执法"})
    assert soup.find("input", {"name": "q"})["value"] == "执法"
    assert re.search(r"共 \d+ 篇，第 1/\d+ 页，用时 [\d.]+ 毫秒", soup.select_one(".stats").get_text())
    first = soup.select_one("li.hit")
    assert first.select_one("h3 a")["href"].startswith("/articles/") and "?q=" in first.select_one("h3 a")["href"]
    assert first.select_one(".snippet mark").get_text() == "执法"
    assert re.search(r"\d{4}年第\d+期 第\d+页", first.select_one(".meta").get_text())
    districts = {a.get_text(): a["href"] for a in soup.select(".facets ul")[0].select("a")}
    assert "怀柔区" in districts and "district=" in districts["怀柔区"]
    years = [a["href"] for a in soup.select(".facets ul")[2].select("a")]
    assert any("from=2017" in y and "to=2017" in y for y in years)
    charts = soup.select("svg.chart")
    assert len(charts) == 2 and charts[0].select("rect") and "按年份" in charts[0].get_text()
    assert soup.select_one('.pager a[rel="next"]')["href"].endswith("page=2")
    single, _ = page(client, "/search", {"q": "执法记录仪", "district": "怀柔区"})
    assert single.select_one(".pager") is None  # one page: no pager


def test_facet_link_filters_and_keeps_the_query(client):
    soup, _ = page(client, "/search", {"q": "执法记录仪", "district": "怀柔区"})
    assert {h.select_one(".meta").get_text().split(" · ")[0] for h in soup.select("li.hit")} == {"怀柔局"}
    active = soup.select_one(".facets ul").get_text()
    assert "区域：怀柔区" in active
    remove = soup.select_one(".facets ul a")["href"]
    assert "district" not in remove and "q=" in remove


def test_a_facet_past_its_limit_lists_the_first_values_and_says_so(client, monkeypatch):
    """The page lists at most a facet's limit of values, the most first, and says that it stops there (the
    fixture has a handful of issues, so the district facet's limit is lowered to show it)."""
    import dataclasses

    from indexer.engine import facets
    from web import pages

    lowered = tuple(dataclasses.replace(f, limit=3) if f.name == "district" else f for f in facets.FACETS)
    monkeypatch.setattr(facets, "FACETS", lowered)
    monkeypatch.setitem(pages.env.globals, "facets", lowered)
    soup, _ = page(client, "/search", {"q": "执法"})
    district = next(h for h in soup.select(".facets h2") if h.get_text() == "区域").find_next_sibling("ul")
    listed = [li for li in district.select("li") if li.select_one("a")]
    counts = [int(li.select_one(".n").get_text()) for li in listed]
    assert len(listed) == 3 and counts == sorted(counts, reverse=True)
    assert district.select_one("li.meta").get_text() == "最多列出 3 项"
    api = client.simulate_get("/api/search", params={"q": "执法"}).json
    assert len(api["facets"]["district"]) == 3 and len(api["facets"]["section"]) >= 2


def test_sort_by_date_and_filters_keep_their_values(client):
    soup, _ = page(
        client, "/search", {"q": "城管通", "sort": "date", "from": "2017", "to": "2019-12", "section": "区局动态"}
    )
    assert soup.find("select", {"name": "sort"}).find("option", selected=True)["value"] == "date"
    assert soup.find("input", {"name": "from"})["value"] == "2017"
    assert soup.find("select", {"name": "section"}).find("option", selected=True)["value"] == "区局动态"
    dates = [h.select_one(".meta").get_text().rsplit(" · ", 1)[1] for h in soup.select("li.hit")]
    assert dates == sorted(dates, key=lambda d: [int(x) for x in re.findall(r"\d+", d)], reverse=True)


def test_empty_result_says_which_filter_or_word_to_drop(client):
    soup, _ = page(client, "/search", {"q": "执法记录仪", "district": "延庆", "from": "2019"})
    empty = soup.select_one(".empty").get_text()
    assert "没有找到" in empty and "去掉区域“延庆”" in empty and "去掉起始日期“2019”" in empty
    link = soup.select_one(".empty a")["href"]
    assert "from" not in link and "district=" in link  # dropping the date finds 延庆's articles
    # Words typed apart that no article has together: the articles with the others, and which word none has.
    soup, _ = page(client, "/search", {"q": "执法记录仪 量子计算"})
    assert soup.select_one(".empty") is None and soup.select("li.hit")
    notices = " ".join(p.get_text() for p in soup.select(".notice"))
    assert "没有文章含有“量子计算”" in notices and "部分匹配" in notices


def test_bad_parameter_is_a_400_page_in_chinese(client):
    soup, _ = page(client, "/search", {"q": "城管通", "from": "2017-13"}, status=400)
    assert "日期“2017-13”不存在" in soup.select_one(".error").get_text()


def test_query_is_escaped_in_the_box_and_in_the_messages(client):
    soup, text = page(client, "/search", {"q": XSS})
    assert XSS not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert soup.find("input", {"name": "q"})["value"] == XSS  # the box keeps what was typed
    assert not soup.find("script")
    _, text = page(client, "/search", {"q": XSS, "district": XSS})
    assert XSS not in text and not BeautifulSoup(text, "lxml").find("script")
    _, text = page(client, "/articles/2017-06-a20", {"q": XSS})
    assert XSS not in text


def test_article_html_from_the_source_is_escaped(client):
    _, text = page(client, "/search", {"q": "注入"})
    assert "<script>注入" not in text and "&lt;script&gt;注入" in text
    _, text = page(client, "/articles/2019-02-a01", {"q": "alert"})
    assert "<script>" not in text.split("</head>", 1)[1]
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in text


def test_article_permalink(client):
    soup, _ = page(client, "/articles/2017-06-a20")
    assert soup.h1.get_text() == "石景山局：充分发挥执法记录仪在拆违工作中的作用"
    meta = soup.select_one(".article .meta").get_text()
    assert "2017年第6期" in meta and "2017年6月10日" in meta and "第15页" in meta and "【区局动态】" in meta
    assert soup.select_one(".article .meta a")["href"] == "/issues/2017-06"
    citation = soup.select_one("#citation").get_text()
    assert (
        citation
        == "《北京城管科技信息动态》2017年第6期，第15页：石景山局：充分发挥执法记录仪在拆违工作中的作用，http://falconframework.org/articles/2017-06-a20"
    )
    assert soup.select_one('a[rel="prev"]')["href"] == "/articles/2017-06-a19"
    assert soup.select_one('a[rel="next"]')["href"] == "/articles/2017-06-a21"
    assert not soup.select("mark")


def test_article_from_a_search_highlights_the_terms_and_keeps_them_on_prev_next(client):
    soup, _ = page(client, "/articles/2017-06-a20", {"q": "执法记录仪"})
    assert len(soup.select(".body mark")) >= 5 and {m.get_text() for m in soup.select(".body mark")} == {"执法记录仪"}
    assert (
        soup.select_one('a[rel="next"]')["href"]
        == "/articles/2017-06-a21?q=%E6%89%A7%E6%B3%95%E8%AE%B0%E5%BD%95%E4%BB%AA"
    )


def test_subheadings_and_source(client):
    soup, _ = page(client, "/articles/2017-06-a31")
    assert next(h.get_text() for h in soup.select(".body h2")) == "打造数据城市 人人都是参与者"
    assert soup.select_one(".source").get_text() == "（摘编自：贵阳日报）"
    assert soup.select_one('a[rel="next"]') is None


def test_issues_by_year_and_an_issue_with_its_contents(client):
    soup, _ = page(client, "/issues")
    assert [h.get_text() for h in soup.select("main h2")] == ["2019 年", "2018 年", "2017 年", "2016 年"]
    soup, _ = page(client, "/issues/2017-06")
    assert soup.h1.get_text() == "《北京城管科技信息动态》2017年第6期"
    assert "北京市城管执法局科技信息中心" in soup.select_one(".cover .meta").get_text()
    sections = [s.select_one(".name").get_text() for s in soup.select("li.section")]
    assert sections == ["【刊首语】", "【热点解读】", "【市局信息】", "【应用亮点】", "【区局动态】", "【它山之石】"]
    links = soup.select("li.section li a")
    assert len(links) == 31 and links[19]["href"] == "/articles/2017-06-a20"
    assert soup.select("li.section li")[19].select_one(".page").get_text() == "15"


def test_search_within_an_issue_from_its_page(client):
    soup, _ = page(client, "/issues/2017-06")
    form = soup.select_one("form.searchbox")
    assert form["action"] == "/search" and form.select_one("input[name=issue]")["value"] == "2017-06"
    assert form.select_one("input[name=q]")["maxlength"] == "2000"
    soup, _ = page(client, "/search?q=城管通&issue=2017-06")
    everywhere, _ = page(client, "/search?q=城管通")
    assert "共 11 篇" in soup.select_one(".stats").get_text()
    assert "共 14 篇" in everywhere.select_one(".stats").get_text()
    assert {a["href"].split("?")[0].rsplit("-a", 1)[0] for a in soup.select(".hit h3 a")} == {"/articles/2017-06"}
    # The issue facet still counts every issue with the word, so another issue is one click away.
    assert "2017年第6期" in soup.select_one("aside.facets").get_text()


@pytest.mark.parametrize(
    ("path", "words"),
    [("/articles/2099-01-a01", "2099-01-a01"), ("/issues/1999-01", "1999-01"), ("/no/such/page", "找不到这个页面")],
)
def test_friendly_chinese_404_pages(client, path, words):
    soup, _ = page(client, path, status=404)
    assert words in soup.get_text() and soup.find("input", {"name": "q"})


def test_static_stylesheet_has_print_and_phone_rules(client):
    css = client.simulate_get("/static/style.css")
    assert css.status_code == 200 and "@media print" in css.text and "@media (max-width" in css.text


def test_a_page_past_the_last_goes_to_the_last(client):
    result = client.simulate_get("/search", params={"q": "城管通", "page": "9999"})
    assert result.status_code == 303
    last = client.simulate_get(result.headers["location"])
    assert last.status_code == 200 and "第 9999" not in last.text
    soup = BeautifulSoup(last.text, "lxml")
    current = soup.select_one(".stats").get_text()
    pages = re.search(r"第 (\d+)/(\d+) 页", current)
    assert pages and pages.group(1) == pages.group(2) and soup.select(".hits li")


def test_a_pasted_passage_is_not_echoed_whole(client):
    passage = ("为应对5月12日晚爆发的蠕虫勒索病毒，顺义局领导高度重视，要求按照根据市局紧急通知精神应对该病毒，" * 30)[
        :2000
    ]
    soup = BeautifulSoup(client.simulate_get("/search", params={"q": passage}).text, "lxml")
    shown = soup.select_one(".results").get_text()
    assert re.search(r"…（共 \d{4} 字）", shown) and passage[:200] not in shown
    assert soup.select_one("input[name=q]")["value"] == passage  # the box keeps it whole, to edit
    assert len(soup.title.get_text()) < 80


def test_the_site_has_an_icon_and_contents_pages_read_as_pages(client):
    icon = client.simulate_get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml" and b"<svg" in icon.content
    home = BeautifulSoup(client.simulate_get("/").text, "lxml")
    assert client.simulate_get(home.select_one("link[rel=icon]")["href"]).status_code == 200
    issue = BeautifulSoup(client.simulate_get("/issues/2017-06").text, "lxml")
    pages = [s.get_text() for s in issue.select(".toc > li.section > .page")]
    assert pages and all(re.fullmatch(r"第 \d+ 页起", p) for p in pages)
