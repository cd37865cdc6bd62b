"""Read a source file of any supported form into a ParsedIssue."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .blocks import read_markdown
from .docx_reader import read_docx
from .encoding import decode
from .errors import ArchiveError, NotABulletinError, UnsupportedFormatError
from .html_reader import read_html
from .model import ParsedIssue
from .pdf_reader import read_pdf
from .structure import parse_blocks

TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
BINARY_SUFFIXES = (".docx", ".pdf")
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + BINARY_SUFFIXES
# The suffix a file gets in the corpus when it arrives without one.
FORM_SUFFIX = {"markdown": ".md", "text": ".txt", "html": ".html", "docx": ".docx", "pdf": ".pdf"}
_HTML_START = re.compile(r"^\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<!--)", re.I)
_HTML_TAGS = re.compile(r"<(?:p|div|h[1-6]|table|body)\b", re.I)


def read_file(path: str | Path) -> ParsedIssue:
    """Read and parse one issue file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArchiveError(f"无法读取文件：{exc.strerror}。请检查路径和权限。", file=str(path)) from None
    return read_bytes(data, str(path))


def read_bytes(data: bytes, name: str) -> ParsedIssue:
    """Parse an issue from ``data``; ``name`` (a file name) tells its form and names it in errors."""
    suffix = Path(name).suffix.lower()
    if suffix and suffix not in SUFFIXES:
        raise UnsupportedFormatError(f"不支持“{suffix}”格式。请提供 {'、'.join(SUFFIXES)} 文件。", file=name)
    binary = _binary_form(data, suffix)
    is_html = False
    if binary == "docx":
        blocks, form, encoding = read_docx(data, name), "docx", "binary"
    elif binary == "pdf":
        blocks, form, encoding = read_pdf(data, name), "pdf", "binary"
    else:
        text, encoding = decode(data, name)
        is_html = suffix in HTML_SUFFIXES or (not suffix and looks_like_html(text))
        if is_html:
            blocks, form = read_html(text), "html"
        else:
            blocks = read_markdown(text)
            form = "markdown" if any(b.kind == "heading" for b in blocks) else "text"
    try:
        return parse_blocks(blocks, name=name, sha256=hashlib.sha256(data).hexdigest(), form=form, encoding=encoding)
    except NotABulletinError as exc:
        if is_html:
            raise type(exc)(f"这个 HTML 页面不是一期简报：{exc.message}", file=name, line=exc.line) from None
        raise


def _binary_form(data: bytes, suffix: str) -> str | None:
    """docx or pdf, by suffix or (for a file without one) by its first bytes."""
    if suffix == ".docx" or (not suffix and data.startswith(b"PK\x03\x04") and b"word/" in data[:4096]):
        return "docx"
    if suffix == ".pdf" or (not suffix and data.lstrip()[:5] == b"%PDF-"):
        return "pdf"
    return None


def looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text) or len(_HTML_TAGS.findall(text[:4096])) >= 3)
