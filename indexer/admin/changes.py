"""What replacing an issue would change, article by article: added, removed, retitled, and the text changed
(the changed words marked), so the preview says what a revision revised.

Articles are paired by title first (an article inserted ahead of others shifts their ids), then by id, then
by how alike their texts are. Each size is bounded: the characters compared at once, the pieces shown.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from archive import Article

from ..language.analysis import pieces as cut

ALIKE = 0.5  # texts this alike are one article revised (when neither title nor id pairs them)
PAIRED_BY_TEXT = 400  # most (before × after) unpaired articles compared by their texts
COMPARED = 2000  # longest paragraph compared character by character; longer ones are shown replaced whole
CONTEXT = 24  # unchanged characters kept each side of a change
MAX_PIECES = 40  # changed stretches shown an article; the rest are counted


@dataclass(frozen=True)
class Revised:
    """One article whose text or page changed: its paragraphs that changed, each as marked pieces."""

    id: str
    title: str
    paragraphs: list[list[tuple[str, str]]]  # ("same" | "added" | "removed" | "gap", text)
    more: int  # changed stretches not shown
    page: tuple[int | None, int | None] | None  # (before, after) when the page changed


@dataclass(frozen=True)
class Changes:
    """How an issue already in the archive would change."""

    added: list[dict[str, str]] = field(default_factory=list)  # id, title
    removed: list[dict[str, str]] = field(default_factory=list)
    retitled: list[dict[str, str]] = field(default_factory=list)  # id, before, after
    revised: list[Revised] = field(default_factory=list)

    @property
    def none(self) -> bool:
        return not (self.added or self.removed or self.retitled or self.revised)


def compare(existing: dict[str, Any], before: list[Article], after: list[Article]) -> Changes:
    """Compare the live issue (its record and its articles as stored) with the one read from an upload."""
    if not before:  # the stored articles could not be read: compare the titles the record keeps
        before = [_titled(a) for a in existing["articles"]]
    pairs, removed, added = _paired(before, after)
    changes = Changes(
        added=[{"id": a.id, "title": a.title} for a in added],
        removed=[{"id": a.id, "title": a.title} for a in removed],
    )
    for old, new in pairs:
        if old.title != new.title:
            changes.retitled.append({"id": new.id, "before": old.title, "after": new.title})
        revised = _revised(old, new) if old.paragraphs else None
        if revised is not None:
            changes.revised.append(revised)
    return changes


def _titled(record: dict[str, Any]) -> Article:
    return Article(
        id=record["id"], issue_id="", ordinal=record.get("ordinal", 0), section=record.get("section", ""),
        title=record["title"], unit=None, district=None, place=None, page=record.get("page"), paragraphs=(),
    )  # fmt: skip


def _paired(before: list[Article], after: list[Article]) -> tuple[list[tuple[Article, Article]], list, list]:
    old, new = list(before), list(after)
    pairs: list[tuple[Article, Article]] = []
    for key in (lambda a: a.title, lambda a: a.id):
        keyed = {}
        for a in old:
            keyed.setdefault(key(a), a)
        for b in list(new):
            a = keyed.pop(key(b), None)
            if a is not None and a in old:
                pairs.append((a, b))
                old.remove(a)
                new.remove(b)
    for b in list(new) if len(old) * len(new) <= PAIRED_BY_TEXT else ():
        scored = [(_alike(a.text, b.text), a) for a in old]
        best = max(scored, key=lambda s: s[0], default=(0.0, None))
        if best[1] is not None and best[0] >= ALIKE:
            pairs.append((best[1], b))
            old.remove(best[1])
            new.remove(b)
    pairs.sort(key=lambda p: p[1].ordinal)
    return pairs, old, new


def _alike(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a[:COMPARED], b[:COMPARED], autojunk=False).quick_ratio()


def _revised(old: Article, new: Article) -> Revised | None:
    page = (old.page, new.page) if old.page != new.page else None
    if old.text == new.text and page is None:
        return None
    shown: list[list[tuple[str, str]]] = []
    stretches = 0
    before, after = [p.text for p in old.paragraphs], [p.text for p in new.paragraphs]
    # Paragraphs are compared with difflib's junk heuristic: an article of thousands of alike paragraphs is
    # then compared at once, not in quadratic time.
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after).get_opcodes():
        if op == "equal":
            continue
        for a, b in _aligned(before[i1:i2], after[j1:j2]):
            pieces = _marked(a, b)
            stretches += sum(kind in ("added", "removed") for kind, _ in pieces)
            if stretches <= MAX_PIECES:
                shown.append(pieces)
    more = max(0, stretches - MAX_PIECES)
    return Revised(new.id, new.title, shown, more, page)


def _aligned(before: list[str], after: list[str]) -> list[tuple[str, str]]:
    """Replaced paragraphs side by side; those beyond the shorter run are added or removed whole."""
    count = max(len(before), len(after))
    return [(before[k] if k < len(before) else "", after[k] if k < len(after) else "") for k in range(count)]


def _marked(a: str, b: str) -> list[tuple[str, str]]:
    """``a`` turned into ``b`` as pieces, word by word (雨天 → 暴雨, not 雨 kept between 暴 and 天): unchanged
    stretches cut to their context, the changes whole."""
    if not a or not b or max(len(a), len(b)) > COMPARED:
        return [p for p in (("removed", a), ("added", b)) if p[1]]
    before, after = cut(a), cut(b)
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(before[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("removed", "".join(before[i1:i2])))
        if j2 > j1:
            pieces.append(("added", "".join(after[j1:j2])))
    return _trimmed(pieces)


def _trimmed(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for k, (kind, text) in enumerate(pieces):
        if kind != "same" or len(text) <= 2 * CONTEXT + 1:
            out.append((kind, text))
            continue
        head = text[:CONTEXT] if k > 0 else ""
        tail = text[-CONTEXT:] if k < len(pieces) - 1 else ""
        out += [p for p in (("same", head), ("gap", "…"), ("same", tail)) if p[1]]
    return out
