"""Character accuracy and time a page of the two offline Chinese OCR engines, on the same scans.

    python3 benchmarks/ocr_engines.py        # needs LibreOffice, the ocr extra, and tesseract-ocr-chi-sim

The corpus issue is laid out in Word form, written to PDF by LibreOffice and scanned as the tests scan it
(200 dpi, grey, turned 0.6°, paper grain, JPEG); pages 3–6 are recognised by RapidOCR (as the reader
configures it, without the reader's second looks) and by Tesseract 5 (``chi_sim``, ``--psm 4``). Accuracy is the
similarity of the recognised characters to the PDF's own text layer, whitespace removed.
"""

from __future__ import annotations

import difflib
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from makedocs import libreoffice, office_docx, scanned  # noqa: E402

from archive import read_file  # noqa: E402
from archive.readers.ocr import _engine  # noqa: E402

PAGES = (3, 4, 5, 6)


def squeezed(text: str) -> str:
    return re.sub(r"\s", "", text)


def accuracy(found: str, truth: str) -> float:
    return difflib.SequenceMatcher(None, squeezed(found), truth, autojunk=False).ratio()


def rapidocr(image) -> str:
    import numpy as np

    found, _ = _engine()(np.asarray(image.convert("RGB")))
    return "".join(text for box, text, _ in sorted(found, key=lambda f: (f[0][0][1] // 20, f[0][0][0])))


def tesseract(image, folder: Path) -> str:
    page = folder / "page.png"
    image.save(page)
    args = ["tesseract", str(page), "-", "-l", "chi_sim", "--psm", "4"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def main() -> None:
    from pdfminer.high_level import extract_text

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        issue = read_file(ROOT / "corpus" / "2017" / "2017-06.md").issue
        (pdf,) = libreoffice(office_docx(issue, folder / "2017-06.docx"), folder, "pdf")
        pages = scanned(pdf, dpi=200, angle=0.6)
        for number in PAGES:
            truth = squeezed(extract_text(str(pdf), page_numbers=[number - 1]))
            row = [f"page {number}: {len(truth)} characters"]
            for name, read in (("rapidocr", rapidocr), ("tesseract", lambda im: tesseract(im, folder))):
                started = time.perf_counter()
                text = read(pages[number - 1])
                row.append(f"{name} {accuracy(text, truth):.4f} in {time.perf_counter() - started:.1f} s")
            print("; ".join(row), flush=True)
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
