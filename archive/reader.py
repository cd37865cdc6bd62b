"""Read a source file of any supported form into a ParsedIssue."""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from .blocks import Block, read_markdown
from .errors import ArchiveError, NotABulletinError, UnsupportedFormatError
from .limits import check_size
from .model import ParsedIssue, ParseWarning
from .readers.docx import read_docx
from .readers.encoding import decode
from .readers.pdf import read_pdf
from .structure.segment import parse_blocks

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Form:
    """One kind of source file: its name, what the report calls it, its suffixes (the first is the corpus's
    for a file that arrives without one), and its reader (bytes for binary forms, decoded text otherwise)."""

    name: str
    label: str
    suffixes: tuple[str, ...]
    binary: bool
    read: Callable[..., list[Block]]


# Every form the archive reads, registered once: dispatch, reports, messages and upload checks use this table.
FORMS: tuple[Form, ...] = (
    Form("markdown", "Markdown", (".md", ".markdown"), False, read_markdown),
    Form("text", "纯文本", (".txt", ".text"), False, read_markdown),
    Form("html", "HTML", (".html", ".htm", ".xhtml"), False, lambda text, name: _read_html(text)),
    Form("docx", "Word", (".docx",), True, read_docx),
    Form("pdf", "PDF", (".pdf",), True, read_pdf),
    Form("doc", "Word 97–2003", (".doc",), True, lambda data, name: _read_legacy(data, name)),
    Form("wps", "WPS", (".wps",), True, lambda data, name: _read_legacy(data, name)),
    Form(
        "image",
        "扫描图片",
        (".png", ".jpg", ".jpeg", ".tif", ".tiff"),
        True,
        lambda data, name: _read_image(data, name),
    ),
)
# The first bytes of each image form, for a file that arrives without a suffix.
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
BY_NAME = {f.name: f for f in FORMS}


def _read_html(text: str) -> list[Block]:
    # Imported on first use, as the Word and PDF readers' libraries are: a server that never reads an upload
    # does not carry BeautifulSoup and lxml.
    from .readers.html import read_html

    return read_html(text)


def _read_legacy(data: bytes, name: str) -> list[Block]:
    from .readers.office import read_legacy

    return read_legacy(data, name)


def _read_image(data: bytes, name: str) -> list[Block]:
    from .readers.ocr import read_image

    return read_image(data, name)


BY_SUFFIX = {suffix: f for f in FORMS for suffix in f.suffixes}
SUFFIXES = tuple(BY_SUFFIX)
FORM_SUFFIX = {f.name: f.suffixes[0] for f in FORMS}
TEXT_FORMS = "、".join(f.label for f in FORMS if not f.binary)
_HTML_START = re.compile(r"^\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<!--)", re.I)
_HTML_TAGS = re.compile(r"<(?:p|div|h[1-6]|table|body)\b", re.I)
# What no page, feed or export may carry: control characters other than tab and line breaks (C0, DEL, C1),
# and the code points XML forbids (lone surrogates, U+FFFE, U+FFFF).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def read_file(path: str | Path) -> ParsedIssue:
    """Read and parse one issue file."""
    path = Path(path)
    try:
        check_size(path.stat().st_size, str(path))
        data = path.read_bytes()
    except OSError as exc:
        raise ArchiveError(f"无法读取文件：{exc.strerror}。请检查路径和权限。", file=str(path)) from None
    return read_bytes(data, str(path))


def read_bytes(data: bytes, name: str, *, progress: Progress | None = None) -> ParsedIssue:
    """Parse an issue from ``data``; ``name`` (a file name) tells its form and names it in errors. ``progress``
    is told (pages done, pages in all) as the pages of a scan are recognised."""
    if progress is not None:
        from .readers.ocr import reporting

        with reporting(progress):
            return read_bytes(data, name)
    check_size(len(data), name)
    suffix = Path(name).suffix.lower()
    if suffix and suffix not in BY_SUFFIX:
        raise UnsupportedFormatError(f"不支持“{suffix}”格式。请提供 {'、'.join(SUFFIXES)} 文件。", file=name)
    binary = _binary_form(data, suffix)
    is_html = False
    if binary is not None:
        blocks, form, encoding = binary.read(data, name), binary.name, "binary"
    else:
        text, encoding = decode(data, name, expected=TEXT_FORMS)
        typed = BY_SUFFIX.get(suffix)
        is_html = (typed is not None and typed.name == "html") or (not suffix and looks_like_html(text))
        if is_html:
            blocks, form = BY_NAME["html"].read(text, name), "html"
        else:
            blocks = read_markdown(text)
            form = "markdown" if any(b.kind == "heading" for b in blocks) else "text"
    doubts = [ParseWarning(None, message, kind) for kind, message in getattr(blocks, "doubts", ())]
    blocks, cleaned = _without_controls(blocks)
    cleaned = [*doubts, *cleaned]
    try:
        parsed = parse_blocks(blocks, name=name, sha256=hashlib.sha256(data).hexdigest(), form=form, encoding=encoding)
    except NotABulletinError as exc:
        if is_html:
            raise type(exc)(f"这个 HTML 页面不是一期简报：{exc.message}", file=name, line=exc.line) from None
        raise
    parsed = replace(parsed, warnings=(*cleaned, *parsed.warnings)) if cleaned else parsed
    return _located(parsed, blocks)


def _located(parsed: ParsedIssue, blocks: list[Block]) -> ParsedIssue:
    """Each warning's place in the file's own terms: page and paragraph in a file with pages (a PDF, a scan),
    paragraph in a Word file; text keeps its line."""
    if parsed.form in ("pdf", "image"):
        on_page: dict[int | None, int] = {}
        places = []
        for block in blocks:
            on_page[block.page] = on_page.get(block.page, 0) + 1
            places.append((block.line, f"第 {block.page} 页第 {on_page[block.page]} 段" if block.page else ""))
    elif parsed.form in ("docx", "doc", "wps"):
        places = [(block.line, f"第 {block.line} 段") for block in blocks]
    else:
        return parsed
    lines = [line for line, _ in places]

    def where(line: int | None) -> str:
        at = bisect.bisect_left(lines, line) if line else len(lines)
        return places[at][1] if at < len(places) else ""

    return replace(parsed, warnings=tuple(replace(w, where=where(w.line)) for w in parsed.warnings))


def slow_to_read(data: bytes, name: str) -> bool:
    """Whether reading ``data`` takes more than a moment: text recognition (page images, a PDF with scanned
    pages) or a conversion by LibreOffice (.doc, .wps). An upload of such a file is read in the background."""
    form = _binary_form(data, Path(name).suffix.lower())
    if form is None:
        return False
    if form.name == "pdf":
        from .readers.pdf import pages_without_text

        return bool(pages_without_text(data))
    return form.name in ("doc", "wps", "image")


def _without_controls(blocks: list[Block]) -> tuple[list[Block], list[ParseWarning]]:
    """The blocks with control characters removed (a block left empty dropped), and a warning for each."""
    kept, warnings = [], []
    for block in blocks:
        found = _CONTROL.findall(block.text)
        if found:
            codes = "、".join(sorted({f"U+{ord(c):04X}" for c in found}))
            warnings.append(ParseWarning(block.line, f"删去了 {len(found)} 个控制字符（{codes}）", "cleaned"))
            block = replace(block, text=_CONTROL.sub("", block.text))
            if not block.text.strip():
                continue
        kept.append(block)
    return kept, warnings


def _binary_form(data: bytes, suffix: str) -> Form | None:
    """The binary form, by suffix or (for a file without one) by its first bytes."""
    typed = BY_SUFFIX.get(suffix)
    if typed is not None:
        return typed if typed.binary else None
    if data.startswith(b"PK\x03\x04") and b"word/" in data[:4096]:
        return BY_NAME["docx"]
    if data.lstrip()[:5] == b"%PDF-":
        return BY_NAME["pdf"]
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # a compound file: Word 97–2003 (or WPS)
        return BY_NAME["doc"]
    if data.startswith(_IMAGE_MAGIC):
        return BY_NAME["image"]
    return None


def looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text) or len(_HTML_TAGS.findall(text[:4096])) >= 3)
