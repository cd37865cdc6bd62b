"""Evaluate a query plan against one index generation: which articles match, and how well.

A query word's candidates are the articles holding all its runs of four CJK
characters, or its character pairs (``grams``: arrays beside the Whoosh index);
a candidate matches when the word really is a contiguous piece of its title or
body, checked against the generation's text held in memory. A word of one to
four CJK characters needs no test: its pair's or run's postings (a lone
character's: those of every pair it starts) are its matches, with its count.
Results are arrays (``Scores``): sorted docnums and their scores, combined with
numpy, so a query's cost follows how many articles its words narrow to, not a
Python step per article.

How each match scores is ``ranking``'s.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from itertools import repeat
from typing import Any, Protocol

import numpy as np

from ..language.folding import fold
from . import grams, ranking
from .docsets import in_any, joined, member, positions, union
from .grams import Postings, is_cjk, word_keys
from .query import AllOf, AnyOf, Match, MostOf, Plan, Without


class Texts:
    """The folded title and body of every document of a generation, by docnum.

    Held as a few long strings with the offsets of each document, not a string a document: a substring test
    reads the long string in place (``str.count`` with bounds), so the pages a forking master shares with its
    workers are read, never written (a short string's reference count would be, and its page copied). Each
    long string holds ``CHUNK`` documents, so that a character outside the BMP widens only its own chunk."""

    CHUNK = 4096

    def __init__(self, titles: list[str], bodies: list[str]):
        self.size = len(bodies)
        self.title_chunks, self.title_starts = _chunked(titles, self.CHUNK)
        self.body_chunks, self.body_starts = _chunked(bodies, self.CHUNK)
        self.lengths = np.fromiter(map(len, bodies), dtype=np.int64, count=len(bodies))
        live = self.lengths[self.lengths > 0]
        self.average = int(live.sum()) / len(live) if len(live) else 1.0
        self.norms = ranking.length_norm(self.lengths, self.average)

    def title(self, doc: int) -> str:
        return _slice(self.title_chunks, self.title_starts, doc, self.CHUNK)

    def body(self, doc: int) -> str:
        return _slice(self.body_chunks, self.body_starts, doc, self.CHUNK)

    def title_lengths(self, docs: np.ndarray) -> np.ndarray:
        """The length of each of ``docs``' titles (ascending or not)."""
        begin, end = _bounds(self.title_starts, docs, self.CHUNK)
        return np.asarray(end, dtype=np.int64) - np.asarray(begin, dtype=np.int64)

    def in_titles(self, docs: np.ndarray, word: str) -> np.ndarray:
        """Whether each of ``docs`` (ascending) has ``word`` in its title."""
        return _counts(self.title_chunks, self.title_starts, docs, word, self.CHUNK) > 0

    def in_bodies(self, docs: np.ndarray, word: str) -> np.ndarray:
        """How often ``word`` occurs in the body of each of ``docs`` (ascending)."""
        return _counts(self.body_chunks, self.body_starts, docs, word, self.CHUNK)


def _chunked(texts: list[str], size: int) -> tuple[list[str], np.ndarray]:
    """``texts`` joined ``size`` at a time, and where each text starts in its chunk (and, last, where the last
    one ends)."""
    chunks = ["".join(texts[i : i + size]) for i in range(0, len(texts), size)]
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    for i in range(0, len(texts), size):
        lengths = np.fromiter(map(len, texts[i : i + size]), dtype=np.int64)
        starts[i + 1 : i + 1 + len(lengths)] = np.cumsum(lengths)
    return chunks, starts


def _bounds(starts: np.ndarray, docs: np.ndarray, size: int) -> tuple[list[int], list[int]]:
    """Where each of ``docs`` starts and ends in its chunk (a chunk's first document starts at 0)."""
    at = np.asarray(docs, dtype=np.int64)
    begin = np.where(at % size == 0, 0, starts[at])
    return begin.tolist(), starts[at + 1].tolist()


def _counts(chunks: list[str], starts: np.ndarray, docs: np.ndarray, word: str, size: int) -> np.ndarray:
    """``word``'s count in each of ``docs`` (ascending), chunk by chunk, in C."""
    if not len(docs):
        return np.zeros(0, np.int64)
    begin, end = _bounds(starts, docs, size)
    chunk_of = np.asarray(docs, dtype=np.int64) // size
    edges = [0, *(np.flatnonzero(np.diff(chunk_of)) + 1).tolist(), len(docs)]
    out: list[int] = []
    for i, j in itertools.pairwise(edges):
        out.extend(map(chunks[int(chunk_of[i])].count, repeat(word), begin[i:j], end[i:j]))
    return np.array(out, dtype=np.int64)


def _slice(chunks: list[str], starts: np.ndarray, doc: int, size: int) -> str:
    begin = 0 if doc % size == 0 else int(starts[doc])
    return chunks[doc // size][begin : int(starts[doc + 1])]


@dataclass(frozen=True)
class Scores:
    """Matched documents: docnums in ascending order, and the score of each."""

    docs: np.ndarray
    values: np.ndarray

    @classmethod
    def empty(cls) -> Scores:
        return cls(np.empty(0, np.int32), np.empty(0, np.float64))

    def __len__(self) -> int:
        return len(self.docs)

    def __bool__(self) -> bool:
        return len(self.docs) > 0


class Memo(Protocol):
    def get(self, key: Any) -> Any: ...
    def put(self, key: Any, value: Any) -> None: ...


class Source(Protocol):
    """What matching reads: a generation's texts, postings and its cache of scored words."""

    texts: Texts
    live_docs: np.ndarray
    matches: Memo

    # Postings: sorted docnums, and the count in each (None for a title's: only the body's are read).
    def pairs(self, field: str, key: int) -> Postings: ...
    def runs(self, field: str, text: str) -> Postings: ...
    def holding_char(self, field: str, char: str) -> Postings: ...
    def word_docs(self, field: str, word: str) -> np.ndarray: ...


def evaluate(plan: Plan, source: Source, found: list[tuple[str, str]] | None = None) -> Scores:
    """The documents ``plan`` matches, with their scores; ``found`` collects each (typed word, thesaurus
    word) whose thesaurus word matched some document."""
    if isinstance(plan, Match):
        return _match(plan, source, found)
    if isinstance(plan, AllOf):
        results = [evaluate(p, source, found) for p in plan.parts]
        if not results:
            return Scores.empty()
        smallest, *others = sorted(results, key=len)
        common = smallest.docs
        for r in others:  # narrowed from the smallest
            common = common[member(r.docs, common)]
        total = np.zeros(len(common))
        for r in results:
            total += r.values[positions(r.docs, common)]
        return Scores(common, total)
    if isinstance(plan, AnyOf):
        return _merged([evaluate(p, source, found) for p in plan.parts], np.add)[0]
    if isinstance(plan, MostOf):
        results = [evaluate(p, source, found) for p in plan.parts]
        summed, matched = _merged(results, np.add)
        keep = np.ones(len(summed), dtype=bool)
        for result, required in zip(results, plan.required or (False,) * len(results), strict=True):
            if required:
                keep &= member(result.docs, summed.docs)
        return Scores(summed.docs[keep], ranking.coordinated(matched[keep], summed.values[keep]))
    if isinstance(plan, Without):
        if plan.positive is not None:
            base = evaluate(plan.positive, source, found)
        else:
            base = Scores(source.live_docs, np.zeros(len(source.live_docs)))
        excluded = _merged([evaluate(n, source) for n in plan.negatives], np.add)[0].docs
        keep = ~member(excluded, base.docs)
        return Scores(base.docs[keep], base.values[keep])
    raise TypeError(f"unknown plan {plan!r}")


def _merged(results: list[Scores], combine: np.ufunc) -> tuple[Scores, np.ndarray]:
    """Every document of ``results`` with its scores combined (in the order given), and how many of the
    results had it."""
    results = [r for r in results if len(r)]
    if not results:
        return Scores.empty(), np.empty(0, np.int64)
    if len(results) == 1:
        return results[0], np.ones(len(results[0]), np.int64)
    docs = np.concatenate([r.docs for r in results])
    values = np.concatenate([r.values for r in results])
    order = np.argsort(docs, kind="stable")
    docs, values = docs[order], values[order]
    starts = np.flatnonzero(np.concatenate([[True], docs[1:] != docs[:-1]]))
    return Scores(docs[starts], combine.reduceat(values, starts)), np.diff(np.append(starts, len(docs)))


def _match(plan: Match, source: Source, found: list[tuple[str, str]] | None) -> Scores:
    title_only = plan.title_only
    typed, *added = (_scored(text, weight, title_only, source) for text, weight in plan.alternatives)
    values = typed.values + ranking.TYPED_TIER  # a copy: the cached word's own scores stay as they are
    total = max(1, len(source.live_docs))  # deleted documents of replaced issues do not count
    word_fields = ("title",) if title_only else ("title", "body")
    for word in plan.whole_words:
        holding, count = in_any([source.word_docs(f, word) for f in word_fields], typed.docs)
        if count:
            values += holding * ranking.whole_word_bonus(total, count)  # a mask times the bonus: one pass
    if found is not None:
        pairs = zip(plan.alternatives[1:], added, strict=True)
        found.extend((plan.typed, text) for (text, _), scores in pairs if scores)
    if plan.loose:
        added = [Scores(a.docs, a.values + ranking.TYPED_TIER) for a in added]
    return _merged([Scores(typed.docs, values), *added], np.maximum)[0]


def _scored(text: str, weight: float, title_only: bool, source: Source) -> Scores:
    """The documents where ``text`` occurs and its BM25 score in each, remembered by the generation: the
    same words come back all day."""
    key = (text, weight, title_only)
    cached = source.matches.get(key)
    if cached is not None:
        return cached
    texts = source.texts
    folded = fold(text)
    keys = word_keys(text)
    exact = _postings_are_matches(folded, keys, source)
    if exact is not None:
        titled, _ = exact("title")
        if title_only:
            docs, in_title, counts = titled, np.ones(len(titled), bool), np.zeros(len(titled), np.int64)
        else:
            docs, in_title, counts = joined(titled, *exact("body"))
    else:
        candidates = _candidates(folded, keys, ("title",) if title_only else ("title", "body"), source)
        # The substring tests in C (str.count over each document's bounds), not a Python loop: they are most of
        # a long word's cost.
        titled = texts.in_titles(candidates, folded)
        body_counts = np.zeros(len(candidates), np.int64) if title_only else texts.in_bodies(candidates, folded)
        keep = titled | (body_counts > 0)
        docs, in_title, counts = candidates[keep].astype(np.int32), titled[keep], body_counts[keep]
    idf = ranking.idf(max(1, len(source.live_docs)), len(docs))
    scores = Scores(docs, ranking.bm25(idf, weight, in_title, counts, texts.norms[docs]))
    source.matches.put(key, scores)
    return scores


def _all_cjk(folded: str) -> bool:
    return all(map(is_cjk, folded))


def _postings_are_matches(folded: str, keys: list[int], source: Source):
    """For a word of one to four CJK characters that cannot overlap itself (so a count of its key is its
    count in the text), how to read its postings by field; otherwise None."""
    if not 1 <= len(folded) <= max(grams.RUNS) or not _all_cjk(folded) or _overlaps(folded):
        return None
    if len(folded) == 1:
        return lambda field: source.holding_char(field, folded)
    if len(folded) == 2:
        return lambda field: source.pairs(field, keys[0])
    return lambda field: source.runs(field, folded)


def _overlaps(word: str) -> bool:
    """Whether two occurrences of ``word`` can overlap (一对一 in 一对一对一): it starts as it ends."""
    return any(word[:k] == word[-k:] for k in range(1, len(word)))


def _candidates(folded: str, keys: list[int], fields: tuple[str, ...], source: Source) -> np.ndarray:
    """Docnums holding all of a word's runs (a word of three or more CJK characters) or keys in one of
    ``fields``; for a lone character, those holding it."""
    found = []
    chars = [c for c in folded if is_cjk(c)]
    size = min(len(folded), max(grams.RUNS))
    runs = len(folded) >= min(grams.RUNS) and _all_cjk(folded)
    for field in fields:
        if not keys:
            if len(chars) == 1:
                found.append(source.holding_char(field, chars[0])[0])
            continue
        if runs:
            parts = dict.fromkeys(folded[i : i + size] for i in range(len(folded) - size + 1))
            lists = sorted((source.runs(field, part)[0] for part in parts), key=len)
        else:
            lists = sorted((source.pairs(field, k)[0] for k in keys), key=len)
        narrowed = lists[0]
        for other in lists[1:]:  # only the rarest key's documents are looked up in the others
            if not len(narrowed):
                break
            narrowed = narrowed[member(other, narrowed)]
        found.append(narrowed)
    if not found:
        return np.empty(0, np.int32)
    return found[0] if len(found) == 1 else union(*found)


def vote(text: str, source: Source, total: int) -> Scores:
    """Articles sharing the most distinctive character pairs with a pasted passage, whatever its spacing,
    punctuation or a few differing characters; those far below the best are left out."""
    docs, weights = [], []
    for key in word_keys(text, shortest_ascii=2):
        ids = union(source.pairs("body", key)[0], source.pairs("title", key)[0])
        if not len(ids) or len(ids) > ranking.PASSAGE_COMMON * total:
            continue
        docs.append(ids)
        weights.append(np.full(len(ids), ranking.idf(total, len(ids))))
    if not docs:
        return Scores.empty()
    voted = _merged([Scores(d, w) for d, w in zip(docs, weights, strict=True)], np.add)[0]
    keep = voted.values >= ranking.PASSAGE_KEEP * voted.values.max()
    return Scores(voted.docs[keep], voted.values[keep])
