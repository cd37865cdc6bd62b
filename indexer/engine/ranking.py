"""Ranking: every constant and formula that orders results, in one place.

Whoosh never scores here (matching is ours, see ``matching``), so ranking is
BM25 over each query word's exact occurrences, titles counting ``TITLE_BOOST``
times, plus a bonus where jieba made the typed word a whole word of the
article; a thesaurus word's match counts ``SYNONYM_WEIGHT`` (or
``GENERAL_WEIGHT``) of the typed word's, and the typed word's matches rank in a
tier of their own (``TYPED_TIER``). Ties, and the date sort, go newest first.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

K1, B = 1.2, 0.75
TITLE_BOOST = 3.0
WHOLE_WORD_BONUS = 1.0
# A word the thesaurus adds counts for less than the typed word: a domain synonym a fifth, a general one a tenth.
SYNONYM_WEIGHT = 0.2
GENERAL_WEIGHT = 0.1
# Added to a typed word's score, and more than any one word's score can be (BM25 with the title boost and the
# whole-word bonus stays below 100 up to millions of articles): an article with more of the typed words ranks
# above one that matches some of them only through the thesaurus, whatever else it has.
TYPED_TIER = 1000.0
# A pasted passage: character pairs in more than this share of articles carry no vote; articles with less than
# this share of the best article's votes are left out.
PASSAGE_COMMON = 0.25
PASSAGE_KEEP = 0.3


def idf(total: int, matching: int) -> float:
    """BM25's inverse document frequency of a word found in ``matching`` of ``total`` articles."""
    return math.log(1 + (total - matching + 0.5) / (matching + 0.5))


def length_norm(length: Any, average: float) -> Any:
    """BM25's length normalisation of an article's body of ``length`` characters (or an array of them)."""
    return K1 * (1 - B + B * length / average)


def bm25(idf_: float, weight: float, in_title: np.ndarray, counts: np.ndarray, norms: np.ndarray) -> np.ndarray:
    """One word's score in each of many articles (arrays, one element an article): title presence plus BM25
    of its ``counts`` occurrences in the body, given each body's ``length_norm``."""
    scale, top = idf_ * weight, K1 + 1
    return scale * (TITLE_BOOST * in_title + counts * top / (counts + norms))


def whole_word_bonus(total: int, with_word: int) -> float:
    """Added where the typed word is a whole jieba word of the article; rarer words earn more."""
    return WHOLE_WORD_BONUS * math.log(1 + total / with_word)


def newest_first(iso_date: str) -> tuple[int, ...]:
    """A sort key putting later issue dates first."""
    return tuple(-int(part) for part in iso_date.split("-")) if iso_date else (0,)


def first(k: int, rank: np.ndarray, docs: np.ndarray, scores: np.ndarray | None = None) -> np.ndarray:
    """Positions in ``docs`` of their first ``k`` in order: higher ``scores`` (one a document) first, then newer
    issues; newest first when there are no scores. ``rank`` is each docnum's place when all articles are
    ordered newest first (0 is the newest). Only the candidates for the first ``k`` places are sorted, and
    only theirs looked up in ``rank``."""
    n = len(docs)
    if scores is None:
        newest = rank[docs]
        cut = np.argpartition(newest, k - 1)[:k] if k < n else np.arange(n)
        return cut[np.argsort(newest[cut])]
    # Ties at the k-th score are all kept for the sort.
    cut = np.flatnonzero(scores >= kth_largest(scores, k)) if k < n else np.arange(n)
    return cut[np.lexsort((rank[docs[cut]], -scores[cut]))][:k]


SAMPLE = 512  # values a selection samples first


def kth_largest(values: np.ndarray, k: int) -> Any:
    """The ``k``-th largest of ``values`` (1 ≤ ``k`` < their number). numpy partitions 8,000 scores in about
    70 µs: the ``k``-th largest of a strided sample is at most the answer (``k`` values of the sample are at
    least it), so only the values at or above it, a few hundred, are partitioned."""
    step = len(values) // SAMPLE
    if step > 1 and len(sample := values[::step]) > k:  # fewer values are partitioned whole at once
        values = values[values >= np.partition(sample, len(sample) - k)[len(sample) - k]]
    return np.partition(values, len(values) - k)[len(values) - k]


def coordinated(matched: Any, score: Any) -> Any:
    """A partial match's score: the number of query words matched first, then their scores."""
    return matched + score / (1 + score)
