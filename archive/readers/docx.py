"""Read an issue produced as a Word document (.docx) into blocks.

Paragraphs and tables are taken in document order. Headings come from the
paragraph style (Heading N, 标题 N, Title) or from form (a paragraph entirely
in bold). Word's own table of contents (TOC N styles, or a TOC field) reads as
"title<TAB>page" lines, like a typed one. A table becomes tab-separated rows. Text boxes (a masthead is
often set in one) are read where they are anchored.
A block's "line" is its paragraph number in the document.
"""

from __future__ import annotations

import io
import re
import zipfile

from ..blocks import Block
from ..errors import UnreadableFileError
from ..limits import check_zip

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
_TOC_STYLE = re.compile(r"^(?:toc|目录)\s*\d*$", re.I)
_SPACES = re.compile(r"[ \u00a0\u3000]+")


def read_docx(data: bytes, name: str) -> list[Block]:
    check_zip(data, name)
    try:
        from docx import Document
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover - python-docx is a dependency
        raise UnreadableFileError("读取 .docx 需要 python-docx。请运行 pip install python-docx。", file=name) from None
    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableFileError(
            f".docx 文件已损坏，无法打开（{type(exc).__name__}）。请用 Word 重新保存后再试。", file=name
        ) from None
    except Exception as exc:  # python-docx raises many kinds of error for a damaged package
        raise UnreadableFileError(
            f".docx 文件无法读取（{type(exc).__name__}: {exc}）。请用 Word 重新保存后再试。", file=name
        ) from None
    blocks: list[Block] = []
    number = 0
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            for boxed in _text_boxes(element):
                number += 1
                if (block := _paragraph(Paragraph(boxed, document), number)) is not None:
                    blocks.append(block)
            number += 1
            block = _paragraph(Paragraph(element, document), number)
            if block is not None:
                blocks.append(block)
        elif tag == "tbl":
            for row in Table(element, document).rows:
                number += 1
                cells = [_clean(c.text) for c in _unique_cells(row)]
                text = "\t".join(c for c in cells if c)
                if text:
                    blocks.append(Block("para", text, number))
    return blocks


def _paragraph(paragraph, number: int) -> Block | None:
    text = _clean(paragraph.text, keep_tabs=True)
    if not text:
        return None
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if heading := _HEADING_STYLE.match(style):
        return Block("heading", text.replace("\t", " "), number, int(heading.group(1)))
    if style.lower() == "title":
        return Block("heading", text, number, 1)
    if _TOC_STYLE.match(style):
        return Block("para", text, number)
    runs = [r for r in paragraph.runs if r.text.strip()]
    bold = bool(runs) and all(r.bold or (r.style is not None and r.style.font.bold) for r in runs)
    return Block("para", text, number, bold=bold)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _text_boxes(paragraph):
    """The paragraphs inside the text boxes anchored in ``paragraph`` (a masthead is often set in one).

    Word writes each box twice, as a drawing and as a VML fallback; the fallback is skipped.
    """
    out = []
    for content in paragraph.iter(f"{_W}txbxContent"):
        if any(ancestor.tag == _FALLBACK for ancestor in content.iterancestors()):
            continue
        out.extend(content.iter(f"{_W}p"))
    return out


def _unique_cells(row):
    """Merged cells repeat in python-docx's row.cells; keep each once."""
    seen, out = set(), []
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            out.append(cell)
    return out


def _clean(text: str, keep_tabs: bool = False) -> str:
    if keep_tabs:
        return "\t".join(_SPACES.sub(" ", part).strip() for part in text.split("\t")).strip("\t ")
    return _SPACES.sub(" ", text.replace("\t", " ")).strip()
