"""Character-pair postings as arrays: how matching finds a word's candidate articles, and a two-character
word's counts, without reading the texts.

Keys. Every CJK character of an article's normalised title or body (``folding.normalise``: simplified,
half-width, spacing kept) is a key with the character after it, or with 0 when it ends a run of CJK
characters, so each occurrence of a character starts exactly one key and a contiguous word has all its
pairs' keys. Every ASCII word (WannaCry, 800M, PM2.5, read from the text with its spacing, as
``analysis.ascii_words`` reads it) is a key of its own, a stable hash, so 4G finds 4G and not 14G. Each
posting holds the article and the key's count in that text.

Segments. Each part of a generation (``storage.parts``) has one segment of its articles, written in a few
numpy steps (pairs, one sort, run lengths: no Python call per posting) and never rewritten. Its rows are the
part's articles in the order written; the part maps them to docnums (and its deleted articles to none).
Postings are read with ``pread`` on request, so a worker holds only the key tables and the postings its
searches asked for.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..language.analysis import CJK_RANGES, ascii_words
from ..language.folding import fold, normalise

FIELDS = ("title", "body")
_ROW_BITS = 24  # rows (articles) of one segment: at most 16 million
_ASCII_FLAG = 1 << 39  # ASCII word keys sit above every pair key (pairs need 32 bits: CJK is in the BMP)
_MAX_COUNT = np.iinfo(np.uint16).max
Writer = Callable[[Path, bytes], None]
_DOC, _KEY, _START, _COUNT = np.dtype("<u4"), np.dtype("<u8"), np.dtype("<u8"), np.dtype("<u2")


@lru_cache(maxsize=1 << 16)
def ascii_key(word: str) -> int:
    """The key of a lower-cased ASCII word: a stable hash (Python's own is salted per process)."""
    digest = hashlib.blake2b(word.encode("ascii"), digest_size=8).digest()
    return _ASCII_FLAG | (int.from_bytes(digest, "little") & (_ASCII_FLAG - 1))


def pair_key(first: str, second: str) -> int:
    """The key of a CJK character followed by the CJK character ``second`` (a query's pair; an article's
    are made in ``_postings``, where 0 ends a run)."""
    return ord(first) << 16 | ord(second)


def is_cjk(char: str) -> bool:
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in CJK_RANGES)


def word_keys(word: str, *, shortest_ascii: int = 1) -> list[int]:
    """The keys every text containing ``word`` (as a query word) holds: its ASCII words (of at least
    ``shortest_ascii`` characters) and the pairs of its adjacent CJK characters. A single CJK character
    has none; see ``Segment.prefix``. Its pairs are read with its spacing removed, as matching compares it."""
    folded = fold(word)
    keys = [ascii_key(w) for w in ascii_words(word) if len(w) >= shortest_ascii]
    keys += [pair_key(a, b) for a, b in itertools.pairwise(folded) if is_cjk(a) and is_cjk(b)]
    return list(dict.fromkeys(keys))


def _cjk_mask(codes: np.ndarray) -> np.ndarray:
    mask = np.zeros(codes.shape, dtype=bool)
    for lo, hi in CJK_RANGES:
        mask |= (codes >= lo) & (codes <= hi)
    return mask


def _postings(raw: Sequence[str]) -> tuple[np.ndarray, ...]:
    """Keys (sorted), starts, rows and counts of one field of ``len(raw)`` articles."""
    if len(raw) >= 1 << _ROW_BITS:
        raise ValueError("too many articles for one segment")
    # Normalised texts (their spacing kept: characters a space separates are not a pair), joined with NUL,
    # which is not CJK, so it ends runs and pairs nothing.
    texts = [normalise(t) for t in raw]
    codes = np.frombuffer(("\0".join(texts) + "\0").encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    rows = np.repeat(np.arange(len(texts), dtype=np.uint64), lengths + 1)
    cjk = _cjk_mask(codes)
    following = np.where(np.append(cjk[1:], False), np.append(codes[1:], np.uint64(0)), np.uint64(0))
    keys = codes[cjk] << np.uint64(16) | following[cjk]
    pairs = keys << np.uint64(_ROW_BITS) | rows[cjk]
    words = [(ascii_key(w), row) for row, text in enumerate(raw) for w in ascii_words(text)]
    if words:
        extra = np.array(words, dtype=np.uint64)
        pairs = np.concatenate([pairs, extra[:, 0] << np.uint64(_ROW_BITS) | extra[:, 1]])
    unique, counts = np.unique(pairs, return_counts=True)
    return _pack(unique, counts)


def _pack(pairs: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, ...]:
    """Keys, starts, rows and counts from sorted, distinct (key, row) pairs and their counts."""
    key_of = pairs >> np.uint64(_ROW_BITS)
    boundaries = np.flatnonzero(np.diff(key_of)) + 1
    starts = np.concatenate([[0], boundaries, [len(pairs)]] if len(pairs) else [[0]]).astype(_START)
    return (
        key_of[starts[:-1]].astype(_KEY),
        starts,
        (pairs & np.uint64((1 << _ROW_BITS) - 1)).astype(_DOC),
        np.minimum(counts, _MAX_COUNT).astype(_COUNT),
    )


def write_segment(path: Path, titles: Sequence[str], bodies: Sequence[str], *, replace: Writer) -> None:
    """Write the pair postings of articles with these ``titles`` and ``bodies`` (rows in this order) as
    ``path`` (the arrays) and ``path`` with ``.json`` (where each array starts). ``replace`` writes a file
    atomically."""
    layout: dict[str, Any] = {"rows": len(titles)}
    chunks: list[bytes] = []
    offset = 0
    for field, texts in zip(FIELDS, (titles, bodies), strict=True):
        layout[field] = {}
        for name, array in zip(("keys", "starts", "docs", "counts"), _postings(texts), strict=True):
            layout[field][name] = [offset, len(array)]
            chunks.append(array.tobytes())
            offset += array.nbytes
    replace(path, b"".join(chunks))
    replace(path.with_suffix(".json"), json.dumps(layout).encode("utf-8"))


class Segment:
    """One opened segment: its key tables in memory, its postings read on request, rows as docnums."""

    def __init__(self, path: Path, remap: np.ndarray):
        """``remap`` gives each row's docnum, -1 for a row whose article is deleted."""
        self.fd = os.open(path, os.O_RDONLY)
        self.layout = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        self.keys = {f: self._array(f, "keys", _KEY) for f in FIELDS}
        self.starts = {f: self._array(f, "starts", _START) for f in FIELDS}
        self.remap = remap
        self.whole = bool((remap >= 0).all())
        kept = remap[remap >= 0]
        self.ordered = bool((np.diff(kept) > 0).all())

    def _array(self, field: str, name: str, dtype: np.dtype) -> np.ndarray:
        offset, count = self.layout[field][name]
        return np.frombuffer(os.pread(self.fd, count * dtype.itemsize, offset), dtype=dtype)

    def _read(self, field: str, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """Docnums and counts of postings ``lo`` to ``hi`` (row order), deleted rows left out."""
        (doc_at, _), (count_at, _) = self.layout[field]["docs"], self.layout[field]["counts"]
        n = hi - lo
        rows = np.frombuffer(os.pread(self.fd, n * _DOC.itemsize, doc_at + lo * _DOC.itemsize), dtype=_DOC)
        counts = np.frombuffer(os.pread(self.fd, n * _COUNT.itemsize, count_at + lo * _COUNT.itemsize), dtype=_COUNT)
        docs = self.remap[rows]
        if not self.whole:
            keep = docs >= 0
            docs, counts = docs[keep], counts[keep]
        return docs, counts

    def lookup(self, field: str, key: int) -> tuple[np.ndarray, np.ndarray]:
        keys = self.keys[field]
        i = int(np.searchsorted(keys, key))
        if i == len(keys) or int(keys[i]) != key:
            return np.empty(0, np.int32), np.empty(0, _COUNT)
        starts = self.starts[field]
        return self._read(field, int(starts[i]), int(starts[i + 1]))

    def prefix(self, field: str, char: str) -> np.ndarray:
        """Docnums holding a key that starts with the CJK character ``char``: every text containing it."""
        keys, low = self.keys[field], ord(char) << 16
        lo, hi = np.searchsorted(keys, [low, low + (1 << 16)])
        if lo == hi:
            return np.empty(0, np.int32)
        starts = self.starts[field]
        docs, _ = self._read(field, int(starts[lo]), int(starts[hi]))
        return np.unique(docs)

    def close(self) -> None:
        os.close(self.fd)


class Grams:
    """A generation's segments, read as one: postings of a key as sorted docnums and their counts."""

    def __init__(self, segments: list[Segment]):
        self.segments = segments

    def longest(self, budget: int) -> list[tuple[str, int]]:
        """The (field, key) pairs with the most postings, as many as hold ``budget`` postings in all."""
        fields, keys, lengths = [], [], []
        for n, field in enumerate(FIELDS):
            for segment in self.segments:
                keys.append(segment.keys[field])
                lengths.append(np.diff(segment.starts[field]).astype(np.int64))
                fields.append(np.full(len(segment.keys[field]), n, dtype=np.int8))
        if not keys:
            return []
        # A key of several segments counts once, with their postings together.
        field_of, key_of = np.concatenate(fields), np.concatenate(keys)
        combined, where = np.unique(np.stack([field_of.astype(np.uint64), key_of]), axis=1, return_inverse=True)
        totals = np.bincount(where.ravel(), weights=np.concatenate(lengths))
        order = np.argsort(-totals, kind="stable")
        chosen = order[: int(np.searchsorted(np.cumsum(totals[order]), budget, side="right"))]
        return [(FIELDS[int(combined[0, i])], int(combined[1, i])) for i in chosen]

    def lookup(self, field: str, key: int) -> tuple[np.ndarray, np.ndarray]:
        parts = [(s, s.lookup(field, key)) for s in self.segments]
        parts = [(s, p) for s, p in parts if len(p[0])]
        if not parts:
            return np.empty(0, np.int32), np.empty(0, _COUNT)
        if len(parts) == 1 and parts[0][0].ordered:
            return parts[0][1]
        parts = [p for _, p in parts]
        docs = np.concatenate([p[0] for p in parts])
        counts = np.concatenate([p[1] for p in parts])
        if (docs[1:] > docs[:-1]).all():  # segments in docnum order, as a build writes them
            return docs, counts
        order = np.argsort(docs, kind="stable")
        return docs[order], counts[order]

    def prefix(self, field: str, char: str) -> np.ndarray:
        parts = [s.prefix(field, char) for s in self.segments]
        return np.unique(np.concatenate(parts)) if parts else np.empty(0, np.int32)

    def close(self) -> None:
        for segment in self.segments:
            segment.close()
