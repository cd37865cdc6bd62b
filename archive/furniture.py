"""Page furniture: page numbers, running headers and footers, which are not the issue's text.

Both the text readers (through ``structure``) and the PDF reader (by position on the page) drop them here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_PAGE_NUMBER = re.compile(r"^[\s\-—–－·]*(?:第\s*)?\d{1,3}\s*(?:页)?[\s\-—–－·]*$")
_PAGE_OF = re.compile(r"^(?:第\s*\d{1,3}\s*页\s*[,，/]?\s*)?共\s*\d{1,3}\s*页$")
_URL_ONLY = re.compile(r"^[<(（]?(?:https?://|www\.)\S+[>)）]?$", re.I)
_FOOTER_WORDS = ("欢迎投稿", "版权所有", "Copyright", "ICP备")
_DIGITS = re.compile(r"\d+")


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text) or _PAGE_OF.match(text))


def is_footer_line(text: str, masthead: str) -> bool:
    """A line of the site footer: a bare link, a submission notice, a copyright."""
    compact = text.replace(" ", "")
    if _URL_ONLY.match(compact):
        return True
    if any(word in text for word in _FOOTER_WORDS):
        return True
    head, sep, rest = compact.partition("：")
    return bool(sep and head == masthead and _URL_ONLY.match(rest))


def is_running_header(text: str, masthead: str, label: str) -> bool:
    """A page header repeating the bulletin's name and/or issue (e.g. "北京城管科技信息动态 2017年第6期")."""
    compact = re.sub(r"[\s·|｜/—\-]+", "", text)
    if not compact:
        return False
    rest = compact.replace(masthead, "").replace(label, "")
    return rest != compact and len(rest) <= 2


def repeated_key(text: str, place: str) -> str:
    """What a line at ``place`` (top or bottom band) shares with its twins on other pages: digits masked."""
    return f"{place}:{_DIGITS.sub('#', text.strip())}"


def running_keys(pages: Iterable[Iterable[str]]) -> set[str]:
    """The keys (see ``repeated_key``) found on at least half the pages (and on two at least): running lines."""
    pages = [set(keys) for keys in pages]
    counts = Counter(key for keys in pages for key in keys)
    threshold = max(2, len(pages) // 2)
    return {key for key, n in counts.items() if n >= threshold}


def printed_number(text: str) -> int | None:
    """The page number a page-number line states, if it is one."""
    return int(_DIGITS.search(text).group()) if is_page_number(text) and _DIGITS.search(text) else None
