"""Candidate new terms of an issue: strings jieba cuts apart that the issue nevertheless uses as one unit.

A product or system name new to the dictionary (城管通, 数字集群) is cut into pieces (城管 / 通); where those
pieces stand together in most of the places either occurs, and together recur in the issue, the whole is
probably a term. Accepting one adds it to the domain dictionary (a reindex applies it).
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

import jieba

from archive import Issue

from .analysis import _RUNS, init, stop_words
from .folding import normalise
from .wordlists import domain_words

MIN_COUNT = 3  # times the whole must occur in the issue
COHESION = 0.6  # share of the rarer piece's occurrences that are inside the whole
MAX_PIECES = 3
LENGTHS = range(3, 7)  # characters of a candidate


@dataclass(frozen=True)
class Term:
    text: str
    count: int
    pieces: tuple[str, ...]  # how jieba cuts it today

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "count": self.count, "pieces": list(self.pieces)}


def candidate_terms(issue: Issue, limit: int = 20) -> list[Term]:
    """The issue's recurring strings that jieba splits but that appear as a unit, most frequent first."""
    init()
    stops, known = stop_words(), {w for w, _ in domain_words()}
    pieces: Counter[str] = Counter()
    wholes: Counter[tuple[str, ...]] = Counter()
    for article in issue.articles:
        for match in _RUNS.finditer(normalise(f"{article.title}\n{article.text}")):
            if not match.group(1):
                continue
            cut = list(jieba.cut(match.group(1), HMM=False))
            pieces.update(cut)
            for size in range(2, MAX_PIECES + 1):
                for run in itertools.pairwise(cut) if size == 2 else zip(*(cut[i:] for i in range(size)), strict=False):
                    if any(p in stops for p in run) or len("".join(run)) not in LENGTHS:
                        continue
                    if size > 2 and all(len(p) > 1 for p in run):
                        continue  # three whole words in a row are a phrase, not a name
                    wholes[tuple(run)] += 1
    found: dict[str, Term] = {}
    for run, count in wholes.items():
        text = "".join(run)
        if count < MIN_COUNT or text in known or jieba.dt.FREQ.get(text) or text in found:
            continue
        if count / min(pieces[p] for p in run) < COHESION:
            continue
        found[text] = Term(text, count, run)
    # A longer term that holds a shorter one as often wins over it (城管通终端 over 城管通 only if as frequent).
    ranked = sorted(found.values(), key=lambda t: (-t.count, -len(t.text), t.text))
    kept: list[Term] = []
    for term in ranked:
        if any(term.text in k.text and k.count >= term.count for k in kept):
            continue
        kept.append(term)
    return kept[:limit]
