"""Blocks: the common form every reader produces before structure is found.

A block is a heading, a paragraph line or a horizontal rule, with the source
line it came from and how many blank lines preceded it (a gap is how a page
break shows in converted text). Markdown and plain text are read here; HTML
in ``html_reader``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["heading", "para", "rule"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    line: int
    level: int = 0
    bold: bool = False
    gap: int = 0
    # The printed page the block is on, where the source has pages (PDF).
    page: int | None = None
    # The source says this block continues the previous paragraph (a PDF page that starts unindented).
    continues: bool = False


class Read(list):
    """A reader's blocks and what it doubted (text recognised from a scan), for a person to check."""

    def __init__(self, blocks: list[Block], doubts: list[tuple[str, str]]):
        super().__init__(blocks)
        self.doubts = doubts  # (kind, message) pairs


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,}|—{3,})\s*$")
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]+)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]+)>")
_BOLD = re.compile(r"(\*\*|__)(.+?)\1")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")
_WHOLLY_BOLD = re.compile(r"^\s*(\*\*|__)(.+?)\1\s*$")
_SPACES = re.compile(r"[ \u00a0\u3000]+")


def clean_inline(text: str) -> str:
    """Strip Markdown inline markers, keeping the words a reader sees."""
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _BOLD.sub(r"\2", text)
    text = _ESCAPE.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()


def read_markdown(text: str) -> list[Block]:
    """Blocks from Markdown or plain text, one line each (tabs kept for TOC lines)."""
    blocks: list[Block] = []
    gap = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.replace("\ufeff", "").rstrip()
        if not line.strip():
            gap += 1
            continue
        if _RULE.match(line):
            blocks.append(Block("rule", "", number, gap=gap))
        elif heading := _HEADING.match(line):
            title = clean_inline(heading.group(2))
            bold = bool(_WHOLLY_BOLD.match(heading.group(2)))
            if title:
                blocks.append(Block("heading", title, number, len(heading.group(1)), bold, gap))
        else:
            bold = bool(_WHOLLY_BOLD.match(line))
            cells = [clean_inline(cell) for cell in line.split("\t")]
            joined = "\t".join(cell for cell in cells if cell)
            if joined:
                blocks.append(Block("para", joined, number, bold=bold, gap=gap))
        gap = 0
    return blocks
