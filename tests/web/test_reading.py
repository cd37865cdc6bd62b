"""Uploads slow to read (an old Word file to convert, a scan to recognise) are read in a process of their own: the
upload answers at once, a page follows the reading, and the preview comes when it is done."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from conftest import tree_snapshot, variant_of_seed, wait_for
from makedocs import libreoffice, office_docx

from archive import read_bytes

# LibreOffice converts the file: left out of the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def old_word(tmp_path_factory):
    if shutil.which("soffice") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice is not installed; CI must install it (apt-get install libreoffice-writer-nogui).")
        pytest.skip("LibreOffice is not installed")
    folder = tmp_path_factory.mktemp("doc")
    issue = read_bytes(variant_of_seed(2021, 3), "2021-03.md").issue
    (doc,) = libreoffice(office_docx(issue, folder / "2021-03.docx"), folder, "doc")
    return doc.read_bytes()


def test_an_old_word_upload_is_read_in_the_background_then_previewed_and_confirmed(admin, old_word, monkeypatch):
    site, corpus, index, data = admin
    monkeypatch.setenv("BULLETIN_CACHE", str(data.parent / "cache"))
    site.sign_in()
    before = tree_snapshot(corpus, index)
    path = site.upload("2021年第3期.doc", old_word).headers["location"]
    first = site.get(path).text  # answered at once, while LibreOffice converts
    assert "正在读取“2021年第3期.doc”" in first or "预览：2021年第3期" in first
    wait_for(lambda: "预览：2021年第3期" in site.get(path).text, 120, "the background reading to finish")
    assert tree_snapshot(corpus, index) == before  # nothing written before the confirmation
    done = site.post(path, {"csrf": site.csrf(path), "action": "confirm"}, status=200)
    assert "已新增" in done.text and (corpus / "2021" / "2021-03.doc").read_bytes() == old_word
    records = [json.loads(line) for line in (data / "audit.log").read_text(encoding="utf-8").splitlines()]
    assert any(r["action"] == "preview" and r.get("issue") == "2021-03" for r in records)


def test_a_damaged_old_word_file_fails_on_its_page_and_at_most_two_are_read_at_once(admin, monkeypatch):
    site, _, _, data = admin
    monkeypatch.setenv("BULLETIN_CACHE", str(data.parent / "cache"))
    site.sign_in()
    damaged = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048)
    path = site.upload("坏文件.doc", damaged).headers["location"]
    wait_for(lambda: site.client.simulate_get(path, headers=site.headers()).status_code == 422, 120, "the failure")
    failed = site.client.simulate_get(path, headers=site.headers()).text
    assert "无法读取“坏文件.doc”" in failed and "LibreOffice 无法转换" in failed
    # Two readings under way (live processes: this one) hold the third off until they finish.
    uploads = data / "uploads"
    for n in range(2):
        (uploads / f"{n:064x}.reading").write_text(json.dumps({"state": "reading", "pid": os.getpid()}))
    busy = site.upload("另一期.doc", damaged + b"x", status=409)
    assert "已有 2 个文件正在识别或转换" in busy.text
