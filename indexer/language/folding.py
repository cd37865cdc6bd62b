"""Text folding: the one form in which index and query texts are compared.

Full-width ASCII becomes ASCII and traditional characters simplified ones (OpenCC's t2s), one character for
one, so that offsets in the folded text are offsets in the original; ``fold`` also lower-cases ASCII and
drops whitespace. The texts stored with a generation are folded at build time: a change here needs a reindex.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

_SPACE = re.compile(r"[\s\u3000]+")
# Full-width ASCII (ＰＭ２.５) counts as ASCII; the mapping keeps string lengths.
_FULLWIDTH_FIRST, _FULLWIDTH_LAST = 0xFF01, 0xFF5E
_FULLWIDTH = {c: chr(c - 0xFEE0) for c in range(_FULLWIDTH_FIRST, _FULLWIDTH_LAST + 1)}


@lru_cache(maxsize=1)
def _folding() -> dict[int, str]:
    """Full-width ASCII to ASCII, and traditional characters to simplified (OpenCC's t2s, one character
    for one, so that offsets in the folded text are offsets in the original)."""
    import opencc

    t2s = opencc.OpenCC("t2s")
    table = dict(_FULLWIDTH)
    for code in (*range(0x3400, 0x4DC0), *range(0x4E00, 0xA000), *range(0xF900, 0xFB00)):
        converted = t2s.convert(chr(code))
        if len(converted) == 1 and converted != chr(code):
            table[code] = converted
    return table


def normalise(text: str) -> str:
    """Fold full-width ASCII to ASCII and traditional to simplified; the result has the length of ``text``.

    Index and query go through the same folding, so an issue printed in traditional characters is found
    by simplified queries and the other way round.
    """
    if len(text) < _ARRAY_FROM:
        return text.translate(_folding())
    # An article: a table lookup over its code points, ten times faster than str.translate's dict a char.
    return _normalised(_codes(text)).tobytes().decode("utf-32-le", "surrogatepass")


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _normalised(codes: np.ndarray) -> np.ndarray:
    if not len(codes):
        return codes
    table = _folding_array()
    return table[codes] if codes.max() < len(table) else np.where(codes < len(table), table[codes & 0xFFFF], codes)


_ARRAY_FROM = 150  # characters; below, str.translate is as fast


@lru_cache(maxsize=1)
def _folding_array() -> np.ndarray:
    """``_folding`` as an array: the folded code point of each code point of the BMP."""
    table = np.arange(0x10000, dtype=np.uint32)
    for code, char in _folding().items():
        table[code] = ord(char)
    return table


def simplified(text: str) -> str:
    """``text`` with traditional characters folded to simplified only (full-width forms kept), as long as it;
    a text without any is returned as it is, after one search (much cheaper than translating it)."""
    return text.translate(_folding()) if _traditional().search(text) else text


@lru_cache(maxsize=1)
def _traditional() -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_folding()) if c not in _FULLWIDTH) + "]")


def has_traditional(text: str) -> bool:
    """True when folding turns some character of ``text`` from traditional to simplified."""
    table = _folding()
    return any(ord(c) in table and ord(c) not in _FULLWIDTH for c in text)


def fold(text: str) -> str:
    """The form texts and query words are compared in: ASCII lower-cased, no whitespace.

    The texts stored with a generation are folded at build time, so a change here needs a reindex.
    """
    return _SPACE.sub("", normalise(text).lower())


def fold_all(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """``fold`` of each of ``texts``, in one pass over them all (a generation folds every article as it opens),
    and which of them hold no traditional character (``simplified`` leaves them as they are: a snippet of CJK
    words searches such a text without folding it). Folding is character by character, so the texts joined with a
    separator that is neither whitespace nor folded fold as each alone."""
    if not texts:
        return [], np.zeros(0, dtype=bool)
    joined = "\0".join(texts)
    if joined.count("\0") != len(texts) - 1:  # a text holding the separator itself
        return [fold(t) for t in texts], np.array([simplified(t) == t for t in texts], dtype=bool)
    codes = _codes(joined)
    normalised = _normalised(codes)
    starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
    plain = np.ones(len(texts), dtype=bool)
    traditional = (normalised != codes) & ((codes < _FULLWIDTH_FIRST) | (codes > _FULLWIDTH_LAST))
    plain[np.searchsorted(starts, np.flatnonzero(traditional), side="right") - 1] = False
    text = normalised.tobytes().decode("utf-32-le", "surrogatepass")
    return _SPACE.sub("", text.lower()).split("\0"), plain
