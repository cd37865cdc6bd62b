"""Candidate new terms of an issue: strings that behave like words in it although jieba does not know them.

A string is word-like when its characters hold together (cohesion: it occurs far more often than its two
halves would meet by chance, at its weakest split) and it is free at both ends (the characters just before
and just after it vary: their entropy is high), the measures of unsupervised Chinese word discovery. Beyond
them a candidate must not start or end inside a word the dictionary or the units table knows (局利用 from
怀柔局利用), start with a function word or a numeral, end with a locality word (期间, 中), be a unit or begin
with one, or be a mere context of a shorter candidate (利用科技装备 around 科技装备). Accepting one adds it to
the domain dictionary (a reindex applies it).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import jieba
import jieba.posseg

from archive import Issue
from archive.units import area_named

from .analysis import _RUNS, init, stop_words
from .folding import normalise

MIN_COUNT = 3  # times a candidate must occur in the issue
MAX_CHARS = 150_000  # characters of an issue measured (an issue has 30,000–100,000)
LENGTHS = range(2, 7)  # characters of a candidate
COHESION = 30.0  # at its weakest split, how many times more often than chance the halves meet
FREEDOM = 1.0  # bits of entropy of the characters on each side
CROSSED = 0.5  # share of its occurrences in which a known word crosses one of its ends
KNOWN_FREQ = 30  # jieba's frequency from which a word counts as known when it crosses an end
BOUND = 0.6  # a run of whole words must hold this share of its rarest word's occurrences to be one term
BOUND_COUNT = 4  # ... and occur this often: jieba already cuts it into words, so the evidence must be more
CONTEXT = 0.5  # a longer candidate holding a shorter one less often than this share is a context of it
WHOLE = 0.8  # ... and as often as this share, the shorter one is a part of the longer
BAD_FIRST = frozenset({"p", "c", "u", "d", "r", "m", "q"})  # parts of speech a term does not begin with
BAD_LAST = frozenset({"f", "u", "p", "c", "y"})  # ... nor end with


@dataclass(frozen=True)
class Term:
    text: str
    count: int
    pieces: tuple[str, ...]  # how jieba cuts it today

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "count": self.count, "pieces": list(self.pieces)}


@dataclass(frozen=True)
class _Measured:
    text: str
    count: int
    cohesion: float
    freedom: float  # the lesser of the two ends' entropies

    @property
    def score(self) -> float:
        return self.count * self.freedom * math.log(self.cohesion)


def candidate_terms(issue: Issue, limit: int = 20, tokenizer: jieba.Tokenizer | None = None) -> list[Term]:
    """The issue's word-like strings jieba does not know, the most word-like and frequent first.

    ``tokenizer`` is whose dictionary counts as known (the archive's jieba, with the domain words, unless
    given)."""
    if tokenizer is None:
        init()
        tokenizer = jieba.dt
    freq: Mapping[str, int] = tokenizer.FREQ
    stats = _Stats(_runs(issue))
    tagger = jieba.posseg.POSTokenizer(tokenizer)

    def known(text: str) -> bool:
        return freq.get(text, 0) >= KNOWN_FREQ or area_named(text) is not None

    found = [m for m in stats.measured() if not freq.get(m.text) and _well_formed(m.text, tagger)]
    found = [m for m in found if stats.crossed(m.text, known) <= CROSSED]
    score = {m.text: m.score for m in found}
    terms = [Term(m.text, m.count, tuple(tokenizer.cut(m.text, HMM=False))) for m in _without_contexts(found)]
    terms = [t for t in terms if _one_unit(t, stats.counts, tagger)]
    terms.sort(key=lambda t: (-score[t.text], t.text))
    return terms[:limit]


def _runs(issue: Issue) -> list[str]:
    """The issue's runs of Chinese characters, up to ``MAX_CHARS`` of them in all (a whole issue is far less; a
    file of many megabytes is measured by its beginning, not held whole as every one of its substrings)."""
    runs, size = [], 0
    for article in issue.articles:
        for match in _RUNS.finditer(normalise(f"{article.title}\n{article.text}")):
            if match.group(1):
                runs.append(match.group(1)[: MAX_CHARS - size])
                size += len(runs[-1])
                if size >= MAX_CHARS:
                    return runs
    return runs


def _one_unit(term: Term, counts: Counter[str], tagger: jieba.posseg.POSTokenizer) -> bool:
    """Its pieces as jieba cuts them make one unit: no stop word among them, not a verb before its object,
    and a run of whole words only when bound together (``_bound``)."""
    return not stop_words().intersection(term.pieces) and not _verb_first(term, tagger) and _bound(term, counts)


def _bound(term: Term, counts: Counter[str]) -> bool:
    """A run of words each whole (利用 科技装备, 保障 工作) is one term only when it holds most occurrences of
    its rarest word; a word and a suffix (执法 队) need not."""
    if min(len(p) for p in term.pieces) < 2:
        return True
    return term.count >= max(BOUND_COUNT, BOUND * min(counts[p] for p in term.pieces))


def _verb_first(term: Term, tagger: jieba.posseg.POSTokenizer) -> bool:
    """A verb before its object is a phrase, not a term: a one-character verb or preposition before a word
    (让 大数据, 用 手机), or a verb before whole words (加强 专项整治, 保障 重大 活动)."""
    first, rest = term.pieces[0], term.pieces[1:]
    tag = tagger.word_tag_tab.get(first, "x")
    if not rest:
        return False
    if len(first) == 1:
        return tag[:1] in {"v", "p", "c", "d", "r", "u"}
    return tag == "v" and min(len(p) for p in rest) > 1


class _Stats:
    """Counts of every short string of an issue's runs of Chinese and of the characters beside it."""

    def __init__(self, runs: list[str]) -> None:
        self.runs = runs
        self.size = sum(map(len, runs))
        self.counts: Counter[str] = Counter()
        self.sides: dict[str, tuple[Counter[str], Counter[str]]] = defaultdict(lambda: (Counter(), Counter()))
        for run in runs:
            for n in range(1, LENGTHS.stop + 1):
                for i in range(len(run) - n + 1):
                    self.counts[run[i : i + n]] += 1
        for run in runs:
            for n in LENGTHS:
                for i in range(len(run) - n + 1):
                    text = run[i : i + n]
                    if self.counts[text] >= MIN_COUNT:
                        before, after = self.sides[text]
                        # A run's edge is a new neighbour each time: punctuation frees a word's end.
                        before[run[i - 1] if i else f"^{sum(before.values())}"] += 1
                        after[run[i + n] if i + n < len(run) else f"${sum(after.values())}"] += 1

    def measured(self) -> Iterator[_Measured]:
        for text, (before, after) in self.sides.items():
            count = self.counts[text]
            halves = (self.counts[text[:k]] * self.counts[text[k:]] for k in range(1, len(text)))
            cohesion = min(count * self.size / product for product in halves)
            freedom = min(_entropy(before), _entropy(after))
            if cohesion >= COHESION and freedom >= FREEDOM:
                yield _Measured(text, count, cohesion, freedom)

    def crossed(self, text: str, known: Callable[[str], bool]) -> float:
        """The share of ``text``'s occurrences in which a known word begins outside it and ends inside, or the
        reverse (怀柔局 across the start of 局利用)."""
        crossed = total = 0
        for run in self.runs:
            start = run.find(text)
            while start >= 0:
                end = start + len(text)
                total += 1
                crossed += _crosses(run, start, known) or _crosses(run, end, known)
                start = run.find(text, start + 1)
        return crossed / total if total else 1.0


def _crosses(run: str, at: int, known: Callable[[str], bool]) -> bool:
    """True when a known word of 2–6 characters spans the boundary ``at`` of ``run``."""
    longest = LENGTHS.stop - 1
    for begin in range(max(0, at - longest + 1), at):
        for end in range(at + 1, min(len(run), begin + longest) + 1):
            if known(run[begin:end]):
                return True
    return False


def _entropy(counts: Counter[str]) -> float:
    total = sum(counts.values())
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def _well_formed(text: str, tagger: jieba.posseg.POSTokenizer) -> bool:
    """Not a unit nor begun by one, nor begun or ended by a stop word, a function word or a numeral."""
    stops = stop_words()
    if text[0] in stops or text[-1] in stops:
        return False
    if any(area_named(text[:k]) is not None for k in range(2, len(text) + 1)):
        return False
    tags = [pair.flag for pair in tagger.cut(text, HMM=False)]
    return tags[0][:1] not in BAD_FIRST and tags[-1][:1] not in BAD_LAST


def _without_contexts(found: list[_Measured]) -> list[_Measured]:
    """Of a shorter candidate and a longer one holding it, keep the longer when it holds (nearly) every
    occurrence of the shorter (执法城管通 over 城管通), the shorter when the longer is one of its contexts."""
    dropped: set[str] = set()
    by_text = {m.text: m for m in found}
    for longer in found:
        for shorter in found:
            if shorter is longer or shorter.text not in longer.text:
                continue
            share = longer.count / shorter.count
            if share >= WHOLE:
                dropped.add(shorter.text)
            elif share < CONTEXT:
                dropped.add(longer.text)
    return [m for m in by_text.values() if m.text not in dropped]
