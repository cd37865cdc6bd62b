"""Related articles: those that share the most distinctive words with an article.

An article's words are weighted by how rare they are across the archive (idf), so that 勒索病毒 counts and
工作 does not; each other article scores the weight of the words it shares, divided by a slowly growing
function of its length so that long articles do not relate to everything. Articles of other issues and
other units are preferred (the reader has this issue's contents on the page already). Computed from the
generation's postings on request; nothing is stored by hand.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

import numpy as np

from ..language.analysis import words

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
    postings: dict[str, list[int]] = {}
    for word, tf in counts.items():
        docs = np.union1d(gen.word_docs("body", word), gen.word_docs("title", word)).tolist()
        if len(docs) <= 1 or len(docs) > COMMON * total:
            continue
        postings[word] = docs
        weights[word] = (1 + math.log(tf)) * math.log(total / len(docs))
    scores: dict[int, float] = defaultdict(float)
    shared: Counter[int] = Counter()
    for word in sorted(weights, key=weights.__getitem__, reverse=True)[:TOP_WORDS]:
        for other in postings[word]:
            if other != docnum:
                scores[other] += weights[word]
                shared[other] += 1
    issue, unit = gen.cols["issue_id"], gen.cols["unit"]
    ranked = []
    for other, score in scores.items():
        if shared[other] < MIN_SHARED:
            continue
        length = int(gen.texts.lengths[other]) + len(gen.texts.title(other))
        score /= math.log(10 + length / 100)
        if issue[other] == issue[docnum]:
            score *= SAME_ISSUE
        if unit[other] and unit[other] == unit[docnum]:
            score *= SAME_UNIT
        ranked.append((-score, gen.cols["id"][other], other))
    return [other for _, _, other in sorted(ranked)[:limit]]
