"""The masthead: the title block at the top of an issue, with its number, date and publisher."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..blocks import Block
from ..errors import MissingFieldError
from .contents import SECTION, TOC_MARKERS, toc_line

DEFAULT_MASTHEAD = "北京城管科技信息动态"
_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ISSUE_NO = re.compile(r"(\d{4})\s*年\s*第\s*([0-9０-９]{1,3}|[〇零一二两三四五六七八九十]{1,3})\s*期")
_DATE_CN = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?!\d)")
_PUBLISHER = re.compile(r"(局|中心|委员会|办公室)$")


@dataclass(frozen=True)
class Masthead:
    year: int
    number: int
    date: dt.date
    title: str
    publisher: str | None

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.number}期"


def masthead_end(blocks: list[Block]) -> int:
    """Where the masthead ends: at the contents or the first section, else after a dozen blocks."""
    for i, block in enumerate(blocks):
        text = block.text.strip()
        if SECTION.match(text) or text.replace(" ", "") in TOC_MARKERS or toc_line(text):
            return i
    return min(len(blocks), 12)


def read_masthead(head: list[Block], name: str) -> Masthead:
    """The issue number, date, title and publisher in the masthead blocks ``head``."""
    issue_match: tuple[re.Match[str], Block] | None = None
    date: dt.date | None = None
    title, publisher = DEFAULT_MASTHEAD, None
    for block in head:
        text = block.text
        if issue_match is None and (m := _ISSUE_NO.search(text)):
            issue_match = (m, block)
            continue
        if date is None and (d := _DATE_CN.search(text) or _DATE_ISO.search(text)):
            date = _date(d, block, name)
            continue
        if "动态" in text and len(text) <= 20 and title == DEFAULT_MASTHEAD:
            title = text.strip()
        elif publisher is None and len(text) <= 40 and _PUBLISHER.search(text):
            publisher = text.strip()
    if issue_match is None:
        raise MissingFieldError(
            "找不到期号（应有形如“2017年第6期”的一行，位于刊头）。请在刊头补上年份和期号后重试。",
            file=name,
            line=head[0].line if head else None,
        )
    if date is None:
        raise MissingFieldError(
            "找不到出版日期（应有形如“2017年6月10日”的一行，位于刊头）。请在刊头补上日期后重试。",
            file=name,
            line=issue_match[1].line,
        )
    match, block = issue_match
    year, number = int(match.group(1)), _number(match.group(2))
    if not 1 <= number <= 99 or not 1949 <= year <= 2200:
        raise MissingFieldError(f"期号“{match.group(0)}”不合理。请检查刊头。", file=name, line=block.line)
    return Masthead(year, number, date, title, publisher)


def _date(match: re.Match[str], block: Block, name: str) -> dt.date:
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise MissingFieldError(
            f"出版日期“{match.group(0)}”不是有效日期。请改正刊头的日期。", file=name, line=block.line
        ) from None


def _number(text: str) -> int:
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(text, 0)
