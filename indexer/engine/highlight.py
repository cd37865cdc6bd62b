"""Snippets: fragments of a hit's text around its matches, matches in <mark>.

Matching is exact substring search in the stored text (whitespace between
tokens optional, ASCII case-insensitive), the same thing the gram index
matches, so nothing is re-segmented per hit. Overlapping matches are marked
once, at their longest; everything else is HTML-escaped.
"""

from __future__ import annotations

import bisect
import html
import re
from functools import lru_cache

from ..language.analysis import CJK_RANGES
from ..language.folding import normalise, simplified

FRAGMENT = 100
MAX_FRAGMENTS = 3
SEPARATOR = " … "
_TOKENS = re.compile(r"[A-Za-z0-9]+(?:\.[0-9]+)*|[^\sA-Za-z0-9]")
_HARD = re.compile("[。！？；!?;]")  # sentence breaks (a line break is read as a space)
_SOFT = re.compile("[，、：,:]")  # clause breaks
_LAST_HARD, _LAST_SOFT = (re.compile(".*" + b.pattern, re.S) for b in (_HARD, _SOFT))  # through the last one
_ESCAPED = re.compile("[&<>\"']")  # what html.escape changes
_CJK_ONLY = re.compile("^(?:[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in CJK_RANGES) + r"]|\\s\*)+$")


@lru_cache(maxsize=512)
def _pattern(term: str) -> re.Pattern[str] | None:
    tokens = _TOKENS.findall(normalise(term))
    if not tokens:
        return None
    return re.compile(r"\s*".join(re.escape(t) for t in tokens), re.I)


@lru_cache(maxsize=256)
def _patterns(terms: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], ...], bool]:
    """The terms' patterns, and whether the text must be folded whole for them (full-width forms matter to a
    pattern with ASCII or punctuation in it; traditional ones to any)."""
    patterns = tuple(p for p in map(_pattern, terms) if p is not None)
    return patterns, any(not _CJK_ONLY.match(p.pattern) for p in patterns)


class Marks:
    """One search's terms as patterns, compiled once for all its hits (a hit's snippet then costs only the
    searching and the cutting)."""

    def __init__(self, terms: list[str]):
        self.patterns, self.whole = _patterns(tuple(terms))

    def spans(self, text: str, *, plain: bool = False) -> list[tuple[int, int]]:
        """Merged (start, end) ranges of every match in ``text`` (``plain``: known to hold no traditional
        character, so searched as it is for CJK words)."""
        patterns = self.patterns
        if not patterns:
            return []
        folded = normalise(text) if self.whole else text if plain else simplified(text)
        if len(patterns) == 1:  # one pattern's matches are in order and apart (none is empty: a term has a token)
            return [m.span() for m in patterns[0].finditer(folded)]
        found = [m.span() for pattern in patterns for m in pattern.finditer(folded)]
        found.sort()
        merged: list[tuple[int, int]] = []
        for start, end in found:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def snippet(self, text: str, size: int = FRAGMENT, fragments: int = MAX_FRAGMENTS, *, plain: bool = False) -> str:
        """One to ``fragments`` fragments of about ``size`` characters around the matches, ``size`` times
        ``fragments`` characters at most however dense they are (``plain``: as ``spans`` takes it); line breaks
        shown as spaces."""
        ranges = self.spans(text, plain=plain)
        if not ranges:
            end = _cut_end(text, min(len(text), size))
            return html.escape(text[:end]).replace("\n", " ") + ("…" if end < len(text) else "")
        windows = _windows(text, ranges, size, fragments)
        parts = []
        starts, ends = [s for s, _ in ranges], [e for _, e in ranges]  # both ascending: ranges are merged
        for lo, hi in windows:
            within = ranges[bisect.bisect_right(ends, lo) : bisect.bisect_left(starts, hi)]
            parts.append(mark(text[lo:hi], [(max(s, lo) - lo, min(e, hi) - lo) for s, e in within]))
        prefix = "…" if windows[0][0] > 0 else ""
        suffix = "…" if windows[-1][1] < len(text) else ""
        return (prefix + SEPARATOR.join(parts) + suffix).replace("\n", " ")

    def all(self, text: str) -> str:
        """The whole text escaped, every match marked (for an article page)."""
        return mark(text, self.spans(text))


def _windows(text: str, ranges: list[tuple[int, int]], size: int, fragments: int) -> list[tuple[int, int]]:
    """Where a snippet's fragments start and end: each from a little before a match to a break after it, those
    that meet joined, as long as all of them fit ``size`` times ``fragments`` characters."""
    windows: list[tuple[int, int]] = []
    budget = size * fragments  # dense matches widen one fragment; they must not make the snippet a page
    closed = 0  # the characters of every window but the last
    for start, end in ranges:
        if windows and end <= windows[-1][1]:
            continue
        own = _cut_start(text, max(0, start - size // 3))
        joins = bool(windows) and own <= windows[-1][1]
        if joins:
            lo = windows[-1][0]
        elif len(windows) == fragments:
            break
        else:
            lo = own
            if windows:
                closed += windows[-1][1] - windows[-1][0]
        room = budget - closed
        if windows and end - lo > room:
            break
        hi = _cut_end(text, min(len(text), max(end, min(own + size, lo + room))))
        if joins:
            windows[-1] = (lo, hi)
        else:
            windows.append((lo, hi))
    return windows


def mark(text: str, ranges: list[tuple[int, int]]) -> str:
    """``text`` escaped, with ``ranges`` wrapped in <mark>."""
    escape = html.escape if _ESCAPED.search(text) else str  # most texts have nothing to escape
    out, pos = [], 0
    for start, end in ranges:
        out += (escape(text[pos:start]), "<mark>", escape(text[start:end]), "</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def highlight_all(text: str, terms: list[str]) -> str:
    """``Marks.all`` for one text."""
    return Marks(terms).all(text)


def snippet(
    text: str, terms: list[str], size: int = FRAGMENT, fragments: int = MAX_FRAGMENTS, *, plain: bool = False
) -> str:
    """``Marks.snippet`` for one text."""
    return Marks(terms).snippet(text, size, fragments, plain=plain)


def _cut_start(text: str, pos: int) -> int:
    """Move ``pos`` back to just after a sentence or clause break, if one is near."""
    if pos == 0:
        return 0
    lo = max(0, pos - 20)
    for last_break in (_LAST_HARD, _LAST_SOFT):
        found = last_break.match(text, lo, pos + 1)
        if found:
            return found.end()
    return pos


def _cut_end(text: str, pos: int) -> int:
    """Move ``pos`` forward to the end of the sentence or clause, if one ends soon."""
    if pos >= len(text):
        return len(text)
    for breaks in (_HARD, _SOFT):
        found = breaks.search(text, pos, pos + 20)
        if found:
            return found.end()
    return pos
