"""Ranking: every constant and formula that orders results, in one place.

Whoosh never scores here (matching is ours, see ``matching``), so ranking is
BM25 over each query word's exact occurrences, titles counting ``TITLE_BOOST``
times, plus a bonus where jieba made the typed word a whole word of the
article; a synonym's match counts ``SYNONYM_WEIGHT`` of the typed word's.
Ties, and the date sort, go newest first.
"""

from __future__ import annotations

import math

K1, B = 1.2, 0.75
TITLE_BOOST = 3.0
WHOLE_WORD_BONUS = 1.0
# A synonym's match counts for less than the typed word's, so the typed word ranks first.
SYNONYM_WEIGHT = 0.2
# A pasted passage: bigrams in more than this share of articles carry no vote; articles with less than
# this share of the best article's votes are left out.
PASSAGE_COMMON = 0.25
PASSAGE_KEEP = 0.3


def idf(total: int, matching: int) -> float:
    """BM25's inverse document frequency of a word found in ``matching`` of ``total`` articles."""
    return math.log(1 + (total - matching + 0.5) / (matching + 0.5))


def length_norm(length: int, average: float) -> float:
    """BM25's length normalisation of an article's body of ``length`` characters."""
    return K1 * (1 - B + B * length / average)


def bm25(idf_: float, weight: float, in_title: list[bool], counts: list[int], norms: list[float]) -> list[float]:
    """One word's score in each of many articles: title presence plus BM25 of its ``count`` occurrences in
    the body, given each body's ``length_norm``."""
    scale, top = idf_ * weight, K1 + 1
    return [scale * (TITLE_BOOST * t + c * top / (c + n)) for t, c, n in zip(in_title, counts, norms, strict=True)]


def whole_word_bonus(total: int, with_word: int) -> float:
    """Added where the typed word is a whole jieba word of the article; rarer words earn more."""
    return WHOLE_WORD_BONUS * math.log(1 + total / with_word)


def newest_first(iso_date: str) -> tuple[int, ...]:
    """A sort key putting later issue dates first."""
    return tuple(-int(part) for part in iso_date.split("-")) if iso_date else (0,)


def relevance_order(score: float, newest_rank: int) -> tuple[float, int]:
    """The sort key of the relevance order: higher scores first, then newer issues.

    ``newest_rank`` is the article's position when all are ordered newest first (0 is the newest).
    """
    return (-score, newest_rank)


def coordinated(matched: int, score: float) -> float:
    """A partial match's score: the number of query words matched first, then their scores."""
    return matched + score / (1 + score)
