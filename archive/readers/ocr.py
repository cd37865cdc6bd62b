"""Text recognition for scans: page images (.png, .jpg, .tif) and the pages of a PDF that are only pictures.

RapidOCR runs the PP-OCRv4 Chinese detection and recognition models (inside its wheel) with onnxruntime on the
CPU, offline; it gives each line of text a box and a confidence. The boxes are turned straight (a page is
rarely square on the glass) and handed to the PDF reader's layout (``pdf.layout``) as lines in PDF points:
running headers and page numbers, rows, columns, paragraphs by indentation and short last lines. The lines of
one page get one type size, as a box's height follows the glyphs in it more than the type; titles are found as
in plain text, by the contents page and the "单位：标题" form.

Each page's mean confidence, and every line recognised with less than ``LOW``, are reported for a person to
compare with the paper. What was recognised is kept by the file's checksum (``cache``), so that a rebuild does
not recognise the same pages again. The engine is an optional extra (``pip install 'bulletin-archive[ocr]'``);
without it these files are refused with a message saying so.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from ..blocks import Block, Read
from ..errors import TooMuchError, UnreadableFileError, UnsupportedFormatError
from ..limits import LIMITS, Limits
from .cache import remembered
from .pdf import Box, Line, layout

DPI = 200  # a scanned PDF's pages are drawn at this resolution for recognition
LOW = 0.85  # a line recognised with less confidence is listed for checking
ENGINE = "rapidocr-ppocrv4-7"  # part of the cache key: a new engine or a new way of reading recognises again
INSTALL = "pip install 'bulletin-archive[ocr]'（即 rapidocr-onnxruntime 和 pypdfium2）"
_SURE = 0.8  # a band read as a line is a line only when read with this confidence (a blank reads as noise)
AGAIN = 20  # bands of ink a page may have read again as lines: a page of stripes is not read band by band
_STRIP = 0.75  # the right quarter of a page, where a contents page's numbers stand
_NUMBER = re.compile(r"^\.*\d{1,3}$")
_CONTENTS = re.compile(r"^\s*目\s*录\s*$")
# A dot leader's first dots, read onto the end of a contents line: Chinese text never ends a line with them.
_LEADER = re.compile(r"(?<=[\u4e00-\u9fff）》”])[.·]+$")
Recognised = list[tuple[str, float, float, float, float, float]]  # text, x0, top, x1, bottom (pixels), score


def read_image(data: bytes, name: str, limits: Limits = LIMITS) -> list[Block]:
    """A page image, or a multi-page TIFF, read as one issue."""
    image, count = _opened(data, name, limits)
    key, clock = hashlib.sha256(data).hexdigest(), _Clock(name, limits)
    pages = []
    for number in range(1, count + 1):  # each page decoded only when it is recognised, then let go
        pages.append(_cached(key, number, lambda n=number: clock(_recognise(_frame(image, n, name), name))))
        _tell(number, count)
    return _read(pages, name)


def recognise_pdf(data: bytes, numbers: list[int], name: str, limits: Limits = LIMITS):
    """The boxes and height of each of the PDF's pages ``numbers`` (counted from 1), recognised, and what is
    doubtful in them."""
    if len(numbers) > limits.scan_pages:
        raise TooMuchError(
            f"PDF 有 {len(numbers)} 页扫描页，超过一次识别 {limits.scan_pages} 页的上限，已拒绝读取，未写入任何内容。",
            file=name,
        )
    key, clock = hashlib.sha256(data).hexdigest(), _Clock(name, limits)
    pages = {}
    for done, n in enumerate(numbers, start=1):
        pages[n] = _cached(key, n, lambda n=n: clock(_recognise(_render(data, n, name, limits), name)))
        _tell(done, len(numbers))
    boxes = {n: _boxes(page) for n, page in pages.items()}
    return boxes, _doubts(pages)


_progress: ContextVar[Callable[[int, int], None] | None] = ContextVar("progress", default=None)


@contextmanager
def reporting(progress: Callable[[int, int], None]) -> Iterator[None]:
    """Tell ``progress`` (pages done, pages in all) as pages are recognised, within this block."""
    token = _progress.set(progress)
    try:
        yield
    finally:
        _progress.reset(token)


def _tell(done: int, total: int) -> None:
    report = _progress.get()
    if report is not None:
        report(done, total)


class _Clock:
    """Stops a file's recognition once it has taken longer than the limit (checked after each page)."""

    def __init__(self, name: str, limits: Limits):
        self.name, self.limit, self.started = name, limits.scan_seconds, time.monotonic()

    def __call__(self, page: dict[str, Any]) -> dict[str, Any]:
        if time.monotonic() - self.started > self.limit:
            raise TooMuchError(
                f"文字识别超过 {self.limit} 秒的上限，已停止，未写入任何内容。请分成几个文件上传。", file=self.name
            )
        return page


def _read(pages: list[dict[str, Any]], name: str) -> list[Block]:
    if not any(page["lines"] for page in pages):
        raise UnreadableFileError(
            "图片中没有认出文字。请确认这是简报的扫描页，或提供更清晰的扫描件（200 dpi 以上）。", file=name
        )
    return Read(layout([_boxes(page) for page in pages], name), _doubts(dict(enumerate(pages, start=1))))


def available() -> bool:
    """Whether the recognition engine is installed."""
    try:
        import pypdfium2  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    # Tighter boxes than the default (1.6): lines of body type set close together stay apart. Lines read one at
    # a time: a batch pads each line to its longest, and a page of body lines reads a third faster unbatched.
    return RapidOCR(det_unclip_ratio=1.3, rec_batch_num=1)


def _recognise(image: Any, name: str) -> dict[str, Any]:
    """The lines RapidOCR finds on ``image`` (a PIL image), turned straight."""
    import numpy as np

    if not available():
        raise UnsupportedFormatError(f"识别扫描件和图片需要文字识别组件，本机没有安装。请运行 {INSTALL}。", file=name)
    found, _ = _engine()(np.asarray(image.convert("RGB")))
    found = list(found or [])
    width, height = image.size
    found += _missed_lines(image, found)
    contents = any(_CONTENTS.match(text) for _, text, _ in found)
    if contents or any(box[0][0] > width * _STRIP and _NUMBER.match(text) for box, text, _ in found):
        found += _page_numbers(image, found)
    return {"width": width, "height": height, "lines": _straightened(found, width, height)}


def _missed_lines(image: Any, found: list) -> list:
    """Lines the detector passed over, read again from the empty bands above, between and below the lines it
    found: detection misses a clear line now and then (a page's last line above a wide gap to its number, say),
    and a lost line is lost text. A band's rows of ink, across the found lines' columns, are cut into runs; a
    run as tall as a line is read as one line (recognition only, a few hundredths of a second)."""
    import numpy as np

    if len(found) < 3:
        return []
    spans = sorted((min(p[1] for p in box), max(p[1] for p in box)) for box, _, _ in found)
    height = statistics.median(bottom - top for top, bottom in spans)
    left = max(0, int(min(min(p[0] for p in box) for box, _, _ in found)) - 10)
    right = min(image.size[0], int(max(max(p[0] for p in box) for box, _, _ in found)) + 10)
    ink = np.asarray(image.convert("L")) < 128
    bands, reach = [], 0
    for top, bottom in [*spans, (image.size[1], image.size[1])]:
        if top - reach > height * 0.8:
            for start, end in _ink_runs(ink[int(reach) : int(top), left:right], gap=max(2, int(height / 8))):
                if height * 0.5 <= end - start <= height * 3:
                    bands.append((int(reach) + max(0, start - 3), int(reach) + min(int(top - reach), end + 3)))
        reach = max(reach, bottom)
    out = []
    for upper, lower in bands[:AGAIN]:
        out += _line_in(image, ink[upper:lower], (left, right), (upper, lower), height)
    return out


def _ink_runs(rows: Any, gap: int) -> list[tuple[int, int]]:
    """The runs of rows (or columns, given turned) holding ink (two dark pixels or more), closer than ``gap``
    joined: [start, end)."""
    import numpy as np

    marked = np.flatnonzero(rows.sum(axis=1) >= 2)
    if not len(marked):
        return []
    breaks = np.flatnonzero(np.diff(marked) > gap)
    starts = [int(marked[0]), *(int(marked[b + 1]) for b in breaks)]
    ends = [*(int(marked[b]) + 1 for b in breaks), int(marked[-1]) + 1]
    return list(zip(starts, ends, strict=True))


def _line_in(image: Any, ink: Any, columns: tuple[int, int], rows: tuple[int, int], height: float) -> list:
    """The band ``rows`` read as one line, when it reads as text with confidence. Its ends are where its ink
    is, within ``columns`` or reaching on from them (a missed line may be wider than every line found), so a
    missed first line keeps its indent; a scanner's shadow at the edge, past a margin, is left out."""
    import numpy as np

    reaching = [(a, b) for a, b in _ink_runs(ink.T, gap=int(height * 2)) if a < columns[1] and b > columns[0]]
    if not reaching:
        return []
    x0, x1 = reaching[0][0], reaching[-1][1]
    band = image.crop((max(0, x0 - 10), rows[0], min(image.size[0], x1 + 10), rows[1])).convert("RGB")
    read, _ = _engine()(np.asarray(band), use_det=False, use_cls=False)
    text, score = (read or [["", 0.0]])[0]
    if not text.strip() or score < _SURE:
        return []
    return [([[x0, rows[0]], [x1, rows[0]], [x1, rows[1]], [x0, rows[1]]], text, score)]


def _page_numbers(image: Any, found: list) -> list:
    """A contents page's page numbers, looked for again in its right edge at twice the size: beside a dot
    leader, a small number is often not seen at all at a scan's resolution."""
    import numpy as np

    width, height = image.size
    left = int(width * _STRIP)
    strip = image.crop((left, 0, width, height)).resize(((width - left) * 2, height * 2))
    again, _ = _engine()(np.asarray(strip.convert("RGB")))
    seen = [box for box, text, _ in found if box[0][0] > left]
    out = []
    for box, text, score in again or []:
        number = text.strip(" .·…。,，")
        points = [[left + x / 2, y / 2] for x, y in box]
        middle = (points[0][1] + points[2][1]) / 2
        if _NUMBER.match(number) and not any(b[0][1] <= middle <= b[2][1] for b in seen):
            out.append((points, number, score))
    return out


def _straightened(found: list, width: int, height: int) -> Recognised:
    """Each line's box rotated back by the page's skew (the median slope of the long lines' top edges)."""
    slopes = [math.atan2(b[1][1] - b[0][1], b[1][0] - b[0][0]) for b, _, _ in found if b[1][0] - b[0][0] > width / 4]
    angle = -statistics.median(slopes) if slopes else 0.0
    cos, sin, cx, cy = math.cos(angle), math.sin(angle), width / 2, height / 2
    out: Recognised = []
    for box, text, score in found:
        points = [(cx + (x - cx) * cos - (y - cy) * sin, cy + (x - cx) * sin + (y - cy) * cos) for x, y in box]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        text = _LEADER.sub("", text.strip())
        if text:
            out.append((text, min(xs), min(ys), max(xs), max(ys), float(score)))
    return out


def _boxes(page: dict[str, Any]) -> tuple[list[Box], float]:
    """A recognised page as the PDF reader's boxes of lines: points, y upwards, one type size for the page."""
    scale = 72 / DPI
    height = page["height"] * scale
    lines = page["lines"]
    if not lines:
        return [], height
    size = statistics.median((bottom - top) for _, _, top, _, bottom, _ in lines) * scale  # about 1 em
    boxes = []
    for text, x0, top, x1, bottom, _ in lines:
        if len(text) <= 2 and not any(c.isdigit() or "\u4e00" <= c <= "\u9fff" for c in text):
            continue  # a speck or a misread page number beside a dot leader ("Y" for 3): nothing to read
        x0, x1, y0, y1 = x0 * scale, x1 * scale, height - bottom * scale, height - top * scale
        step = (x1 - x0) / len(text)
        chars = [(x0 + i * step, x0 + (i + 1) * step, c) for i, c in enumerate(text)]
        boxes.append(Box([Line(text, x0, x1, y0, y1, size, False, chars, ink=True)], 0))
    boxes.sort(key=lambda b: (-round(b.top), b.lines[0].x0))
    return boxes, height


def _doubts(pages: dict[int, dict[str, Any]]) -> list[tuple[str, str]]:
    """Each page's mean confidence and the lines below ``LOW``, for staff to compare with the paper."""
    out = []
    for number, page in pages.items():
        ordered = sorted(page["lines"], key=lambda ln: (round(ln[2] / 20), ln[1]))
        if not ordered:
            out.append(("ocr-page", f"文字识别：第 {number} 页没有认出文字，请与纸质版核对"))
            continue
        mean = statistics.fmean(ln[5] for ln in ordered)
        out.append(("ocr-page", f"文字识别：第 {number} 页 {len(ordered)} 行，平均可信度 {mean:.2f}"))
        for index, (text, *_, score) in enumerate(ordered, start=1):
            if score < LOW:
                out.append(
                    ("ocr-low", f"文字识别可信度低（{score:.2f}），请与纸质版核对：第 {number} 页第 {index} 行“{text}”")
                )
    return out


def _opened(data: bytes, name: str, limits: Limits) -> tuple[Any, int]:
    """An image file opened (a TIFF may hold several pages) and its page count, every page's size checked
    against the limits from the headers, before anything is decoded."""
    try:
        from PIL import Image
    except ImportError:
        raise UnsupportedFormatError(f"读取图片需要 Pillow。请运行 {INSTALL}。", file=name) from None
    try:
        image = Image.open(io.BytesIO(data))
        count = getattr(image, "n_frames", 1)
        if count > limits.scan_pages:
            raise TooMuchError(
                f"图片文件有 {count} 页，超过 {limits.scan_pages} 页的上限，已拒绝读取，未写入任何内容。", file=name
            )
        for index in range(count):
            image.seek(index)
            _check_pixels(image.size, name, limits)
        return image, count
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
        raise _damaged(exc, name) from None


def _frame(image: Any, number: int, name: str) -> Any:
    """Page ``number`` (from 1) of an opened image, decoded in grey."""
    try:
        image.seek(number - 1)
        return image.convert("L")
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise _damaged(exc, name) from None


def _damaged(exc: Exception, name: str) -> UnreadableFileError:
    return UnreadableFileError(f"图片已损坏或不是图片，无法打开（{type(exc).__name__}）。请重新扫描后再试。", file=name)


def _check_pixels(size: tuple[int, int], name: str, limits: Limits) -> None:
    pixels = size[0] * size[1]
    if pixels > limits.scan_pixels:
        raise TooMuchError(
            f"图片有 {size[0]}×{size[1]} 像素，超过 {limits.scan_pixels // 1_000_000} 百万像素的上限"
            "（一页 A4 按 300 dpi 扫描约 870 万像素），已拒绝读取，未写入任何内容。",
            file=name,
        )


def _render(data: bytes, number: int, name: str, limits: Limits) -> Any:
    """Page ``number`` of a PDF drawn in grey at ``DPI``, with pdfium."""
    try:
        import pypdfium2
    except ImportError:
        raise UnsupportedFormatError(
            f"PDF 中有扫描页，识别它们需要文字识别组件，本机没有安装。请运行 {INSTALL}。", file=name
        ) from None
    document = pypdfium2.PdfDocument(data)
    try:
        page = document[number - 1]
        width, height = page.get_size()
        _check_pixels((int(width * DPI / 72), int(height * DPI / 72)), name, limits)
        return page.render(scale=DPI / 72, grayscale=True).to_pil()
    finally:
        document.close()


def _cached(key: str, number: int, recognise: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A page's recognised lines, kept by the file's checksum and the page's number."""
    made = remembered(f"{key}-{number}-{ENGINE}.json", lambda: json.dumps(recognise(), ensure_ascii=False).encode())
    return json.loads(made)
