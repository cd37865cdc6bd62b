"""Issues the office kept as scans and as old Word or WPS files, read back to the same issue as the text form.

The files are made here as the office makes them: Word layouts written to PDF by LibreOffice, drawn at 200 dpi in
grey, turned a little, with paper grain and JPEG artefacts (pdfium, numpy and Pillow), saved as an image-only PDF
or as page images; .doc written by LibreOffice (a WPS .wps is the same compound file). Needs LibreOffice and the
recognition extra (pip install '.[ocr]'), which .ci/run installs.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import statistics
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT, SEED
from makedocs import libreoffice, office_docx, same_issue, scanned, scanned_pdf

from archive import TooMuchError, UnreadableFileError, read_bytes, read_file
from archive.limits import Limits
from archive.readers import ocr
from archive.readers.ocr import available
from archive.readers.office import read_legacy

# LibreOffice and text recognition take seconds a page: left out of the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def tools(tmp_path_factory):
    missing = [what for what, ok in (("LibreOffice", shutil.which("soffice")), ("rapidocr", available())) if not ok]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing} not installed; CI must install them (libreoffice-writer-nogui, '.[ocr]').")
        pytest.skip(f"{missing} not installed")
    cache = os.environ.get("BULLETIN_CACHE")
    os.environ["BULLETIN_CACHE"] = str(tmp_path_factory.mktemp("cache"))  # recognised pages kept for this module
    yield
    if cache is None:
        os.environ.pop("BULLETIN_CACHE", None)
    else:
        os.environ["BULLETIN_CACHE"] = cache


def office_pdf(source, folder):
    expected = read_file(source)
    (pdf,) = libreoffice(office_docx(expected.issue, folder / f"{expected.issue.id}.docx"), folder, "pdf")
    return expected, pdf


@pytest.fixture(scope="module")
def seed_scan(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seed-scan")
    expected, pdf = office_pdf(SEED, folder)
    return expected, scanned(pdf, dpi=200, angle=0.6)


@pytest.fixture(scope="module")
def short_scan(tmp_path_factory):
    folder = tmp_path_factory.mktemp("short-scan")
    expected, pdf = office_pdf(FIXTURES / "plain-2018-03.txt", folder)
    return expected, scanned(pdf, dpi=200, angle=-0.5, seed=3)


def test_a_scanned_pdf_reads_back_to_the_same_issue_with_its_confidence(seed_scan, tmp_path):
    expected, pages = seed_scan
    read = read_file(scanned_pdf(pages, tmp_path / "2017-06.pdf"))
    assert read.form == "pdf"
    # A few titles lose a page number beside the dot leader: the article's page then comes from where it starts.
    same_issue(read, expected, pages=False)
    wrong = [a.title for a, b in zip(read.issue.articles, expected.issue.articles, strict=True) if a.page != b.page]
    assert len(wrong) <= 2, wrong
    confidence = [w.message for w in read.warnings if w.kind == "ocr-page"]
    assert len(confidence) == len(pages) and all("平均可信度" in m for m in confidence)


def test_page_images_read_back_to_the_same_issue_and_again_from_the_cache(short_scan, tmp_path):
    expected, pages = short_scan
    tiff = tmp_path / "2018-03.tif"
    pages[0].save(tiff, save_all=True, append_images=pages[1:], compression="tiff_lzw")
    read = read_file(tiff)
    assert read.form == "image"
    same_issue(read, expected)
    again = read_bytes(tiff.read_bytes(), "scan")  # no suffix: known by its first bytes, read from the cache
    assert again.issue.articles == read.issue.articles
    if len(pages) == 1:
        pages[0].save(tmp_path / "2018-03.png")
        same_issue(read_file(tmp_path / "2018-03.png"), expected)


def test_a_line_the_detector_passes_over_beside_a_wide_gap_is_read_again(short_scan):
    import numpy as np

    page = short_scan[1][0]
    found, _ = ocr._engine()(np.asarray(page.convert("RGB")))
    spans = sorted((min(p[1] for p in box), max(p[1] for p in box), text) for box, text, _ in found)
    below = [b[0] - a[1] for a, b in itertools.pairwise(spans)]
    lost = int(np.argmax(below[1:])) + 1  # the line above the widest gap below the first line
    # Without it, the band between the lines around it is taller than three lines.
    assert spans[lost + 1][0] - spans[lost - 1][1] > 3 * statistics.median(bottom - top for top, bottom, _ in spans)
    kept = [f for f in found if f[1] != spans[lost][2]]
    assert len(kept) == len(found) - 1
    missed = ocr._missed_lines(page, found)  # what the detector itself passed over (this page's number)
    assert all(not (top < box[2][1] and box[0][1] < bottom) for box, _, _ in missed for top, bottom, _ in spans)
    again = [text for _, text, _ in ocr._missed_lines(page, kept)]
    assert sorted(again) == sorted([spans[lost][2], *(text for _, text, _ in missed)])


def test_a_page_of_stripes_has_at_most_a_bounded_number_of_bands_read_again(monkeypatch):
    from PIL import Image, ImageDraw

    page = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(page)
    for top in range(300, 2300, 25):  # bars as tall as a line of body type, closer than lines are
        draw.rectangle((250, top, 1400, top + 14), fill=0)
    found = [([[250, y], [1400, y], [1400, y + 30], [250, y + 30]], "北京城管", 0.99) for y in (100, 150, 200)]
    engine, reads = ocr._engine(), []

    def counted(*args, **kwargs):  # the real engine, each call counted
        reads.append(args[0].shape)
        return engine(*args, **kwargs)

    monkeypatch.setattr(ocr, "_engine", lambda: counted)
    ocr._missed_lines(page, found)
    assert len(reads) == ocr.AGAIN  # of 80 bars


def test_doc_and_wps_written_by_libreoffice_read_back_to_the_same_issue(tmp_path):
    expected = read_file(SEED)
    (doc,) = libreoffice(office_docx(expected.issue, tmp_path / "2017-06.docx"), tmp_path, "doc")
    wps = tmp_path / "2017-06.wps"
    shutil.copy(doc, wps)
    for path in (doc, wps):
        read = read_file(path)
        # The original bytes are what the issue records (and the corpus keeps), not the conversion's.
        assert read.form == path.suffix[1:] and read.issue.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        same_issue(read, expected)


def test_a_damaged_doc_and_a_slow_conversion_are_refused_by_name(tmp_path, monkeypatch):
    monkeypatch.setenv("BULLETIN_CACHE", str(tmp_path / "cache"))  # converted here, not found converted before
    fake = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)
    with pytest.raises(UnreadableFileError, match="LibreOffice 无法转换") as damaged:
        read_bytes(fake, "旧简报.doc")
    assert "旧简报.doc" in str(damaged.value)
    with pytest.raises(UnreadableFileError, match="不是 Word 97–2003 或 WPS"):
        read_bytes(b"just text, not a compound file", "note.wps")
    expected = read_file(SEED)
    (doc,) = libreoffice(office_docx(expected.issue, tmp_path / "2017-06.docx"), tmp_path, "doc")
    with pytest.raises(TooMuchError, match="超过 0 秒的上限"):
        read_legacy(doc.read_bytes(), "2017-06.doc", Limits(convert_seconds=0))


def test_images_past_the_limits_are_refused_before_they_are_decoded(tmp_path):
    from PIL import Image

    huge = tmp_path / "huge.png"
    Image.new("L", (9000, 5000), 255).save(huge)  # 45 million pixels, a few kilobytes on disk
    with pytest.raises(TooMuchError, match="像素"):
        read_file(huge)
    many = tmp_path / "many.tif"
    frames = [Image.new("L", (20, 20), 255) for _ in range(Limits().scan_pages + 1)]
    frames[0].save(many, save_all=True, append_images=frames[1:])
    with pytest.raises(TooMuchError, match="页的上限"):
        read_file(many)
    with pytest.raises(UnreadableFileError, match="图片已损坏"):
        read_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100), "broken.png")


def test_without_the_extras_scans_and_old_files_are_refused_with_what_to_install(tmp_path):
    from PIL import Image

    page = tmp_path / "page.png"
    Image.new("L", (200, 100), 255).save(page)
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    code = (
        "import sys; sys.modules['rapidocr_onnxruntime'] = None\n"
        "from archive import ArchiveError, read_file\n"
        "for name in sys.argv[1:]:\n"
        "    try: read_file(name)\n"
        "    except ArchiveError as exc: print(exc)\n"
    )
    env = {**os.environ, "PATH": "/nonexistent", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code, str(page), str(tmp_path / "old.doc")], env=env,
                         capture_output=True, text=True, timeout=60).stdout.splitlines()  # fmt: skip
    assert len(out) == 2
    assert "page.png" in out[0] and "pip install 'bulletin-archive[ocr]'" in out[0]
    assert "old.doc" in out[1] and "apt-get install libreoffice-writer-nogui" in out[1]


def test_a_pdf_with_a_scanned_page_among_text_pages_reads_whole(seed_scan, tmp_path):
    import pypdfium2

    expected, pages = seed_scan
    text = pypdfium2.PdfDocument(str(office_pdf(SEED, tmp_path)[1]))
    scans = pypdfium2.PdfDocument(str(scanned_pdf(pages, tmp_path / "scan.pdf")))
    text.del_page(3)
    text.import_pages(scans, [3], index=3)  # the fourth page, scanned into the middle of the issue
    mixed = tmp_path / "mixed.pdf"
    text.save(str(mixed))
    read = read_file(mixed)
    same_issue(read, expected)
    confidence = [w.message for w in read.warnings if w.kind == "ocr-page"]  # only the scanned page was recognised
    assert len(confidence) == 1 and confidence[0].startswith("文字识别：第 4 页"), confidence
