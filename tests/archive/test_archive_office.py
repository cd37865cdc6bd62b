"""Word documents laid out as the office lays them out, written again as .docx and as PDF by LibreOffice,
read back to the same issue as the text form: articles, sections, units, pages and paragraphs.

Needs LibreOffice (Debian's libreoffice-writer-nogui) and CJK fonts (fonts-noto-cjk), which .ci/run installs.
"""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import FIXTURES, SEED
from makedocs import HABITS, converted_all, libreoffice, office_docx, same_issue

from archive import ArchiveError, UnreadableFileError, read_bytes, read_file

# LibreOffice renders every page: left out of the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow

SOURCES = {"seed": SEED, "fixture": FIXTURES / "plain-2018-03.txt"}


@pytest.fixture(scope="module", autouse=True)
def soffice():
    if shutil.which("soffice") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice is not installed; CI must install it (apt-get install libreoffice-writer-nogui).")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")


CASES = [(source, habit) for habit in ["", *HABITS] for source in SOURCES]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Each source in each layout as Word writes it, and each written again as .docx and as PDF by LibreOffice
    (all in one run a format)."""
    folder = tmp_path_factory.mktemp("office")
    originals = {}
    for source, habit in CASES:
        expected = read_file(SOURCES[source])
        path = folder / f"{source}-{habit or 'plain'}.docx"
        originals[source, habit] = (expected, office_docx(expected.issue, path, (habit,) if habit else ()))
    paths = [path for _, path in originals.values()]
    docx, pdf = converted_all(paths, folder / "out", "docx"), converted_all(paths, folder / "out", "pdf")
    return {case: (*originals[case], d, p) for case, d, p in zip(originals, docx, pdf, strict=True)}


@pytest.mark.parametrize(("source", "habit"), CASES, ids=lambda x: x or "plain")
def test_office_layouts_written_by_libreoffice_read_back_to_the_same_issue(written, source, habit):
    expected, original, docx, pdf = written[source, habit]
    # Word's TOC field is recomputed by LibreOffice: its page numbers are where the articles now start.
    pages = habit != "toc_field"
    # What the layout adds to an article that the text form lacks: the table's rows, the picture's caption.
    extra = {"table": (" | ",), "picture": ("图1",)}.get(habit, ())
    for path in (original, docx, pdf):
        read = read_file(path)
        same_issue(read, expected, pages=pages, extra=extra)
        if habit == "table" and len(expected.issue.articles) >= 3:
            assert any("执法记录仪 | 120 | 完好" in p.text for p in read.issue.articles[2].paragraphs), path
        if path.suffix == ".pdf" and not pages:
            assert not [w for w in read.warnings if w.kind == "page-mismatch"], "contents and pages disagree"
    assert "LibreOffice" in producer(pdf)  # written by the office program, not by the library that reads it


def producer(pdf) -> str:
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.utils import decode_text

    with pdf.open("rb") as handle:
        value = PDFDocument(PDFParser(handle)).info[0].get("Producer", b"")
    return decode_text(value) if isinstance(value, bytes) else str(value)


def test_a_pdf_whose_contents_lines_come_apart_at_the_tab_stop_reads_whole(tmp_path):
    expected = read_file(SEED)
    (pdf,) = libreoffice(office_docx(expected.issue, tmp_path / "2017-06.docx"), tmp_path, "pdf")
    read = read_file(pdf)
    entries = [e for e in read.issue.toc if not e.is_section]
    assert [(e.title, e.page) for e in entries] == [(e.title, e.page) for e in expected.issue.toc if not e.is_section]
    joins = [w for w in read.warnings if w.kind == "join"]
    assert joins and all("段落在页面处断开" in w.message for w in joins)  # says where it joined


def test_a_scan_with_no_text_on_it_says_what_to_provide_instead(tmp_path):
    from PIL import Image

    page = tmp_path / "scan.png"
    Image.new("RGB", (600, 800), (250, 250, 250)).save(page)
    scan = tmp_path / "scan.pdf"
    Image.open(page).save(scan, "PDF")
    with pytest.raises(UnreadableFileError) as info:
        read_bytes(scan.read_bytes(), "2017-06.pdf")
    assert "文字识别也没有认出文字" in str(info.value) and "2017-06.pdf" in str(info.value)
    assert "请提供 Word 原件或更清晰的扫描件" in str(info.value)


def test_a_blank_picture_among_text_pages_is_named_for_checking(tmp_path):
    from PIL import Image
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    picture = tmp_path / "scan.png"
    Image.new("RGB", (300, 400), (250, 250, 250)).save(picture)
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    lines = SEED.read_text(encoding="utf-8").splitlines()
    mixed = canvas.Canvas(str(tmp_path / "mixed.pdf"), pagesize=A5)
    for page in range(1, 6):
        if page == 4:  # a page scanned into the middle of the issue
            mixed.drawImage(str(picture), 20, 20, width=380, height=550)
        else:
            mixed.setFont("STSong-Light", 9)
            for n, line in enumerate(lines[(page - 1) * 30 : page * 30]):
                mixed.drawString(30, 560 - n * 17, line[:40])
        mixed.showPage()
    mixed.save()
    with pytest.raises(ArchiveError) as info:  # these lines are no bulletin; what matters is what it says of page 4
        read_file(tmp_path / "mixed.pdf")
    assert "mixed.pdf" in str(info.value)
    from archive.readers.pdf import read_pdf

    doubts = read_pdf((tmp_path / "mixed.pdf").read_bytes(), "mixed.pdf").doubts
    assert ("ocr-page", "文字识别：第 4 页没有认出文字，请与纸质版核对") in doubts
