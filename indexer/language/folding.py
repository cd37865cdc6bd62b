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
_FULLWIDTH = {c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}


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
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    table = _folding_array()
    folded = table[codes] if codes.max() < len(table) else np.where(codes < len(table), table[codes & 0xFFFF], codes)
    return folded.tobytes().decode("utf-32-le", "surrogatepass")


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


def fold_all(texts: list[str]) -> list[str]:
    """``fold`` of each of ``texts``, in one pass over them all (a generation folds every article as it opens):
    folding is character by character, so the texts joined with a separator that is neither whitespace nor
    folded fold as each alone."""
    if not texts:
        return []
    joined = "\0".join(texts)
    if len(texts) > 1 and joined.count("\0") != len(texts) - 1:
        return [fold(t) for t in texts]  # a text holding the separator itself
    return _SPACE.sub("", normalise(joined).lower()).split("\0")
