"""Evaluate a query plan against one index generation: which articles match, and how well.

A query word's candidates are the articles whose bigram postings (read from
Whoosh) contain its rarest bigrams; a candidate matches when the word really
is a contiguous piece of its title or body, checked against the generation's
text held in memory. So matching is exact, as a phrase of bigrams with
positions would be, but costs one set intersection and one substring test
per candidate instead of Whoosh walking positions document by document.

How each match scores is ``ranking``'s.
"""

from __future__ import annotations

import operator
import re
from array import array
from collections.abc import Callable
from itertools import repeat
from operator import methodcaller
from typing import Any, Protocol

from . import ranking
from .analysis import fold, grams
from .query import AllOf, AnyOf, Match, MostOf, Plan, Without

# How many of a word's rarest bigrams narrow the candidates; the substring test does the rest.
NARROWING = 2
_SINGLE_CJK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$")


class Texts:
    """The folded title and body of every document of a generation, by docnum."""

    def __init__(self, titles: list[str], bodies: list[str]):
        self.titles = titles
        self.bodies = bodies
        self.lengths = [len(b) for b in bodies]
        live = [n for n in self.lengths if n]
        self.average = sum(live) / len(live) if live else 1.0
        self.norms = [ranking.length_norm(n, self.average) for n in self.lengths]


Postings = Callable[[str, str], frozenset[int]]
Prefix = Callable[[str, str], frozenset[int]]


class Memo(Protocol):
    def get(self, key: Any) -> Any: ...
    def put(self, key: Any, value: Any) -> None: ...


class Source(Protocol):
    """What matching reads: a generation's texts, postings and its cache of scored words."""

    texts: Texts
    everything: frozenset[int]
    matches: Memo

    def postings(self, field: str, term: str) -> set[int]: ...
    def prefixed(self, field: str, prefix: str) -> set[int]: ...


def evaluate(plan: Plan, source: Source) -> dict[int, float]:
    """Docnum → score for the documents ``plan`` matches."""
    if isinstance(plan, Match):
        return _match(plan, source)
    if isinstance(plan, AllOf):
        results = [evaluate(p, source) for p in plan.parts]
        if not results:
            return {}
        rarest = sorted(results, key=len)  # intersected from the smallest
        common = set(rarest[0])
        for r in rarest[1:]:
            common.intersection_update(r)
        return {d: sum(r[d] for r in results) for d in common}
    if isinstance(plan, AnyOf):
        merged: dict[int, float] = {}
        for result in (evaluate(p, source) for p in plan.parts):
            for d, score in result.items():
                merged[d] = merged.get(d, 0.0) + score
        return merged
    if isinstance(plan, MostOf):
        results = [evaluate(p, source) for p in plan.parts]
        hits: dict[int, list[float]] = {}
        for result in results:
            for d, score in result.items():
                hits.setdefault(d, []).append(score)
        return {d: ranking.coordinated(len(s), sum(s)) for d, s in hits.items()}
    if isinstance(plan, Without):
        base = evaluate(plan.positive, source) if plan.positive is not None else dict.fromkeys(source.everything, 0.0)
        excluded: set[int] = set()
        for negative in plan.negatives:
            excluded.update(evaluate(negative, source))
        return {d: s for d, s in base.items() if d not in excluded}
    raise TypeError(f"unknown plan {plan!r}")


def _match(plan: Match, source: Source) -> dict[int, float]:
    scores: dict[int, float] = {}
    for text, weight in plan.alternatives:
        docs, values = _scored(text, weight, plan.title_only, source)
        if not scores:
            scores = dict(zip(docs, values, strict=True))
            continue
        for d, score in zip(docs, values, strict=True):
            if score > scores.get(d, 0.0):
                scores[d] = score
    if scores:
        total = max(1, len(source.texts.bodies))
        word_fields = ("title",) if plan.title_only else ("title", "body")
        for word in plan.whole_words:
            whole = set().union(*(source.postings(f, word) for f in word_fields))
            if whole:
                bonus = ranking.whole_word_bonus(total, len(whole))
                for d in whole.intersection(scores):
                    scores[d] += bonus
    return scores


def _scored(text: str, weight: float, title_only: bool, source: Source) -> tuple[array, array]:
    """The documents where ``text`` occurs and its BM25 score in each, remembered by the generation: the
    same words come back all day, and the substring tests are most of a search's cost."""
    key = (text, weight, title_only)
    cached = source.matches.get(key)
    if cached is not None:
        return cached
    texts = source.texts
    fields = ("title_g",) if title_only else ("title_g", "body_g")
    folded = fold(text)
    candidates = sorted(_candidates(grams(text, query=True), fields, source.postings, source.prefixed))
    # The substring tests in C (map), not a Python loop: they are most of a new word's cost.
    titles, bodies = texts.titles, texts.bodies
    in_title = list(map(operator.contains, [titles[d] for d in candidates], repeat(folded)))
    if title_only:
        counts = [0] * len(candidates)
    else:
        counts = list(map(methodcaller("count", folded), [bodies[d] for d in candidates]))
    keep = [i for i, (t, c) in enumerate(zip(in_title, counts, strict=True)) if t or c]
    docs = array("I", [candidates[i] for i in keep])
    in_title, counts = [in_title[i] for i in keep], [counts[i] for i in keep]
    idf = ranking.idf(max(1, len(bodies)), len(docs))
    values = array("d", ranking.bm25(idf, weight, in_title, counts, [texts.norms[d] for d in docs]))
    source.matches.put(key, (docs, values))
    return docs, values


def _candidates(tokens: list[str], fields: tuple[str, ...], postings: Postings, prefix: Prefix) -> set[int]:
    if not tokens:
        return set()
    out: set[int] = set()
    for field in fields:
        if len(tokens) == 1 and _SINGLE_CJK.match(tokens[0]):
            # A lone character starts a bigram, or ends a run as a unigram.
            out |= prefix(field, tokens[0])
            continue
        lists = sorted((postings(field, t) for t in set(tokens)), key=len)
        if not lists[0]:
            continue
        narrowed = set(lists[0])
        for ids in lists[1:NARROWING]:
            narrowed &= ids
        out |= narrowed
    return out


def vote(text: str, postings: Postings, total: int) -> dict[int, float]:
    """Articles sharing the most distinctive bigrams with a pasted passage, whatever its spacing,
    punctuation or a few differing characters; those far below the best are left out."""
    votes: dict[int, float] = {}
    for gram in set(grams(text, query=True)):
        if len(gram) < 2:
            continue
        ids = postings("body_g", gram) | postings("title_g", gram)
        if not ids or len(ids) > ranking.PASSAGE_COMMON * total:
            continue
        weight = ranking.idf(total, len(ids))
        for d in ids:
            votes[d] = votes.get(d, 0.0) + weight
    if not votes:
        return {}
    best = max(votes.values())
    return {d: v for d, v in votes.items() if v >= ranking.PASSAGE_KEEP * best}
