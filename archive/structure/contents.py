"""The table of contents: reading it, and matching the body's titles to its entries.

The contents are the authority on what is an article (see ``structure``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from difflib import SequenceMatcher

from ..blocks import Block
from ..model import TocEntry
from .repair import is_complete

SECTION = re.compile(r"^【\s*([^】]{1,16}?)\s*】\s*(?:[\t .…·．_—\-]*(\d{1,3}))?$")
TOC_MARKERS = {"目录", "本期目录", "目次", "本期要目"}
MAX_TITLE = 80
_TOC_LINE = re.compile(
    r"^(?P<title>\S.*?)(?:\s*\t+\s*|\s*[.…·．_—\-]{2,}\s*|\s+|(?<=[\u4e00-\u9fff）”]))(?P<page>\d{1,3})$"
)
_NORM_DROP = re.compile(r"[\s*_#·•]+")
_NORM_MAP = str.maketrans({":": "：", "“": '"', "”": '"', "「": '"', "」": '"', "『": '"', "』": '"', ",": "，"})

Warn = Callable[[int | None, str, str], None]


def read_toc(blocks: list[Block], start: int, warn: Warn) -> tuple[list[TocEntry], int]:
    """The contents starting at ``blocks[start]`` and the index of the first body block.

    Without article entries, only the sections are returned and the body starts at ``start``.
    """
    entries: list[TocEntry] = []
    seen: set[str] = set()
    section = ""
    marker = False
    i = start
    while i < len(blocks):
        block = blocks[i]
        text = block.text.strip()
        if text.replace(" ", "") in TOC_MARKERS and not entries:
            marker = True
        elif sec := SECTION.match(text):
            name = sec.group(1)
            if name in seen or (block.kind == "heading" and sec.group(2) is None):
                break  # the body's first section
            seen.add(name)
            section = name
            page = int(sec.group(2)) if sec.group(2) else None
            entries.append(TocEntry(name, name, page, block.line, is_section=True))
        elif (m := toc_line(text)) and block.kind == "para":
            entries.append(TocEntry(m.group("title").strip(), section, int(m.group("page")), block.line))
        elif marker and block.kind == "para" and len(text) <= MAX_TITLE and not is_complete(text):
            entries.append(TocEntry(text, section, None, block.line))
        else:
            break
        i += 1
    if not any(not e.is_section for e in entries):
        first = blocks[start].line if start < len(blocks) else None
        warn(first, "没有找到目录，按“单位：标题”形式的标题切分文章；请核对文章是否齐全。", "no-toc")
        return [e for e in entries if e.is_section], start
    return entries, i


def toc_line(text: str) -> re.Match[str] | None:
    """A contents line ("标题 …… 12"), or None."""
    match = _TOC_LINE.match(text)
    if match and len(match.group("title")) <= MAX_TITLE and not is_complete(match.group("title")):
        return match
    return None


class TocMatcher:
    """Match body titles to contents entries, allowing a character or two of difference."""

    def __init__(self, entries: list[TocEntry]):
        self.entries = entries
        self.keys = [_norm(e.title) for e in entries]
        self.used: set[int] = set()

    def peek(self, text: str) -> bool:
        key = _norm(text)
        return any(k == key for i, k in enumerate(self.keys) if i not in self.used)

    def match(self, text: str, following: str | None) -> tuple[TocEntry, bool, bool] | None:
        """The entry for title ``text`` (or ``text`` + ``following``): (entry, exact, used_following)."""
        key = _norm(text)
        if not key:
            return None
        free = [i for i in range(len(self.entries)) if i not in self.used]
        for i in free:
            if self.keys[i] == key:
                return self._take(i, True, False)
        if following is not None and len(key) >= 4:
            joined = key + _norm(following)
            for i in free:
                if self.keys[i].startswith(key) and self.keys[i] == joined:
                    return self._take(i, True, True)
        best, best_ratio = None, 0.0
        for i in free:
            other = self.keys[i]
            if abs(len(other) - len(key)) > max(2, len(other) // 8):
                continue
            ratio = SequenceMatcher(None, key, other).ratio()
            if ratio > best_ratio:
                best, best_ratio = i, ratio
        if best is not None and best_ratio >= 0.85:
            return self._take(best, False, False)
        return None

    def _take(self, i: int, exact: bool, used_next: bool) -> tuple[TocEntry, bool, bool]:
        self.used.add(i)
        return self.entries[i], exact, used_next

    def missing(self) -> list[TocEntry]:
        return [e for i, e in enumerate(self.entries) if i not in self.used]


def _norm(text: str) -> str:
    return _NORM_DROP.sub("", text).translate(_NORM_MAP)
