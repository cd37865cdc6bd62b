"""Read an issue published as a PDF into blocks, with pdfminer.six.

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
from dataclasses import dataclass

from .blocks import Block
from .errors import UnreadableFileError
from .furniture import printed_number, repeated_key, running_keys

BAND = 0.08  # top and bottom eighth-ish of the page where running headers and footers live
_ASCII = re.compile(r"[A-Za-z0-9]")


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    y0: float
    y1: float
    size: float
    bold: bool


@dataclass
class _Box:
    lines: list[_Line]
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
    pages = _extract(data, name)
    if not any(box.text.strip() for boxes, _ in pages for box in boxes):
        raise UnreadableFileError(
            "PDF 中没有文字层（可能是扫描件或图片）。本系统不做文字识别（OCR）；请提供带文字的 PDF、Word 或文本文件。",
            file=name,
        )
    body_boxes, printed = _strip_running_lines(pages)
    page_lines = [
        sorted((ln for box in boxes for ln in box.lines), key=lambda ln: (-ln.y1, ln.x0)) for boxes in body_boxes
    ]
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


def _extract(data: bytes, name: str) -> list[tuple[list[_Box], float]]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTTextContainer, LTTextLine
    from pdfminer.pdfdocument import PDFEncryptionError
    from pdfminer.psexceptions import PSException

    try:
        pages = []
        for page_number, layout in enumerate(extract_pages(io.BytesIO(data), laparams=LAParams()), start=1):
            boxes = []
            for element in layout:
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
                        _Line(
                            text=text,
                            x0=line.x0,
                            x1=line.x1,
                            y0=line.y0,
                            y1=line.y1,
                            size=statistics.median(c.size for c in chars),
                            bold=all("bold" in c.fontname.lower() or "hei" in c.fontname.lower() for c in chars),
                        )
                    )
                if lines:
                    boxes.append(_Box(lines, page_number))
            boxes.sort(key=lambda b: (-round(b.top), b.lines[0].x0))
            pages.append((boxes, float(layout.height)))
    except PDFEncryptionError:
        raise UnreadableFileError("PDF 已加密，无法读取文字。请提供未加密的 PDF。", file=name) from None
    except (PSException, ValueError, TypeError, KeyError, AttributeError, IndexError, OSError) as exc:
        raise UnreadableFileError(
            f"PDF 文件已损坏，无法读取（{type(exc).__name__}）。请重新导出 PDF 后再试。", file=name
        ) from None
    return pages


def _strip_running_lines(pages: list[tuple[list[_Box], float]]) -> tuple[list[list[_Box]], list[int | None]]:
    """Drop page numbers and text repeated in the top or bottom band; return each page's printed number."""

    def band_key(box: _Box, height: float) -> str | None:
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


def _paragraphs(lines: list[_Line], margin: float, right: float, size: float) -> list[list[_Line]]:
    """Group a page's lines into paragraphs by the page's own typography."""
    out: list[list[_Line]] = []
    for line in lines:
        if out:
            prev = out[-1][-1]
            new = (
                line.x0 - margin > size * 0.8  # first-line indent (or a centred heading)
                or abs(line.size - prev.size) > size * 0.1  # type size changes: a heading starts or ends
                or prev.y0 - line.y1 > size * 0.9  # extra space between the lines
                # Justified text fills the line; a line that stops short ends its paragraph (or is a title).
                or right - prev.x1 > size * 1.5
            )
            if not new:
                out[-1].append(line)
                continue
        out.append([line])
    return out


def _join(lines: list[_Line]) -> str:
    text = ""
    for line in lines:
        part = line.text.strip()
        if text and _ASCII.match(text[-1]) and part and _ASCII.match(part[0]):
            text += " "
        text += part
    return re.sub(r"[ \u00a0\u3000]+", " ", text).strip()
