"""Character-pair and run postings as arrays: how matching finds a word's candidate articles, and a word of two
to four characters' counts, without reading the texts.

Keys. Every CJK character of an article's normalised title or body (``folding.normalise``: simplified,
half-width, spacing kept) is a key with the character after it, or with 0 when it ends a run of CJK
characters, so each occurrence of a character starts exactly one key and a contiguous word has all its
pairs' keys. Every ASCII word (WannaCry, 800M, PM2.5, read from the text with its spacing, as
``analysis.ascii_words`` reads it) is a key of its own, a stable hash, so 4G finds 4G and not 14G. Each
posting holds the article and the key's count in that text.

Runs. Every three and every four adjacent CJK characters are keys too, with their count: a word of three or four
characters has its matches as postings (no text is read), and a longer word's candidates are the articles
holding all its runs of four, far fewer than those holding all its pairs. A run's key is its characters' ranks
in the segment's own alphabet (the distinct CJK characters it holds, a few thousand, at most 28,096: 15 bits),
so four of them fit one integer, and rows are packed beside them a block at a time for the sort.

Words. Every jieba word of a title or body (the words the build cut it into, as Whoosh indexes them) is a key of
a table of its own, a stable 40-bit hash, with its count: which articles hold a word whole, for ranking.
Two words sharing a hash would share their postings (a given word shares its hash with one of 300,000 others
about three times in ten million); a word's postings only ever add a bonus to articles that contain it as typed.

Segments. Each part of a generation (``storage.parts``) has one segment of its articles, written in a few
numpy steps (pairs, one sort, run lengths: no Python call per posting) and never rewritten. Its rows are the
part's articles in the order written; the part maps them to docnums (and its deleted articles to none).
Key tables are mapped from the file (pages the workers share, read only where a search looks); postings are
read with ``pread`` on request, so a worker holds only the postings its searches asked for.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import mmap
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
_CHAR = np.dtype("<u4")
_ALIGN = 8  # each array starts at a multiple of 8 bytes, so a mapped table is read aligned
_ARRAYS = ("keys", "starts", "docs", "counts")
RUNS = (3, 4)  # the lengths of runs with postings of their own


# Postings as read: sorted docnums, and the count of the key in each (None when the reader wants none).
Postings = tuple[np.ndarray, np.ndarray | None]


def _none(counted: bool) -> Postings:
    return np.empty(0, np.int32), np.empty(0, _COUNT) if counted else None


def word_key(word: str) -> int:
    """The key of a jieba word: a stable 40-bit hash, so that a key and a row fit one integer."""
    digest = hashlib.blake2b(word.encode("utf-8"), digest_size=5).digest()
    return int.from_bytes(digest, "little")


def word_keys_of(words: Sequence[str], known: dict[str, int]) -> np.ndarray:
    """The keys of an article's words, in order (``write_segment`` takes them a row at a time); ``known``
    holds the keys of the words seen so far (a part's, dropped with it), so each word is hashed once."""
    known.update((w, word_key(w)) for w in set(words).difference(known))
    return np.fromiter(map(known.__getitem__, words), dtype=np.uint64, count=len(words))


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


def _codes(raw: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The code points of ``raw``'s normalised texts (their spacing kept: characters a space separates are not
    a pair) joined by NUL, which is not CJK, so it ends runs and pairs nothing; each one's row; which are CJK."""
    if len(raw) >= 1 << _ROW_BITS:
        raise ValueError("too many articles for one segment")
    texts = [normalise(t) for t in raw]
    codes = np.frombuffer(("\0".join(texts) + "\0").encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    rows = np.repeat(np.arange(len(texts), dtype=np.uint64), lengths + 1)
    return codes, rows, _cjk_mask(codes)


def _postings(raw: Sequence[str], codes: np.ndarray, rows: np.ndarray, cjk: np.ndarray) -> tuple[np.ndarray, ...]:
    """Keys (sorted), starts, rows and counts of the pairs and ASCII words of one field's texts ``raw``."""
    following = np.where(np.append(cjk[1:], False), np.append(codes[1:], np.uint64(0)), np.uint64(0))
    keys = codes[cjk] << np.uint64(16) | following[cjk]
    pairs = keys << np.uint64(_ROW_BITS) | rows[cjk]
    words = [(ascii_key(w), row) for row, text in enumerate(raw) for w in ascii_words(text)]
    if words:
        extra = np.array(words, dtype=np.uint64)
        pairs = np.concatenate([pairs, extra[:, 0] << np.uint64(_ROW_BITS) | extra[:, 1]])
    unique, counts = np.unique(pairs, return_counts=True)
    return _pack(unique >> np.uint64(_ROW_BITS), unique & np.uint64((1 << _ROW_BITS) - 1), counts)


def _word_postings(keys_by_row: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
    """Keys (sorted), starts, rows and counts of the words of one field, given each row's word keys."""
    lengths = np.fromiter(map(len, keys_by_row), dtype=np.int64, count=len(keys_by_row))
    keys = np.concatenate(keys_by_row) if len(keys_by_row) else np.empty(0, np.uint64)
    rows = np.repeat(np.arange(len(keys_by_row), dtype=np.uint64), lengths)
    unique, counts = np.unique(keys << np.uint64(_ROW_BITS) | rows, return_counts=True)
    return _pack(unique >> np.uint64(_ROW_BITS), unique & np.uint64((1 << _ROW_BITS) - 1), counts)


def _char_bits(alphabet: np.ndarray) -> int:
    """Bits a character's rank takes (ranks start at 1)."""
    return max(1, len(alphabet).bit_length())


def _runs(codes: np.ndarray, rows: np.ndarray, cjk: np.ndarray, alphabet: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    """Keys (sorted), starts, rows and counts of every ``n`` adjacent CJK characters of one field."""
    bits = _char_bits(alphabet)
    rank = np.zeros(len(codes), dtype=np.uint64)
    rank[cjk] = np.searchsorted(alphabet, codes[cjk]).astype(np.uint64) + np.uint64(1)
    inside = cjk[: len(cjk) - n + 1].copy()
    for k in range(1, n):
        inside &= cjk[k : len(cjk) - n + 1 + k]
    at = np.flatnonzero(inside)
    keys = np.zeros(len(at), dtype=np.uint64)
    for k in range(n):
        keys = keys << np.uint64(bits) | rank[at + k]
    # A key and a row in one integer, so one sort orders both: rows a block at a time, as many as the bits the
    # key leaves (a block's sorted postings follow the last block's).
    row_bits = min(_ROW_BITS, 64 - n * bits)
    block = 1 << row_bits
    found = []
    run_rows = rows[at]
    for first in range(0, int(run_rows[-1]) + 1 if len(at) else 0, block):
        lo, hi = np.searchsorted(run_rows, [first, first + block])
        packed = keys[lo:hi] << np.uint64(row_bits) | (run_rows[lo:hi] - np.uint64(first))
        unique, counts = np.unique(packed, return_counts=True)
        found.append((unique >> np.uint64(row_bits), (unique & np.uint64(block - 1)) + np.uint64(first), counts))
    if not found:
        return _pack(np.empty(0, np.uint64), np.empty(0, np.uint64), np.empty(0, np.int64))
    key_of, row_of, counts = (np.concatenate(column) for column in zip(*found, strict=True))
    if len(found) > 1:  # blocks are in row order: a stable sort by key orders by key, then row
        order = np.argsort(key_of, kind="stable")
        key_of, row_of, counts = key_of[order], row_of[order], counts[order]
    return _pack(key_of, row_of, counts)


def _pack(key_of: np.ndarray, row_of: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, ...]:
    """Keys, starts, rows and counts from postings sorted by key, then row: each key's row and count."""
    boundaries = np.flatnonzero(np.diff(key_of)) + 1
    starts = np.concatenate([[0], boundaries, [len(key_of)]] if len(key_of) else [[0]]).astype(_START)
    return (
        key_of[starts[:-1]].astype(_KEY),
        starts,
        row_of.astype(_DOC),
        np.minimum(counts, _MAX_COUNT).astype(_COUNT),
    )


def write_segment(
    path: Path,
    titles: Sequence[str],
    bodies: Sequence[str],
    words: tuple[Sequence[np.ndarray], Sequence[np.ndarray]],
    *,
    replace: Writer,
) -> None:
    """Write the pair, run and word postings of articles with these ``titles`` and ``bodies`` (rows in this
    order) and ``words`` (the keys of each row's title words, and of its body words: ``word_keys_of``) as
    ``path`` (the arrays) and ``path`` with ``.json`` (where each array starts). ``replace`` writes a file
    atomically."""
    read = [(texts, *_codes(texts)) for texts in (titles, bodies)]
    alphabet = np.unique(np.concatenate([codes[cjk] for _, codes, _, cjk in read])).astype(_CHAR)
    layout: dict[str, Any] = {"rows": len(titles)}
    chunks: list[bytes] = []

    def add(array: np.ndarray) -> list[int]:
        offset = sum(map(len, chunks))
        data = array.tobytes()
        chunks.append(data + b"\0" * (-len(data) % _ALIGN))
        return [offset, len(array)]

    layout["alphabet"] = add(alphabet)
    for field, (texts, codes, rows, cjk), keys_by_row in zip(FIELDS, read, words, strict=True):
        layout[field] = {}
        for name, array in zip(_ARRAYS, _word_postings(keys_by_row), strict=True):
            layout[field][f"{name}w"] = add(array)
        for name, array in zip(_ARRAYS, _postings(texts, codes, rows, cjk), strict=True):
            layout[field][name] = add(array)
        for n in RUNS:
            for name, array in zip(_ARRAYS, _runs(codes, rows, cjk, alphabet.astype(np.uint64), n), strict=True):
                layout[field][f"{name}{n}"] = add(array)
    replace(path, b"".join(chunks))
    replace(path.with_suffix(".json"), json.dumps(layout).encode("utf-8"))


class Segment:
    """One opened segment: its key tables mapped, its postings read on request, rows as docnums."""

    def __init__(self, path: Path, remap: np.ndarray):
        """``remap`` gives each row's docnum, -1 for a row whose article is deleted."""
        self.fd = os.open(path, os.O_RDONLY)
        self.layout = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        self.map = mmap.mmap(self.fd, 0, prot=mmap.PROT_READ) if os.fstat(self.fd).st_size else None
        self.keys = {f: self._table(self.layout[f]["keys"], _KEY) for f in FIELDS}
        self.starts = {f: self._table(self.layout[f]["starts"], _START) for f in FIELDS}
        self.run_keys = {(f, n): self._table(self.layout[f][f"keys{n}"], _KEY) for f in FIELDS for n in RUNS}
        self.run_starts = {(f, n): self._table(self.layout[f][f"starts{n}"], _START) for f in FIELDS for n in RUNS}
        self.word_keys = {f: self._table(self.layout[f]["keysw"], _KEY) for f in FIELDS}
        self.word_starts = {f: self._table(self.layout[f]["startsw"], _START) for f in FIELDS}
        alphabet = self._table(self.layout["alphabet"], _CHAR)
        self.ranks = {chr(c): rank for rank, c in enumerate(alphabet.tolist(), start=1)}
        self.bits = _char_bits(alphabet)
        self.remap = remap
        self.whole = bool((remap >= 0).all())
        kept = remap[remap >= 0]
        self.ordered = bool((np.diff(kept) > 0).all())

    def _table(self, where: list[int], dtype: np.dtype) -> np.ndarray:
        offset, count = where
        if not count:
            return np.empty(0, dtype)
        return np.frombuffer(self.map, dtype=dtype, count=count, offset=offset)

    def _read(self, where: dict[str, list[int]], lo: int, hi: int, counted: bool) -> Postings:
        """Docnums and, if ``counted``, counts of postings ``lo`` to ``hi`` (row order) of the arrays at
        ``where`` (a field's pairs' or runs'), deleted rows left out."""
        (doc_at, _), (count_at, _) = where["docs"], where["counts"]
        n = hi - lo
        rows = np.frombuffer(os.pread(self.fd, n * _DOC.itemsize, doc_at + lo * _DOC.itemsize), dtype=_DOC)
        counts = None
        if counted:  # a read of its own: half a lookup's reads, where the counts are not wanted
            counts = np.frombuffer(os.pread(self.fd, n * _COUNT.itemsize, count_at + lo * _COUNT.itemsize), _COUNT)
        docs = self.remap[rows]
        if not self.whole:
            keep = docs >= 0
            docs, counts = docs[keep], None if counts is None else counts[keep]
        return docs, counts

    def lookup(self, field: str, key: int, counted: bool = True) -> Postings:
        """The postings of a pair or ASCII word key."""
        where = self.layout[field]
        return self._find(self.keys[field], self.starts[field], key, where, counted)

    def run(self, field: str, text: str, counted: bool = True) -> Postings:
        """The postings of a run of CJK characters (of a length in ``RUNS``): the articles holding it, with its
        count in each (every place it starts)."""
        ranks = [self.ranks.get(c, 0) for c in text]
        if len(ranks) not in RUNS or not all(ranks):  # a character this segment never saw
            return _none(counted)
        key = 0
        for rank in ranks:
            key = key << self.bits | rank
        n = len(ranks)
        where = {"docs": self.layout[field][f"docs{n}"], "counts": self.layout[field][f"counts{n}"]}
        return self._find(self.run_keys[field, n], self.run_starts[field, n], key, where, counted)

    def word(self, field: str, word: str, counted: bool = True) -> Postings:
        """The postings of a jieba word: the articles holding it whole, with its count in each."""
        where = {"docs": self.layout[field]["docsw"], "counts": self.layout[field]["countsw"]}
        return self._find(self.word_keys[field], self.word_starts[field], word_key(word), where, counted)

    def _find(self, keys: np.ndarray, starts: np.ndarray, key: int, where: dict[str, list[int]], counted: bool):
        # The key as the table's own type: a Python int would have numpy convert the whole table to compare.
        i = int(keys.searchsorted(keys.dtype.type(key)))
        if i == len(keys) or int(keys[i]) != key:
            return _none(counted)
        return self._read(where, int(starts[i]), int(starts[i + 1]), counted)

    def prefix(self, field: str, char: str, counted: bool = True) -> Postings:
        """Docnums holding a key that starts with the CJK character ``char`` (every text containing it), and
        its count in each: every place it occurs starts one key, so the keys' counts sum to it."""
        keys, low = self.keys[field], ord(char) << 16
        lo, hi = keys.searchsorted(np.array([low, low + (1 << 16)], dtype=keys.dtype)).tolist()
        if lo == hi:
            return _none(counted)
        starts = self.starts[field]
        docs, counts = self._read(self.layout[field], int(starts[lo]), int(starts[hi]), counted)
        if counts is None:
            return np.unique(docs), None
        order = np.argsort(docs, kind="stable")
        docs, counts = docs[order], counts[order].astype(np.int64)
        first = np.flatnonzero(np.concatenate(([True], docs[1:] != docs[:-1])))
        return docs[first], np.add.reduceat(counts, first)

    def close(self) -> None:
        # Arrays over the map may outlive the segment (a request still reading): the map closes with them.
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

    def lookup(self, field: str, key: int, counted: bool = True) -> Postings:
        """Sorted docnums holding a pair or ASCII word key in ``field``, and (if ``counted``) its count in each."""
        return self._joined([(s, s.lookup(field, key, counted)) for s in self.segments], counted)

    def run(self, field: str, text: str, counted: bool = True) -> Postings:
        """Sorted docnums holding the run of CJK characters ``text`` (of a length in ``RUNS``) in ``field``,
        and (if ``counted``) its count in each."""
        return self._joined([(s, s.run(field, text, counted)) for s in self.segments], counted)

    def word(self, field: str, word: str) -> np.ndarray:
        """Sorted docnums holding the jieba word ``word`` whole in ``field``."""
        return self._joined([(s, s.word(field, word, False)) for s in self.segments], False)[0]

    @staticmethod
    def _joined(parts: list[tuple[Segment, Postings]], counted: bool) -> Postings:
        parts = [(s, p) for s, p in parts if len(p[0])]
        if not parts:
            return _none(counted)
        if len(parts) == 1 and parts[0][0].ordered:
            return parts[0][1]
        docs = np.concatenate([p[0] for _, p in parts])
        counts = np.concatenate([p[1] for _, p in parts]) if counted else None
        # Segments come in docnum order (each part's docnums follow the last's), so rows kept in order stay so.
        if all(s.ordered for s, _ in parts):
            return docs, counts
        order = np.argsort(docs, kind="stable")
        return docs[order], None if counts is None else counts[order]

    def prefix(self, field: str, char: str, counted: bool = True) -> Postings:
        """Sorted docnums holding the CJK character ``char`` in ``field``, and (if ``counted``) its count in
        each."""
        return self._joined([(s, s.prefix(field, char, counted)) for s in self.segments], counted)

    def close(self) -> None:
        for segment in self.segments:
            segment.close()
