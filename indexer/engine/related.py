"""Related articles: those that share the most distinctive words with an article.

An article's words are weighted by how rare they are across the archive (idf), so that 勒索病毒 counts and
工作 does not; each other article scores the weight of the words it shares, divided by a slowly growing
function of its length so that long articles do not relate to everything. Articles of other issues and
other units are preferred (the reader has this issue's contents on the page already). Computed from the
generation's postings on request; nothing is stored by hand.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from ..language.analysis import words
from .docsets import union

if TYPE_CHECKING:  # the engine reads a generation, it does not open one
    from ..storage.generation import Generation

TOP_WORDS = 30  # the article's most distinctive words that are looked up
COMMON = 0.15  # a word in more than this share of articles says nothing about relatedness
SAME_ISSUE = 0.6  # weight of an article of the same issue
SAME_UNIT = 0.8  # weight of an article by the same unit
MIN_SHARED = 2  # a related article shares at least this many distinctive words


def related(gen: Generation, docnum: int, limit: int = 5) -> list[int]:
    """Docnums of up to ``limit`` articles related to ``docnum``, the most related first."""
    total = len(gen.live)
    if total < 2:
        return []
    text = f"{gen.texts.title(docnum)} {gen.texts.body(docnum)}"
    counts = Counter(w for w in words(text) if len(w) >= 2 and not w.isdigit())
    weights: dict[str, float] = {}
    postings: dict[str, np.ndarray] = {}
    for word, tf in counts.items():
        body = gen.word_docs("body", word)
        if len(body) > COMMON * total:  # the union would be larger still
            continue
        docs = union(body, gen.word_docs("title", word))
        if len(docs) <= 1 or len(docs) > COMMON * total:
            continue
        postings[word] = docs
        weights[word] = (1 + math.log(tf)) * math.log(total / len(docs))
    chosen = sorted(weights, key=weights.__getitem__, reverse=True)[:TOP_WORDS]
    if not chosen:
        return []
    # Each article's score summed word by word in this order, as one weighted count.
    everyone = np.concatenate([postings[w] for w in chosen])
    size = int(everyone.max()) + 1
    weight = np.repeat([weights[w] for w in chosen], [len(postings[w]) for w in chosen])
    scores = np.bincount(everyone, weights=weight, minlength=size)
    shared = np.bincount(everyone, minlength=size)
    if docnum < size:
        shared[docnum] = 0  # not related to itself
    candidates = np.flatnonzero(shared >= MIN_SHARED)
    lengths = gen.texts.lengths[candidates] + gen.texts.title_lengths(candidates)
    # A candidate's score before the same-issue and same-unit discounts bounds its final one: candidates are
    # scored in the order of that bound, until the next cannot reach the ``limit`` best.
    bound = scores[candidates] / np.log(10 + lengths / 100)
    order = np.argsort(-bound, kind="stable")
    issue, unit = gen.cols["issue_id"], gen.cols["unit"]
    ranked: list[tuple[float, str, int]] = []
    best: list[float] = []  # the ``limit`` best scores so far, the lowest first
    for at in order.tolist():
        if len(best) == limit and bound[at] * (1 + 1e-9) < best[0]:  # np.log and math.log may differ in the last bit
            break
        other, length = int(candidates[at]), int(lengths[at])
        score = float(scores[other]) / math.log(10 + length / 100)
        if issue[other] == issue[docnum]:
            score *= SAME_ISSUE
        if unit[other] and unit[other] == unit[docnum]:
            score *= SAME_UNIT
        ranked.append((-score, gen.cols["id"][other], other))
        if len(best) < limit:
            heapq.heappush(best, score)
        elif score > best[0]:
            heapq.heapreplace(best, score)
    return [other for _, _, other in heapq.nsmallest(limit, ranked)]
