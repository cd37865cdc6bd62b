"""Take the screenshots in this folder from a real server over the corpus, in headless Chromium at desktop
width: the search page, an upload's preview replacing an issue (with a revised sentence), the vocabulary
page (a word found) and a vocabulary edit before it is saved.

    python3 docs/screenshots/take.py        # needs the test extras and Chromium (apt-get install chromium)
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT)]  # the project first: tests/archive/ must not hide archive/
sys.path.append(str(ROOT / "tests"))

from conftest import Served, make_corpus  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

TOKEN = "screenshot-token"
SEED = ROOT / "corpus" / "2017" / "2017-06.md"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        served = Served(make_corpus(tmp), tmp / "index", token=TOKEN, workers=1)
        try:
            with sync_playwright() as playwright:
                chromium = shutil.which("chromium") or shutil.which("chromium-browser")
                browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"], headless=True)
                page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
                shoot(page, served.base, tmp)
                browser.close()
        finally:
            served.stop()


def shoot(page, base: str, tmp: Path) -> None:
    page.goto(base + "/search?q=%E5%9F%8E%E7%AE%A1%E9%80%9A")
    page.screenshot(path=str(HERE / "search.png"))
    page.goto(base + "/admin/login")
    page.fill("input[name=token]", TOKEN)
    page.click("form button[type=submit]")
    page.wait_for_url(base + "/admin")
    revised = tmp / "2017-06.md"
    text = SEED.read_text(encoding="utf-8").replace("及时启动雨天环境管理应急预案", "及时启动暴雨环境管理应急预案")
    revised.write_text(text, encoding="utf-8")
    page.set_input_files("input[type=file]", str(revised))
    page.click("text=上传并预览")
    page.wait_for_url("**/admin/uploads/*")
    page.screenshot(path=str(HERE / "preview.png"))
    page.goto(base + "/admin/vocabulary?find=%E5%9F%8E%E7%AE%A1%E9%80%9A")
    page.screenshot(path=str(HERE / "vocabulary.png"))
    page.fill("#word", "巡检宝")
    page.fill("#frequency", "3000")
    page.click("text=预览添加 >> nth=0")
    page.wait_for_selector(".edit-lines")
    page.screenshot(path=str(HERE / "vocabulary-edit.png"))


if __name__ == "__main__":
    main()
