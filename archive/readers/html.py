"""Read an issue published as an HTML page into blocks.

Site chrome (scripts, styles, navigation, sidebars, footers) is dropped before
any text is taken, so it can never reach an article. Headings keep their
level; table rows become tab-separated lines so a table of contents reads the
same as in the text form.
"""

from __future__ import annotations

import re
import warnings

from bs4 import (
    BeautifulSoup,
    Comment,
    Declaration,
    Doctype,
    MarkupResemblesLocatorWarning,
    NavigableString,
    ProcessingInstruction,
    Tag,
)

from ..blocks import Block, BlockKind

_DROP_TAGS = (
    "script", "style", "noscript", "template", "nav", "footer", "aside", "form",
    "iframe", "button", "select", "input", "textarea", "svg", "canvas", "object",
    "embed", "map", "link", "meta",
)  # fmt: skip
_CHROME = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|menu|footer|foot|breadcrumbs?|crumbs?|sidebar|banner|"
    r"copyright|share|toolbar|pager|pagination|skip|topbar|site-?header)(?:[-_\s\d]|$)",
    re.I,
)
_BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "section", "article", "main",
    "blockquote", "pre", "table", "thead", "tbody", "tfoot", "center", "figure",
    "figcaption", "address", "body", "html", "caption", "header",
}  # fmt: skip
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BOLD_TAGS = {"strong", "b"}
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.I)
_SPACES = re.compile(r"[ \t\r\n\u00a0\u3000]+")
_ISSUE_NO = re.compile(r"\d{4}\s*年\s*第")


def read_html(text: str) -> list[Block]:
    """Blocks from an HTML page, with site chrome removed."""
    with warnings.catch_warnings():
        # A short page may look like a file name or an address to BeautifulSoup; it is always the page's text.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(text, "lxml")
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all("header"):
        if not tag.find_parent(("article", "main")):
            tag.decompose()
    for tag in soup.find_all(_is_chrome):
        if not tag.decomposed:
            tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    if soup.title:
        soup.title.decompose()
    walker = _Walker(text)
    walker.walk(soup.body or soup)
    walker.flush()
    blocks = walker.blocks
    if title and not any(_ISSUE_NO.search(b.text) for b in blocks[:20]):
        # Some pages carry the issue number only in <title>.
        blocks.insert(0, Block("para", title, 1))
    return blocks


def _is_chrome(tag: Tag) -> bool:
    if tag.name in ("html", "body", "main", "article"):
        return False
    attrs = " ".join([tag.get("id") or "", *(tag.get("class") or [])])
    role = tag.get("role") or ""
    return bool(attrs and _CHROME.search(attrs)) or role in ("navigation", "banner", "contentinfo")


class _Walker:
    """Collect blocks in document order, splitting at block tags and <br>."""

    def __init__(self, source: str):
        self.source = source
        self.cursor = 0
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.bold_chars = 0
        self.plain_chars = 0

    def walk(self, node: Tag, bold: bool = False) -> None:
        for child in node.children:
            if isinstance(child, (Comment, Doctype, Declaration, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString):
                self._add_text(str(child), bold)
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name == "br":
                self.flush()
            elif name == "hr":
                self.flush()
                self.blocks.append(Block("rule", "", self._line_of("<hr")))
            elif name in _HEADINGS:
                self.flush()
                self.walk(child, bold)
                self.flush("heading", _HEADINGS[name])
            elif name == "tr":
                self.flush()
                cells = [_SPACES.sub(" ", c.get_text(" ", strip=True)) for c in child.find_all(("td", "th"))]
                row = "\t".join(c for c in cells if c)
                if row:
                    self.blocks.append(Block("para", row, self._line_of(row)))
            elif name in _BLOCK_TAGS:
                self.flush()
                self.walk(child, bold)
                self.flush()
            else:
                is_bold = bold or name in _BOLD_TAGS or bool(_BOLD_STYLE.search(child.get("style") or ""))
                self.walk(child, is_bold)

    def _add_text(self, text: str, bold: bool) -> None:
        self.parts.append(text)
        weight = len(text.strip())
        if bold:
            self.bold_chars += weight
        else:
            self.plain_chars += weight

    def flush(self, kind: BlockKind = "para", level: int = 0) -> None:
        text = _SPACES.sub(" ", "".join(self.parts)).strip()
        bold = self.bold_chars > 0 and self.plain_chars == 0
        self.parts, self.bold_chars, self.plain_chars = [], 0, 0
        if text:
            self.blocks.append(Block(kind, text, self._line_of(text), level, bold))

    def _line_of(self, text: str) -> int:
        """Source line of ``text``, found by searching forward from the last block."""
        for size in (12, 6, 2):
            probe = text[:size]
            pos = self.source.find(probe, self.cursor)
            if probe and pos >= 0:
                self.cursor = pos
                break
        return self.source.count("\n", 0, self.cursor) + 1
