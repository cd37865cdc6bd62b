"""How a query was understood: what the search did beyond matching the words as typed, and why.

The forgiving steps, tried only when the words as typed find nothing (or very little):
traditional characters are folded to simplified always (that is matching, not guessing); pinyin typed
before choosing characters is read as the archive's words; homophone slips are corrected to archive
words read alike; question words need not match; failing all, the articles that match most of the
words are shown; a pasted passage finds the articles it shares the most with. Quoted phrases are never
corrected, and a search "exactly as typed" skips the guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import query as q
from .folding import has_traditional, normalise
from .vocabulary import Vocabulary

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
class Understanding:
    typed: str
    searched: str
    mode: str = "exact"  # one of MODES
    changes: tuple[Change, ...] = field(default_factory=tuple)
    # Words likelier meant, offered (not searched) when what was typed finds only a few articles.
    suggestion: str | None = None

    @property
    def guessed(self) -> bool:
        """True when the words searched are not the words typed (a link can offer the search as typed)."""
        return any(c.kind in ("pinyin", "correction") for c in self.changes)

    @property
    def notices(self) -> list[str]:
        """What a person is told, in order."""
        return self.change_notices + ([self.mode_notice] if self.mode_notice else [])

    @property
    def mode_notice(self) -> str | None:
        return _MODE_NOTICES.get(self.mode)

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

    def to_dict(self) -> dict[str, Any]:
        return {
            "typed": self.typed,
            "searched": self.searched,
            "mode": self.mode,
            "changes": [c.to_dict() for c in self.changes],
            "guessed": self.guessed,
            "notices": self.notices,
            "suggestion": self.suggestion,
        }


def folded(typed: str) -> tuple[Change, ...]:
    """The traditional-to-simplified change of ``typed``, if any (matching always folds it)."""
    return (Change("traditional", typed, normalise(typed)),) if has_traditional(typed) else ()


def alternative(parsed: q.ParsedQuery, vocabulary: Vocabulary) -> tuple[q.ParsedQuery, tuple[Change, ...]] | None:
    """The query with pinyin read as archive words and homophone slips corrected; None if nothing changes."""
    texts: dict[str, str] = {}
    changes: list[Change] = []
    for term in parsed.positive_terms():
        if term.phrase or term.text in texts:
            continue
        if _LETTERS.match(term.text):
            words = vocabulary.from_letters(term.text.replace("'", ""))
            if words:
                texts[term.text] = "".join(words)
                changes.append(Change("pinyin", term.text, texts[term.text]))
            continue
        corrected = vocabulary.correct(normalise(term.text))
        if corrected is not None:
            texts[term.text] = corrected
            changes.append(Change("correction", term.text, corrected))
    if not texts:
        return None
    return q.replace_terms(parsed, texts), tuple(changes)
