"""Read an issue published as a PDF into blocks, with pdfminer.six (and, for pages that are only pictures,
text recognition: ``ocr``).

Text comes in reading order, one block per paragraph. Running headers and
footers (what repeats at the top or bottom of the pages, and page numbers)
are removed here, and each block remembers its printed page, so that the
contents' page numbers can be checked against where an article really starts.
A paragraph that continues on the next page starts there without the
first-line indent; such a block is marked to join the paragraph before it.
A block's "line" is its line number in the extracted text.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from ..blocks import Block, Read
from ..errors import UnreadableFileError
from ..furniture import printed_number, repeated_key, running_keys
from ..limits import check_pdf

BAND = 0.08  # top and bottom eighth-ish of the page where running headers and footers live
_ASCII = re.compile(r"[A-Za-z0-9]")
_AUTOSPACE = re.compile(
    r"(?<=[\u4e00-\u9fff，。：；、）”]) (?=[A-Za-z0-9])"
    r"|(?<=[A-Za-z0-9%]) (?=[\u4e00-\u9fff，。：；、（“])"
)
_CELL = 16  # pieces no longer than this, side by side on one line, are the cells of a table row


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    y0: float
    y1: float
    size: float
    bold: bool
    chars: list[tuple[float, float, str]] = field(default_factory=list)  # (x0, x1, text) of each glyph
    column: tuple[float, float] | None = None  # the left and right edge of its column, on a page of columns
    ink: bool = False  # its ends are where its ink ends (recognised on a scan), not where its type does


@dataclass
class Box:
    lines: list[Line]
    page: int

    @property
    def top(self) -> float:
        return max(line.y1 for line in self.lines)

    @property
    def bottom(self) -> float:
        return min(line.y0 for line in self.lines)

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)


def read_pdf(data: bytes, name: str) -> list[Block]:
    check_pdf(data, name)
    pages, scanned = _extract(data, name)
    doubts: list[tuple[str, str]] = []
    if scanned:
        from .ocr import recognise_pdf

        recognised, doubts = recognise_pdf(data, scanned, name)
        pages = [recognised.get(number, page) for number, page in enumerate(pages, start=1)]
    if not any(box.text.strip() for boxes, _ in pages for box in boxes) and not scanned:
        raise UnreadableFileError(
            "PDF 中没有文字层，也没有可以识别文字的扫描页（只有图形或空白页）。请提供 Word 原件或带文字层的 PDF。",
            file=name,
        )
    if not any(box.text.strip() for boxes, _ in pages for box in boxes):
        raise UnreadableFileError(
            "PDF 中没有文字，文字识别也没有认出文字。请提供 Word 原件或更清晰的扫描件。", file=name
        )
    blocks = layout(pages, name)
    return Read(blocks, doubts) if doubts else blocks


def layout(pages: list[tuple[list[Box], float]], name: str) -> list[Block]:
    """Blocks from each page's boxes of lines (a text layer's, or lines recognised on a scan) and its height."""
    body_boxes, printed = _strip_running_lines(pages)
    page_lines = [_columns(_rows([ln for box in boxes for ln in box.lines])) for boxes in body_boxes]
    lines = [line for page in page_lines for line in page]
    if not lines:
        raise UnreadableFileError("PDF 中除页眉页脚外没有正文。请确认这是一期简报。", file=name)
    size = statistics.median(line.size for line in lines)
    margin = Counter(round(line.x0) for line in lines).most_common(1)[0][0]
    # Where full lines end: most lines of a long issue, but few of a short one, so not the mode.
    ends = sorted(line.x1 for line in lines)
    right = ends[int(len(ends) * 0.9)]
    blocks: list[Block] = []
    number = 0
    for index, page in enumerate(page_lines):
        for order, para in enumerate(_paragraphs(page, margin, right, size)):
            number += len(para)
            text = _join(para)
            if not text:
                continue
            heading = statistics.mean(line.size for line in para) >= size * 1.15
            indented = para[0].x0 - margin > size * 0.8
            blocks.append(
                Block(
                    "heading" if heading else "para",
                    text,
                    number,
                    level=2 if heading else 0,
                    bold=all(line.bold for line in para),
                    gap=1 if order == 0 else 0,
                    page=printed[index],
                    # A page that opens unindented in body type continues the paragraph from the page before.
                    continues=order == 0 and index > 0 and not heading and not indented,
                )
            )
    return blocks


def _extract(data: bytes, name: str) -> tuple[list[tuple[list[Box], float]], list[int]]:
    """Each page's boxes of text and height, and the numbers of the pages that are only pictures (scans)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTFigure, LTImage, LTTextContainer, LTTextLine
    from pdfminer.pdfdocument import PDFEncryptionError
    from pdfminer.psexceptions import PSException

    scanned: list[int] = []
    try:
        pages = []
        for page_number, layout in enumerate(extract_pages(io.BytesIO(data), laparams=LAParams()), start=1):
            boxes = []
            pictures = False
            for element in layout:
                if isinstance(element, (LTFigure, LTImage)):
                    pictures = True
                if not isinstance(element, LTTextContainer):
                    continue
                lines = []
                for line in element:
                    if not isinstance(line, LTTextLine):
                        continue
                    chars = [c for c in line if isinstance(c, LTChar)]
                    text = line.get_text().rstrip("\n")
                    if not text.strip() or not chars:
                        continue
                    lines.append(
                        Line(
                            text=text,
                            x0=line.x0,
                            x1=line.x1,
                            y0=line.y0,
                            y1=line.y1,
                            size=statistics.median(c.size for c in chars),
                            bold=all("bold" in c.fontname.lower() or "hei" in c.fontname.lower() for c in chars),
                            chars=[(c.x0, c.x1, c.get_text()) for c in chars],
                        )
                    )
                if lines:
                    boxes.append(Box(lines, page_number))
            boxes.sort(key=lambda b: (-round(b.top), b.lines[0].x0))
            if pictures and not boxes:
                scanned.append(page_number)
            pages.append((boxes, float(layout.height)))
    except PDFEncryptionError:
        raise UnreadableFileError("PDF 已加密，无法读取文字。请提供未加密的 PDF。", file=name) from None
    # pdfminer signals some damage with assert (an octal escape past 255, for one).
    except (PSException, ValueError, TypeError, KeyError, AttributeError, IndexError, OSError, AssertionError) as exc:
        raise UnreadableFileError(
            f"PDF 文件已损坏，无法读取（{type(exc).__name__}）。请重新导出 PDF 后再试。", file=name
        ) from None
    return pages, scanned


def _strip_running_lines(pages: list[tuple[list[Box], float]]) -> tuple[list[list[Box]], list[int | None]]:
    """Drop page numbers and text repeated in the top or bottom band; return each page's printed number."""

    def band_key(box: Box, height: float) -> str | None:
        if box.bottom >= height * (1 - BAND):
            return repeated_key(box.text, "top")
        if box.top <= height * BAND:
            return repeated_key(box.text, "bottom")
        return None

    running = running_keys([k for box in boxes if (k := band_key(box, height))] for boxes, height in pages)
    kept, printed = [], []
    for index, (boxes, height) in enumerate(pages):
        page_number: int | None = None
        body = []
        for box in boxes:
            key = band_key(box, height)
            number = printed_number(box.text.strip()) if key else None
            if number is not None:
                page_number = number
            elif key and key in running:
                continue
            else:
                body.append(box)
        kept.append(body)
        printed.append(page_number if page_number is not None else index + 1)
    return kept, printed


# A piece this short (a page number at a tab stop, a dot leader, a quotation mark set in another font)
# belongs to the line it stands beside, however far apart.
_FRAGMENT = re.compile(r"^[\s\d.…·．_—\-“”‘’\"'《》（）()]{1,12}$")


def _rows(lines: list[Line]) -> list[Line]:
    """A page's lines top to bottom, with what stands on the same line put back together.

    Office software places a contents entry's page number at a right-aligned tab stop, and may set a
    quotation mark in another font; the extractor gives each its own line. A fragment is joined to the
    line beside it (a tab for a wide gap), and three or more short pieces on one line are the cells of a
    table row; two pieces side by side otherwise stay apart, as the two columns of a page do.
    """
    ordered = sorted(lines, key=lambda ln: (-ln.y1, ln.x0))
    rows: list[Line] = []
    done: set[int] = set()
    for i, line in enumerate(ordered):
        if i in done:
            continue
        same = [j for j in range(i + 1, min(len(ordered), i + 12)) if j not in done and _level(ordered[j], line)]
        pieces = [line, *(ordered[j] for j in same)]
        row = Line(line.text, line.x0, line.x1, line.y0, line.y1, line.size, line.bold, list(line.chars), ink=line.ink)
        if len(pieces) >= 3 and all(len(p.text.strip()) <= _CELL for p in pieces):
            for j in same:
                _merge(row, ordered[j])
                done.add(j)
        else:
            for j in same:
                other = ordered[j]
                gap = max(other.x0 - row.x1, row.x0 - other.x1)
                if gap < min(row.size, other.size) * 0.5 or _FRAGMENT.match(other.text) or _FRAGMENT.match(row.text):
                    _merge(row, other)
                    done.add(j)
        rows.append(row)
    return rows


def _level(a: Line, b: Line) -> bool:
    """True when ``a`` and ``b`` stand on the same line of the page."""
    overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    return overlap > 0.5 * min(a.y1 - a.y0, b.y1 - b.y0)


def _merge(row: Line, line: Line) -> None:
    """Put ``line``'s glyphs into ``row`` where they stand: a wide gap is a tab, a narrow one a space."""
    main = row if len(row.text.strip()) >= len(line.text.strip()) else line
    size = main.size
    chars = sorted(row.chars + line.chars)
    text, previous = "", None
    for x0, x1, glyph in chars:
        if previous is not None:
            gap = x0 - previous
            if gap > 2 * size:
                text += "\t"
            elif gap > 0.3 * size and _ASCII.match(text[-1:] or "") and _ASCII.match(glyph):
                text += " "
        text += glyph
        previous = x1
    row.text, row.size, row.bold, row.chars = text, main.size, main.bold, chars
    row.x0, row.x1 = min(row.x0, line.x0), max(row.x1, line.x1)
    row.y0, row.y1 = min(row.y0, line.y0), max(row.y1, line.y1)


def _columns(rows: list[Line]) -> list[Line]:
    """Reading order for a page set in two columns: down the left column, then down the right, between the
    lines that span the page (a section heading above, a full-width paragraph below)."""
    if len(rows) < 6:
        return rows
    left_edge, right_edge = min(r.x0 for r in rows), max(r.x1 for r in rows)
    middle = (left_edge + right_edge) / 2
    left = [r for r in rows if r.x1 <= middle + 2]
    right = [r for r in rows if r.x0 >= middle - 2]
    if len(left) < 3 or len(right) < 3:
        return rows
    out: list[Line] = []
    band: list[Line] = []

    def flush() -> None:
        columns = ([r for r in band if r.x1 <= middle + 2], [r for r in band if r.x0 >= middle - 2])
        for column in columns:
            if column:
                edges = (min(r.x0 for r in column), max(r.x1 for r in column))
                for r in column:
                    r.column = edges
                out.extend(column)
        band.clear()

    for row in rows:  # top to bottom
        if row.x1 <= middle + 2 or row.x0 >= middle - 2:
            band.append(row)
        else:
            flush()
            out.append(row)
    flush()
    return out


def _paragraphs(lines: list[Line], margin: float, right: float, size: float) -> list[list[Line]]:
    """Group a page's lines into paragraphs by the page's own typography (a column's, on a page of columns)."""
    out: list[list[Line]] = []
    page_margin, page_right = margin, right
    for line in lines:
        margin, right = line.column if line.column else (page_margin, page_right)
        if out and out[-1][-1].column != line.column:
            out.append([line])
            continue
        if out:
            prev = out[-1][-1]
            new = (
                line.x0 - margin > size * 0.8  # first-line indent (or a centred heading)
                or abs(line.size - prev.size) > size * 0.1  # type size changes: a heading starts or ends
                or prev.y0 - line.y1 > size * 0.9  # extra space between the lines
                # Justified text fills the line; a line that stops short ends its paragraph (or is a title). A
                # scan's line ends where its ink does, short of the type's end by a full stop's white.
                or right - prev.x1 > size * (3 if prev.ink else 1.5)
            )
            if not new:
                out[-1].append(line)
                continue
        out.append([line])
    return out


def _join(lines: list[Line]) -> str:
    text = ""
    for line in lines:
        part = line.text.strip()
        if text and _ASCII.match(text[-1]) and part and _ASCII.match(part[0]):
            text += " "
        text += part
    text = re.sub(r"[ \u00a0\u3000]+", " ", text).strip()
    # Office software sets a little space between Chinese and Latin letters or digits; it is not a character.
    return _AUTOSPACE.sub("", text)


def pages_without_text(data: bytes) -> list[int]:
    """The pages (counted from 1) whose resources name no font: pages with no text layer, found without laying
    anything out (a scan needs recognition, which takes seconds a page). Empty for a damaged file."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1
    from pdfminer.psexceptions import PSException

    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        return [n for n, page in enumerate(PDFPage.create_pages(document), start=1)
                if not resolve1((page.resources or {}).get("Font"))]  # fmt: skip
    except (PSException, ValueError, TypeError, KeyError, AttributeError, IndexError, OSError, AssertionError):
        return []
