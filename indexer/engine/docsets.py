"""Sets of documents as sorted arrays of docnums: membership, positions and unions.

Each operation picks, by the sizes it is given, the cheaper of two ways: a binary search of each element of
one array in the other (cost about ``n log m``), or a table as long as the largest docnum, filled from one
array and read at the other (cost about ``n + m``). A rare word against a common one is the first; two
common words (thousands of documents each) the second, several times faster.
"""

from __future__ import annotations

import numpy as np

# What filling and reading a table costs for each element, counted in steps of a binary search; and the
# table's own fixed cost, in the same steps.
_TABLE_STEP = 3
_TABLE_FIXED = 1500


def _searched(searched: int, into: int) -> int:
    """Steps of ``searched`` binary searches in an array of ``into``."""
    return searched * max(1, into.bit_length())


def _tabled(first: int, second: int) -> int:
    return _TABLE_STEP * (first + second) + _TABLE_FIXED


def member(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """Which of ``needles`` (sorted) are in ``haystack`` (sorted), as a boolean array."""
    found, wanted = len(haystack), len(needles)
    if not found or not wanted:
        return np.zeros(wanted, dtype=bool)
    each = _searched(wanted, found)
    reverse = _searched(found, wanted)
    if _tabled(found, wanted) < min(each, reverse):
        table = np.zeros(max(int(haystack[-1]), int(needles[-1])) + 1, dtype=bool)
        table[haystack] = True
        return table[needles]
    if reverse < each:  # the fewer looked up in the more
        out = np.zeros(wanted, dtype=bool)
        at = np.searchsorted(needles, haystack)
        inside = at < wanted
        at = at[inside]
        out[at[needles[at] == haystack[inside]]] = True
        return out
    at = np.searchsorted(haystack, needles)
    at[at == found] = 0
    return haystack[at] == needles


def positions(docs: np.ndarray, subset: np.ndarray) -> np.ndarray:
    """Where each of ``subset`` (sorted, every one of them in ``docs``) is in ``docs`` (sorted)."""
    if not len(subset):
        return np.zeros(0, dtype=np.intp)
    if len(subset) == len(docs):  # every one of them (a search that no filter narrowed)
        return np.arange(len(docs))
    if _tabled(len(docs), len(subset)) < _searched(len(subset), len(docs)):
        table = np.empty(int(docs[-1]) + 1, dtype=np.intp)
        table[docs] = np.arange(len(docs))
        return table[subset]
    return np.searchsorted(docs, subset)


def union(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The sorted union of two sorted arrays of docnums (a sort of two runs, not numpy's hashing unique)."""
    if not len(first) or not len(second):
        return first if len(second) == 0 else second
    both = np.concatenate((first, second))
    both.sort(kind="stable")
    return both[np.concatenate(([True], both[1:] != both[:-1]))]


def _dense(sizes: int, universe: int) -> bool:
    """Whether arrays of ``sizes`` elements in all are better combined through tables ``universe`` long."""
    return sizes * 32 > universe


def in_any(lists: list[np.ndarray], needles: np.ndarray) -> tuple[np.ndarray, int]:
    """Which of ``needles`` are in any of ``lists`` (each sorted), and how many documents the lists hold
    together."""
    lists = [docs for docs in lists if len(docs)]
    if not lists:
        return np.zeros(len(needles), dtype=bool), 0
    universe = max(int(docs[-1]) for docs in lists) + 1
    if len(lists) == 1 or not _dense(sum(map(len, lists)) + len(needles), universe):
        whole = lists[0]
        for docs in lists[1:]:
            whole = union(whole, docs)
        return member(whole, needles), len(whole)
    table = np.zeros(max(universe, int(needles[-1]) + 1 if len(needles) else 0), dtype=bool)
    for docs in lists:
        table[docs] = True
    return table[needles], int(np.count_nonzero(table))


def joined(first: np.ndarray, second: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The union of ``first`` and ``second`` (sorted), which of it are in ``first``, and the ``counts`` of
    ``second`` (a posting's, each at least 1) where they are (0 elsewhere)."""
    if not len(second):
        return first, np.ones(len(first), dtype=bool), np.zeros(len(first), np.int64)
    universe = max(int(first[-1]) if len(first) else 0, int(second[-1])) + 1
    if not _dense(len(first) + len(second), universe):
        docs = union(first, second)
        placed = np.zeros(len(docs), np.int64)
        placed[positions(docs, second)] = counts
        return docs, member(first, docs), placed
    in_first = np.zeros(universe, dtype=bool)
    in_first[first] = True
    table = np.zeros(universe, np.int64)
    table[second] = counts
    docs = np.flatnonzero(in_first | (table > 0)).astype(second.dtype)
    return docs, in_first[docs], table[docs]
