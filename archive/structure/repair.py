"""Repairs of the damage that converting a printed PDF to text leaves behind.

A page break splits a paragraph in two ("…等执法手" / "段，进行…"), sometimes
repeating a character on both sides ("…设备的作用" / "用，在依法…"); joining
them is decided here (what the break leaves between them is ``furniture``'s).
Each repair is reported so a person can check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A paragraph that ends with one of these is complete; anything else stops mid-sentence.
_TERMINAL = "。！？!?；;…：:）)」』】》"
_CLOSING_QUOTES = "”’\"'"
_CLAUSE_PUNCT = "，,、。；;：:！!？?"
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


def is_complete(text: str) -> bool:
    """True when ``text`` ends a sentence (so a following paragraph is a new one)."""
    text = text.rstrip()
    if not text:
        return True
    last = text[-1]
    if last in _TERMINAL:
        return True
    if last in _CLOSING_QUOTES:
        return len(text) > 1 and text[-2] in _TERMINAL
    return False


@dataclass
class Para:
    """A paragraph being assembled, with the line where it started."""

    text: str
    line: int
    kind: str = "text"
    row: bool = False  # a table row: never joined to its neighbours


@dataclass(frozen=True)
class Join:
    """How a following block continues the paragraph before it."""

    text: str
    dropped: str = ""


def continuation(prev: str, nxt: str) -> Join | None:
    """If ``nxt`` continues ``prev`` across a break, return the joined text."""
    if not nxt:
        return None
    if nxt[0] in _CLAUSE_PUNCT:
        # A paragraph never opens with "，": the printed one went on across the page.
        return Join(_glue(prev.removesuffix("。"), nxt))
    core = prev.rstrip("。")
    for size in (3, 2, 1):
        fragment = nxt[:size]
        if (
            len(nxt) > size
            and nxt[size] in _CLAUSE_PUNCT
            and core.endswith(fragment)
            and not _ASCII_WORD.match(fragment)
        ):
            # "…的作用" + "用，在…": the fragment was printed on both pages.
            return Join(_glue(core, nxt[size:]), dropped=fragment)
    if not is_complete(prev):
        return Join(_glue(prev, nxt))
    return None


def _glue(left: str, right: str) -> str:
    if left and right and _ASCII_WORD.match(left[-1]) and _ASCII_WORD.match(right[0]):
        return f"{left} {right}"
    return left + right
