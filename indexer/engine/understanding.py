"""How a query was understood: what the search did beyond matching the words as typed, and why.

Always: traditional characters are folded to simplified (that is matching, not guessing), filters typed
among the words are applied as filters (``conditions``), and each unquoted word also finds its domain
thesaurus words, ranked below it (``thesaurus``). Where the words as typed find nothing (or very little),
the forgiving steps in turn: pinyin typed before choosing characters (whole, mixed with characters) is read
as the archive's words; homophone and shape slips are corrected to archive words; the general thesaurus
adds its words; question words need not match and the rest may be near-synonyms; failing all, the articles
that match most of the words are shown; a pasted passage finds the articles it shares the most with. Quoted
phrases are never corrected or expanded, and a search "exactly as typed" does none of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..language.folding import has_traditional, normalise
from ..language.vocabulary import Vocabulary
from . import query as q
from .conditions import Condition

_LETTERS = re.compile(r"^[A-Za-z']{2,}$")
# Where the words as typed find nothing, a reading of pinyin or a correction is searched instead; where they
# find at most FEW articles and the alternative at least BETTER times as many, it is offered as a suggestion.
FEW = 2
BETTER = 5
MODES = ("exact", "relaxed", "partial", "passage")
KINDS = ("traditional", "pinyin", "correction")
_MODE_NOTICES = {
    "relaxed": "没有连续出现这些字的文章；下面是同时含有各个词的文章。",
    "partial": "没有同时包含全部词语的文章，以下为部分匹配。",
    "passage": "按段落查找出处：以下文章与这段文字最接近。",
}


@dataclass(frozen=True)
class Change:
    kind: str  # one of KINDS
    typed: str
    searched: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "typed": self.typed, "searched": self.searched}


@dataclass(frozen=True)
class Expansion:
    """The words the thesaurus added for one typed word, those that found articles."""

    typed: str
    added: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"typed": self.typed, "added": list(self.added)}

    @classmethod
    def grouped(cls, found: Iterable[tuple[str, str]]) -> tuple[Expansion, ...]:
        """(typed word, added word) pairs as one ``Expansion`` a typed word, in the order found."""
        by_typed: dict[str, dict[str, None]] = {}
        for typed, added in found:
            by_typed.setdefault(typed, {})[added] = None
        return tuple(cls(typed, tuple(added)) for typed, added in by_typed.items())


@dataclass(frozen=True)
class Understanding:
    typed: str
    searched: str
    mode: str = "exact"  # one of MODES
    changes: tuple[Change, ...] = field(default_factory=tuple)
    # Words likelier meant, offered (not searched) when what was typed finds only a few articles.
    suggestion: str | None = None
    expansions: tuple[Expansion, ...] = ()
    conditions: tuple[Condition, ...] = ()  # filters read from the words, applied
    unfiltered: tuple[Condition, ...] = ()  # filters read from the words that found nothing: read as text
    missing: tuple[str, ...] = ()  # words of a partial match that no article has

    @property
    def guessed(self) -> bool:
        """True when the words searched are not the words typed (a link can offer the search as typed)."""
        return any(c.kind in ("pinyin", "correction") for c in self.changes)

    @property
    def notices(self) -> list[str]:
        """What a person is told, in order."""
        return self.change_notices + self.filter_notices + self.expansion_notices + self.mode_notices

    @property
    def mode_notice(self) -> str | None:
        return _MODE_NOTICES.get(self.mode)

    @property
    def mode_notices(self) -> list[str]:
        if self.mode == "partial" and self.missing:
            words = "、".join(f"“{w}”" for w in self.missing)
            return [f"没有文章含有{words}；以下为含有其余词语的文章（部分匹配）。"]
        return [self.mode_notice] if self.mode_notice else []

    @property
    def change_notices(self) -> list[str]:
        out = []
        for change in self.changes:
            if change.kind == "traditional":
                out.append(f"已按简体字“{change.searched}”检索。")
            elif change.kind == "pinyin":
                out.append(f"已把拼音“{change.typed}”理解为“{change.searched}”。")
        if any(c.kind == "correction" for c in self.changes):
            out.append(f"已显示“{self.searched}”的结果。")
        return out

    @property
    def filter_notices(self) -> list[str]:
        out = [f"已按{c.label}：{c.shown} 筛选。" for c in self.conditions]
        out.extend(f"按{c.label}“{c.shown}”筛选没有结果，已把“{c.typed}”作为检索词。" for c in self.unfiltered)
        return out

    @property
    def expansion_notices(self) -> list[str]:
        added = [w for e in self.expansions for w in e.added]
        return [f"同时搜索了：{'、'.join(added)}。"] if added else []

    def to_dict(self) -> dict[str, Any]:
        return {
            "typed": self.typed,
            "searched": self.searched,
            "mode": self.mode,
            "changes": [c.to_dict() for c in self.changes],
            "guessed": self.guessed,
            "expanded": [e.to_dict() for e in self.expansions],
            "conditions": [c.to_dict() for c in self.conditions],
            "unfiltered": [c.to_dict() for c in self.unfiltered],
            "missing": list(self.missing),
            "notices": self.notices,
            "suggestion": self.suggestion,
        }


def folded(typed: str) -> tuple[Change, ...]:
    """The traditional-to-simplified change of ``typed``, if any (matching always folds it)."""
    return (Change("traditional", typed, normalise(typed)),) if has_traditional(typed) else ()


def alternative(parsed: q.ParsedQuery, vocabulary: Vocabulary) -> tuple[q.ParsedQuery, tuple[Change, ...]] | None:
    """The query (folded when parsed) with pinyin (whole, or mixed with characters) read as archive words and
    homophone and shape slips corrected; None if nothing changes."""
    texts: dict[str, str] = {}
    changes: list[Change] = []
    for term in parsed.positive_terms():
        # A pasted passage is matched, or voted for, as it is: reading its every piece for slips would cost
        # seconds of a worker for nothing a typist meant.
        if term.phrase or term.text in texts or len(term.text) >= q.PASSAGE_CHARS:
            continue
        if _LETTERS.match(term.text):
            words = vocabulary.from_letters(term.text.replace("'", ""))
            if words:
                texts[term.text] = "".join(words)
                changes.append(Change("pinyin", term.text, texts[term.text]))
            continue
        if (read := vocabulary.mixed(term.text)) is not None:
            texts[term.text] = read
            changes.append(Change("pinyin", term.text, read))
            continue
        corrected = vocabulary.correct(term.text)
        if corrected is not None:
            texts[term.text] = corrected
            changes.append(Change("correction", term.text, corrected))
    if not texts:
        return None
    return q.replace_terms(parsed, texts), tuple(changes)


def initials(parsed: q.ParsedQuery, vocabulary: Vocabulary) -> str | None:
    """For a query of one word of Latin letters, the archive word they are the pinyin initials of (zfcgt →
    执法城管通), offered as a suggestion; None otherwise."""
    terms = parsed.positive_terms()
    if len(terms) != 1 or terms[0].phrase or not _LETTERS.match(terms[0].text) or len(terms[0].text) > 12:
        return None
    return vocabulary.initials(terms[0].text.replace("'", ""))
