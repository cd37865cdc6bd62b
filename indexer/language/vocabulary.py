"""The archive's own vocabulary: its words with their document frequency and pinyin.

Mined at build time from each issue's articles (jieba words of two or more
Chinese characters) and kept with the generation, it is what pinyin queries
(full, mixed with characters, or initials) are turned into and what homophone
and shape slips are corrected to: never a word the archive does not contain,
and never a real word that the archive merely lacks.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, islice, product
from typing import Any

from .analysis import JIEBA_CACHE, cache_dir, is_lean, is_word, vocabulary_words
from .shapes import EDIT, Shapes

_CJK_WORD = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]{2,12}$")
_CJK_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
# A query word of characters and pinyin typed before choosing them (城管tong, yingji预案): its runs.
_MIXED = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[A-Za-z]+")
# What a piece costs when the query is split into pieces: a word as it is a little (an archive word, or a real
# word the archive lacks: so that two words which never stand together, 必须 + 配戴, lose to the one archive
# word read exactly like them, 必须佩戴), a word read alike a little more (more for a near reading than for
# the same one), one that looks alike between the two (but less than two words: 背街小港 is 背街小巷, though
# 小港 is a word), a lone character most.
_COST_WORD, _COST_SAME, _COST_SHAPE, _COST_NEAR, _COST_CHAR = 0.3, 0.5, 0.55, 0.75, 1.0
_LONGEST = 8
_CONTEXT = 4  # characters beside typed pinyin that a word read through it may take in


@lru_cache(maxsize=1 << 18)
def syllables(text: str) -> tuple[str, ...]:
    """Toneless pinyin, one syllable per character (remembered: a build asks for the same words often)."""
    return tuple(reader().lazy_pinyin(text))


@lru_cache(maxsize=1)
def reader() -> Any:
    """What reads text aloud, loaded where readings are first made (a build; a server's master before its
    workers start): pypinyin, or in a server's process (``analysis.lean_dictionary``) pypinyin without its
    45 MB phrase table and the table's readings as arrays (``dictionary.LeanReadings``: the same readings)."""
    if is_lean() and "pypinyin" not in sys.modules:
        from .dictionary import load_readings

        return load_readings(cache_dir(), JIEBA_CACHE)
    import pypinyin

    return pypinyin


def readings(text: str, limit: int = 32) -> list[tuple[str, ...]]:
    """Every toneless reading of ``text`` (its characters' readings combined; the likeliest first)."""
    reader()  # pypinyin imported as this process reads aloud (a single character reads the same either way)
    from pypinyin import Style, pinyin

    # Character by character: a phrase pypinyin knows (行东, hang dong) would otherwise give one reading only.
    options = [list(dict.fromkeys(pinyin(c, style=Style.NORMAL, heteronym=True)[0])) for c in text]
    first = syllables(text)
    out = [first]
    out.extend(r for r in islice(product(*options), limit) if r != first)
    return out


def fuzzy(syllable: str) -> str:
    """A syllable with the confusions common in Mandarin input folded: z/zh, c/ch, s/sh, n/l, -n/-ng."""
    for retroflex in ("zh", "ch", "sh"):
        if syllable.startswith(retroflex):
            syllable = syllable[0] + syllable[2:]
    if syllable.startswith("l"):
        syllable = "n" + syllable[1:]
    if syllable.endswith("ng"):
        syllable = syllable[:-1]
    return syllable


def mine(texts: Iterable[str]) -> dict[str, list]:
    """Word → [document frequency, pinyin] over ``texts`` (one text per article)."""
    return tally(vocabulary_words(text) for text in texts)


def tally(articles: Iterable[set[str]]) -> dict[str, list]:
    """Word → [document frequency, pinyin] over the vocabulary words of each article."""
    counts = Counter(chain.from_iterable(articles))
    return {w: [n, reading] for w, n in counts.items() if (reading := _reading(w)) is not None}


@lru_cache(maxsize=1 << 18)
def _reading(word: str) -> str | None:
    """A vocabulary word's pinyin as stored, None for what is no vocabulary word (remembered: a build meets
    each word in many issues)."""
    return " ".join(syllables(word)) if _CJK_WORD.match(word) else None


def combine(total: dict[str, list], part: dict[str, list], sign: int = 1) -> dict[str, list]:
    """``total`` with ``part``'s document frequencies added (``sign`` 1) or taken away (-1), in place."""
    for word, (count, reading) in part.items():
        kept = total.get(word, [0, reading])[0] + sign * count
        if kept > 0:
            total[word] = [kept, reading]
        else:
            total.pop(word, None)
    return total


@dataclass
class Vocabulary:
    """A generation's words, looked up by exact or fuzzy pinyin."""

    frequency: dict[str, int] = field(default_factory=dict)
    by_pinyin: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    by_fuzzy: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    by_letters: dict[str, list[str]] = field(default_factory=dict)
    _shapes: Shapes | None = field(default=None, repr=False)
    _initials: dict[str, list[str]] | None = field(default=None, repr=False)

    @classmethod
    def merge(cls, parts: Iterable[dict[str, list]]) -> Vocabulary:
        frequency: Counter[str] = Counter()
        readings: dict[str, str] = {}
        for part in parts:
            for word, (count, reading) in part.items():
                frequency[word] += count
                readings[word] = reading
        vocabulary = cls(dict(frequency))
        for word in sorted(frequency, key=lambda w: (-frequency[w], w)):
            exact = tuple(readings[word].split())
            vocabulary.by_pinyin.setdefault(exact, []).append(word)
            vocabulary.by_fuzzy.setdefault(tuple(map(fuzzy, exact)), []).append(word)
            vocabulary.by_letters.setdefault("".join(exact), []).append(word)
        return vocabulary

    def homophones(self, text: str) -> list[tuple[str, bool]]:
        """Archive words read like ``text`` (most frequent first), each with True where the pinyin is exact.

        Every reading of a character counts (勒 is le in 勒索 and lei in 勒紧), since a slip is typed by sound;
        words read exactly as the likeliest reading come first, then other exact readings, then near ones.
        """
        options = readings(text)
        ranked: dict[str, tuple[int, int]] = {}  # word → (how far from the likeliest exact reading, -frequency)
        for rank, reading in enumerate(options):
            for tier, table, key in ((0, self.by_pinyin, reading), (2, self.by_fuzzy, tuple(map(fuzzy, reading)))):
                for word in table.get(key, ()):
                    if word != text:
                        place = (tier + (rank > 0), -self.frequency[word])
                        ranked[word] = min(ranked.get(word, place), place)
        found = [(w, place[0] < 2) for w, place in sorted(ranked.items(), key=lambda item: item[1])]
        return found

    def from_letters(self, letters: str) -> list[str] | None:
        """The archive words whose pinyin spells ``letters`` (no spaces): one word, else the fewest words."""
        letters = letters.lower()
        if letters in self.by_letters:
            return [self.by_letters[letters][0]]
        # Fewest pieces, then the most frequent words: best[i] is the best split of letters[:i].
        best: list[tuple[int, int, list[str]] | None] = [None] * (len(letters) + 1)
        best[0] = (0, 0, [])
        for end in range(1, len(letters) + 1):
            for start in range(max(0, end - 36), end):
                prior = best[start]
                words_ = self.by_letters.get(letters[start:end])
                if prior is None or not words_:
                    continue
                word = words_[0]
                candidate = (prior[0] + 1, prior[1] - self.frequency[word], [*prior[2], word])
                if best[end] is None or candidate[:2] < best[end][:2]:
                    best[end] = candidate
        found = best[len(letters)]
        return found[2] if found else None

    def correct(self, text: str) -> str | None:
        """``text`` with pieces that are no archive word replaced by archive words read alike, or None.

        Each run of Chinese characters is split at the least cost (see ``_COST_*``): a slip such as 勒锁
        becomes 勒索 when 勒索 is an archive word and 勒锁 is not.
        """
        changed = False

        def fix(run: str) -> str:
            nonlocal changed
            best: list[tuple[float, int, list[str]] | None] = [None] * (len(run) + 1)
            best[0] = (0.0, 0, [])
            for end in range(1, len(run) + 1):
                for start in range(max(0, end - _LONGEST), end):
                    prior = best[start]
                    if prior is None:
                        continue
                    piece = run[start:end]
                    option = self._piece(piece)
                    if option is None:
                        continue
                    cost, replacement = option
                    candidate = (prior[0] + cost, prior[1] + 1, [*prior[2], replacement])
                    if best[end] is None or candidate[:2] < best[end][:2]:
                        best[end] = candidate
            found = best[len(run)]
            assert found is not None  # every character alone is an option
            fixed = "".join(found[2])
            changed = changed or fixed != run
            return fixed

        corrected = _CJK_RUNS.sub(lambda m: fix(m.group()), text)
        return corrected if changed else None

    def _piece(self, piece: str) -> tuple[float, str] | None:
        if len(piece) == 1:
            return _COST_CHAR, piece
        if piece in self.frequency or is_word(piece):
            return _COST_WORD, piece
        alike = self.homophones(piece)
        if alike:
            word, same = alike[0]
            return (_COST_SAME if same else _COST_NEAR), word
        shaped = self.shaped(piece)
        return (_COST_SHAPE, shaped) if shaped else None

    def prepare(self) -> None:
        """Build now what corrections read on first use (the archive's characters by shape, its words by their
        initials): in a forking master, once for every worker rather than in each on its first slip."""
        self.shaped("")
        assert self._shapes is not None
        self._shapes.fill()
        self.initials("")

    def shaped(self, text: str) -> str | None:
        """The archive word that ``text`` differs from in one character of similar shape (勒索病毐 →
        勒索病毒), the likest and then the most frequent; None if there is none."""
        if self._shapes is None:
            self._shapes = Shapes(c for w in self.frequency for c in w)
        best: tuple[int, int, str] | None = None
        for i, char in enumerate(text):
            for other, likeness in self._shapes.alike(char):
                word = text[:i] + other + text[i + 1 :]
                if len(text) == 2 and likeness < EDIT:
                    continue  # two characters leave too little to tell a slip from another word
                if (n := self.frequency.get(word)) and (best is None or (likeness, n) > best[:2]):
                    best = (likeness, n, word)
        return best[2] if best else None

    def mixed(self, text: str) -> str | None:
        """``text`` of characters and pinyin (城管tong, 勒索bingdu, yingji预案) with each pinyin run read as the
        characters of an archive word that fits it with the characters beside it; None if one does not fit."""
        runs = _MIXED.findall(text)
        if "".join(runs) != text or all(r.isascii() for r in runs) or not any(r.isascii() for r in runs):
            return None
        out = list(runs)
        for i, run in enumerate(runs):
            if not run.isascii():
                continue
            left = runs[i - 1] if i and not runs[i - 1].isascii() else ""
            right = runs[i + 1] if i + 1 < len(runs) and not runs[i + 1].isascii() else ""
            chars = self._fit(left, run.lower(), right)
            if chars is None:
                return None
            out[i] = chars
        return "".join(out)

    def _fit(self, left: str, letters: str, right: str) -> str | None:
        """The characters an archive word reads ``letters`` as, taking in as many of the characters beside
        them (the end of ``left``, the start of ``right``) as fit, then the most frequent word."""
        best: tuple[int, int, str] | None = None
        for k in range(min(len(left), _CONTEXT), -1, -1):
            for m in range(min(len(right), _CONTEXT), -1, -1):
                before, after = left[len(left) - k :], right[:m]
                for head in readings(before, 8) if before else [()]:
                    for tail in readings(after, 8) if after else [()]:
                        for word in self.by_letters.get("".join(head) + letters + "".join(tail), ()):
                            inner = word[k : len(word) - m]
                            if word.startswith(before) and word.endswith(after) and inner:
                                found = (k + m, self.frequency[word], inner)
                                best = found if best is None or found[:2] > best[:2] else best
        if best is not None:
            return best[2]
        words = self.from_letters(letters)
        return "".join(words) if words else None

    def initials(self, letters: str) -> str | None:
        """The most frequent archive word whose syllables begin with ``letters`` (zfcgt → 执法城管通), or
        None; words seen in one article only are left out (they are mostly two words that met once)."""
        if self._initials is None:
            table: dict[str, list[str]] = {}
            for reading, words in self.by_pinyin.items():
                key = "".join(s[0] for s in reading)
                table.setdefault(key, []).extend(w for w in words if self.frequency[w] > 1)
            for words in table.values():
                words.sort(key=lambda w: -self.frequency[w])
            self._initials = table
        found = self._initials.get(letters.lower())
        return found[0] if found else None
