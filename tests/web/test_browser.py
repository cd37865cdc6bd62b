"""Browser tests: Playwright driving Debian's headless Chromium against a real `bulletin serve`.

Screenshots are saved under screenshots/ in the test output folder (BULLETIN_TEST_OUTPUT, else a
temporary folder named in pytest's header). Where Chromium is missing the tests skip,
except under CI=true, where a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import SEED as SEED_FILE
from conftest import Served, make_corpus, output_dir

# Starts servers, browsers or subprocesses: left out of the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    return os.environ.get("BULLETIN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is not installed; CI must install it (apt-get install chromium).")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    served = Served(make_corpus(root), root / "index", workers=2)
    yield served
    served.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


def shot(page, name: str) -> Path:
    path = output_dir("screenshots") / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def test_search_filter_open_reload_and_follow(page, server):
    page.goto(server.base + "/")
    page.fill("input[name=q]", "执法记录仪")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search?q=*")
    total = server.get("/api/search?q=%E6%89%A7%E6%B3%95%E8%AE%B0%E5%BD%95%E4%BB%AA")[1]["total"]
    assert f"共 {total} 篇" in page.inner_text(".stats") and total > 10

    page.click(".facets a:text-is('怀柔区')")
    page.wait_for_url("**district=*")
    assert page.locator("li.hit").count() == 2
    assert set(page.locator("li.hit .meta").all_inner_texts()) and all(
        t.startswith("怀柔局") for t in page.locator("li.hit .meta").all_inner_texts()
    )

    page.fill("form.filters input[name=from]", "2017-06")
    page.fill("form.filters input[name=to]", "2017-06")
    page.click("form.filters button")
    page.wait_for_url("**from=2017-06*")
    assert page.input_value("form.filters input[name=district]") == "怀柔区"
    assert page.locator("li.hit").count() == 2
    assert page.locator("li.hit .snippet mark").first.inner_text() == "执法记录仪"
    shot(page, "search")

    title = page.locator("li.hit h3 a").first.inner_text()
    page.locator("li.hit h3 a").first.click()
    page.wait_for_url("**/articles/*")
    assert page.inner_text("h1") == title
    assert page.locator(".body mark").count() >= 2
    shot(page, "article")

    permalink = page.url.split("?", 1)[0]
    page.goto(permalink)
    assert page.inner_text("h1") == title and page.locator(".body mark").count() == 0
    page.reload()
    assert page.inner_text("h1") == title
    assert permalink in page.inner_text("#citation")

    next_title = page.locator("a[rel=next]").inner_text().split("：", 1)[1].rstrip(" →")
    page.click("a[rel=next]")
    page.wait_for_url(lambda url: url.split("?")[0] != permalink)
    assert page.inner_text("h1") == next_title
    page.click("a[rel=prev]")
    page.wait_for_url(lambda url: url.split("?")[0] == permalink)
    assert page.inner_text("h1") == title
    assert page.dialogs == []


def test_issue_contents_links_to_articles(page, server):
    page.goto(server.base + "/issues")
    page.click("text=2017年第6期")
    page.wait_for_url("**/issues/2017-06")
    assert page.locator("li.section").count() == 6
    page.click("text=石景山局：充分发挥执法记录仪在拆违工作中的作用")
    page.wait_for_url("**/articles/2017-06-a20")
    assert "第15页" in page.inner_text(".article .meta")


def test_script_in_queries_and_articles_never_runs(page, server):
    page.goto(server.base + "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert page.input_value("input[name=q]") == "<script>alert(1)</script>"
    page.goto(server.base + "/search?q=alert")
    assert "<script>alert(1)</script>" in page.inner_text("li.hit .snippet")
    page.goto(server.base + "/articles/2019-02-a01?q=alert")
    assert "<script>alert(1)</script>" in page.inner_text(".body")
    assert page.dialogs == []


def test_readable_on_a_phone(browser, server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(server.base + "/search?q=%E5%9F%8E%E7%AE%A1%E9%80%9A")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page scrolls sideways on a phone ({width}px)"
    # The date range keeps its words with their boxes, on one line; placeholders are shown whole.
    tops = page.evaluate(
        "[...document.querySelectorAll('.filters .range label, .filters .range input')]"
        ".map(e => Math.round(e.getBoundingClientRect().top))"
    )
    assert len(tops) == 4 and max(tops) - min(tops) <= 12, tops
    cut = page.evaluate(
        "[...document.querySelectorAll('.filters input[placeholder]')]"
        ".filter(e => { const c = document.createElement('canvas').getContext('2d');"
        " c.font = getComputedStyle(e).font; return c.measureText(e.placeholder).width > e.clientWidth; })"
        ".map(e => e.name)"
    )
    assert cut == [], f"placeholders cut on a phone: {cut}"
    # The charts' labels are drawn at a readable size, not scaled down to a few pixels.
    heights = page.evaluate(
        "[...document.querySelectorAll('svg.chart text')].map(t => t.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 11, heights
    shot(page, "search-phone")
    context.close()


def test_search_within_an_issue_then_related_articles(page, server):
    page.goto(server.base + "/issues/2017-06")
    page.fill("form.searchbox input[name=q]", "城管通")
    page.press("form.searchbox input[name=q]", "Enter")
    page.wait_for_url("**issue=2017-06*")
    hits = page.locator("li.hit .meta").all_inner_texts()
    assert hits and all("2017年第6期" in t for t in hits)
    assert page.locator(".facets a:text-is('2019年第2期')").count() == 1  # another issue, one click away

    page.goto(server.base + "/articles/2017-06-a03")
    related = page.locator(".related li a")
    assert 1 <= related.count() <= 5
    target = page.locator(".related li a[href='/articles/2017-06-a11']")
    assert target.count() == 1
    name = target.inner_text()
    target.click()
    page.wait_for_url("**/articles/2017-06-a11")
    assert page.inner_text("h1") == name
    assert page.locator(".related li a[href='/articles/2017-06-a03']").count() == 1
    shot(page, "related")


def test_follow_export_and_cite_a_search(page, server):
    import csv
    import io
    import xml.etree.ElementTree as ET

    page.goto(server.base + "/search?q=%E5%B3%B0%E4%BC%9A&district=%E6%80%80%E6%9F%94")
    total = server.get("/api/search?q=%E5%B3%B0%E4%BC%9A&district=%E6%80%80%E6%9F%94")[1]["total"]
    assert total >= 2
    feed = page.get_attribute('head link[rel="alternate"][type="application/atom+xml"]', "href")
    answer = page.request.get(server.base + feed)
    assert answer.status == 200 and answer.headers["content-type"].startswith("application/atom+xml")
    entries = ET.fromstring(answer.body()).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == total

    with page.expect_download() as download:
        page.click(".exports a:text-is('导出 CSV')")
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and download.value.suggested_filename.endswith(".csv")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert table[0][0] == "标题" and len(table) == total + 1
    assert all(row[2] == "怀柔区" for row in table[1:])

    page.click(".exports a:text-is('引用列表')")
    page.wait_for_url("**/search/citations?*")
    lines = page.locator(".lines output").all_inner_texts()
    assert len(lines) == total and all(line.startswith("《北京城管科技信息动态》") for line in lines)
    assert all(f"{server.base}/articles/" in line for line in lines)
    shot(page, "citations")
    page.click("text=回到检索结果")
    page.wait_for_url("**/search?*")
    assert page.locator("li.hit").count() == total
    assert page.dialogs == []


def test_citations_carry_the_public_address_behind_a_proxy(browser, tmp_path):
    public = "https://kjxx.example.gov.cn"
    served = Served(make_corpus(tmp_path), tmp_path / "index", workers=1, env={"BULLETIN_PUBLIC_URL": public})
    try:
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.goto(served.base + "/articles/2017-06-a20")
        assert page.inner_text("#citation").endswith(f"，{public}/articles/2017-06-a20")
        page.goto(served.base + "/search/citations?q=%E5%9F%8E%E7%AE%A1%E9%80%9A")
        lines = page.locator(".lines output").all_inner_texts()
        assert lines and all(f"，{public}/articles/" in line for line in lines)
        assert served.base not in page.content().split("<main>", 1)[1]
        context.close()
    finally:
        served.stop()


def test_admin_adds_previews_replaces_and_removes_an_issue(browser, tmp_path, server):
    from conftest import variant_of_seed

    assert server.get("/admin")[0] == 404  # the module's server has no token: no admin pages at all
    served = Served(make_corpus(tmp_path), tmp_path / "index", token="browser-admin-token", workers=1)
    try:
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
        page = context.new_page()
        page.goto(served.base + "/admin")
        page.wait_for_url(lambda url: "/admin/login" in url)
        page.fill("input[name=token]", "browser-admin-token")
        page.click("form button[type=submit]")
        page.wait_for_url(served.base + "/admin")
        cookie = next(c for c in context.cookies() if c["name"] == "bulletin_admin")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

        issue_file = tmp_path / "2020年第5期.md"
        issue_file.write_bytes(variant_of_seed(2020, 5))
        page.set_input_files("input[type=file]", str(issue_file))
        page.click("text=上传并预览")
        page.wait_for_url("**/admin/uploads/*")
        assert page.inner_text("h1") == "预览：2020年第5期"
        assert page.locator(".warnings li").count() >= 1 and "第" in page.inner_text(".warnings li >> nth=0")
        assert page.locator(".admin-articles tbody tr").count() == 31
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, f"the preview scrolls sideways on a phone ({width}px)"
        shot(page, "admin-preview")
        assert served.get("/api/issues/2020-05")[0] == 404  # nothing is live before the confirmation
        page.click("text=确认收入")
        page.wait_for_selector("text=已新增")
        page.click("text=查看这一期")
        page.wait_for_url("**/issues/2020-05")
        page.goto(served.base + "/search?q=%E6%89%A7%E6%B3%95%E8%AE%B0%E5%BD%95%E4%BB%AA&issue=2020-05")
        assert page.locator("li.hit").count() >= 1

        text = (
            variant_of_seed(2020, 5)
            .decode("utf-8")
            .replace("充分发挥执法记录仪在拆违工作中的作用", "执法记录仪助力拆违")
            .replace("及时启动雨天环境管理应急预案", "及时启动暴雨环境管理应急预案")
        )
        issue_file.write_text(text, encoding="utf-8")
        page.goto(served.base + "/admin")
        page.set_input_files("input[type=file]", str(issue_file))
        page.click("text=上传并预览")
        page.wait_for_url("**/admin/uploads/*")
        assert "改标题 1 篇" in page.inner_text(".changes")
        # The revised sentence, its changed word struck through and the new one marked, as a person sees them.
        assert page.inner_text(".revised del") == "雨天" and page.inner_text(".revised ins") == "暴雨"
        assert page.eval_on_selector(".revised del", "e => getComputedStyle(e).textDecorationLine") == "line-through"
        page.locator(".revised").scroll_into_view_if_needed()
        shot(page, "admin-preview-replace")
        page.click("text=确认收入")
        page.wait_for_selector("text=已替换")
        assert served.get("/api/articles/2020-05-a20")[1]["title"] == "石景山局：执法记录仪助力拆违"

        vocabulary_word_added(page, served.base)

        # A form posted without its CSRF token (as another site would) is refused, even with the cookie.
        forged = page.request.post(served.base + "/admin/issues/2020-05/remove", form={"confirm": "1"})
        assert forged.status == 403 and served.get("/api/issues/2020-05")[0] == 200

        page.goto(served.base + "/admin/issues/2020-05/remove")
        page.click("text=确认删除")
        page.wait_for_selector("text=已删除 2020年第5期")
        assert served.get("/api/issues/2020-05")[0] == 404

        page.goto(served.base + "/admin/audit")
        actions = page.locator(".audit tbody tr td:nth-child(2)").all_inner_texts()
        assert actions == ["删除", "修改词表", "替换", "预览", "新增", "预览", "登录"]
        page.click("text=退出登录")
        page.wait_for_selector("text=已退出登录")
        page.goto(served.base + "/admin")
        page.wait_for_url(lambda url: "/admin/login" in url)
        # Without the cookie a form is refused too.
        stranger = browser.new_context().request
        assert stranger.post(served.base + "/admin/rebuild", form={"csrf": "x"}).status == 403
        context.close()
    finally:
        served.stop()


def vocabulary_word_added(page, base: str) -> None:
    """One word added from the vocabulary page: its line shown, then saved on confirmation, then found."""
    page.goto(base + "/admin/vocabulary")
    page.fill("#word", "巡检宝")
    page.fill("#frequency", "3000")
    page.click("text=预览添加 >> nth=0")
    page.wait_for_selector(".edit-lines")
    assert page.locator(".edit-lines ins").all_inner_texts() == ["+ 巡检宝 3000"]
    shot(page, "admin-vocabulary-edit")
    page.click("text=确认保存")
    page.wait_for_selector("text=已保存 userdict.txt")
    page.fill("#find", "巡检宝")
    page.click("form[role=search] button")
    page.wait_for_selector(".found")
    assert page.locator(".found tbody tr td:nth-child(3)").all_inner_texts() == ["巡检宝 3000"]
    shot(page, "admin-vocabulary")


WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PUBLIC = ["/", "/search?q=%E5%9F%8E%E7%AE%A1%E9%80%9A", "/search?q=%E7%81%AB%E6%98%9F%E6%BD%9C%E6%B0%B4",
          "/articles/2017-06-a20?q=%E6%89%A7%E6%B3%95", "/issues", "/issues/2017-06", "/no/such/page"]  # fmt: skip
ADMIN = ["/admin/login", "/admin", "/admin/rebuild", "/admin/audit", "/admin/vocabulary",
         "/admin/vocabulary?find=%E5%9F%8E%E7%AE%A1%E9%80%9A", "/admin/users", "/admin/issues/2017-06/remove",
         "VOCABULARY EDIT", "PREVIEW"]  # fmt: skip


def violations(page) -> list[str]:
    """What axe-core (bundled with axe-playwright-python) finds against WCAG 2.1 A and AA on the page."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}}).response["violations"]
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}×, e.g. {v['nodes'][0]['target']})" for v in found]


def test_every_page_public_and_admin_passes_axe_on_desktop_and_phone(browser, tmp_path):
    served = Served(make_corpus(tmp_path), tmp_path / "index", token="axe-admin-token", workers=1)
    try:
        found = {}
        for size, phone in (({"width": 1280, "height": 900}, False), ({"width": 390, "height": 844}, True)):
            context = browser.new_context(locale="zh-CN", viewport=size, is_mobile=phone)
            page = context.new_page()
            for path in PUBLIC:
                page.goto(served.base + path)
                found[(path, phone)] = violations(page)
            page.set_content("<html><body><img src='x.png'><a href='/'></a></body></html>")
            assert len(violations(page)) >= 3  # the check sees what it should (no lang, no alt, an empty link)
            page.goto(served.base + "/admin/login")
            found[("/admin/login", phone)] = violations(page)
            page.fill("input[name=token]", "axe-admin-token")
            page.click("form button[type=submit]")
            page.wait_for_url(served.base + "/admin")
            for path in ADMIN[1:-2]:
                page.goto(served.base + path)
                found[(path, phone)] = violations(page)
            page.goto(served.base + "/admin/vocabulary")
            page.fill("#words", "巡检宝 巡查宝")
            page.click("text=预览添加 >> nth=1")
            page.wait_for_selector(".edit-lines")
            found[("VOCABULARY EDIT", phone)] = violations(page)
            page.goto(served.base + "/admin")
            revised = tmp_path / "2017-06.md"  # the corpus issue revised: the preview compares it article by article
            revised.write_text(
                SEED_FILE.read_text(encoding="utf-8").replace("雨天环境管理", "暴雨环境管理"), encoding="utf-8"
            )
            page.set_input_files("input[type=file]", str(revised))
            page.click("text=上传并预览")
            page.wait_for_url("**/admin/uploads/*")
            assert page.locator(".revised ins").count() == 1
            found[("PREVIEW", phone)] = violations(page)
            context.close()
        bad = {f"{path} ({'phone' if phone else 'desktop'})": v for (path, phone), v in found.items() if v}
        assert len(found) == 2 * (len(PUBLIC) + len(ADMIN)) and bad == {}, bad
    finally:
        served.stop()
