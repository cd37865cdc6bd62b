"""The query language staff type, turned into Whoosh queries.

Words are ANDed; "quoted phrase" matches exactly; ``A OR B`` (or ``A | B``)
matches either; ``-word`` excludes; ``title:word`` looks in titles only. An
unquoted word also finds its synonyms (data/synonyms.txt).
Malformed syntax (an unbalanced quote, a dangling OR or -) never raises: it
falls back to plain terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import ranking
from .analysis import has_text, question_words, synonyms, words
from .folding import normalise

_QUOTES = '"“”＂'
_TOKEN = re.compile(
    rf"(?P<neg>[-－])?(?P<field>(?:title|标题)[:：])?(?:[{_QUOTES}](?P<phrase>[^{_QUOTES}]*)[{_QUOTES}]|(?P<word>[^\s{_QUOTES}]+))",
    re.I,
)
_OR = {"OR", "|", "｜"}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Term:
    """One searchable piece of the query."""

    text: str
    phrase: bool = False
    title_only: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """Positive terms as an AND of OR-groups, and the excluded terms."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...]

    def positive_terms(self) -> list[Term]:
        return [t for group in self.groups for t in group]


def parse(text: str) -> ParsedQuery:
    text = normalise(text or "").strip()
    if sum(text.count(q) for q in _QUOTES) % 2:
        text = re.sub(f"[{_QUOTES}]", " ", text)  # an unbalanced quote: plain terms
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    for match in _TOKEN.finditer(text):
        word, phrase = match.group("word"), match.group("phrase")
        if word is not None and word.upper() in _OR and not match.group("neg") and not match.group("field"):
            join_next = bool(groups)
            continue
        body = phrase if phrase is not None else word
        if not body or not has_text(body):
            continue
        term = Term(body.strip(), phrase is not None, match.group("field") is not None)
        if match.group("neg"):
            excluded.append(term)
            join_next = False
        elif join_next:
            groups[-1].append(term)
            join_next = False
        else:
            groups.append([term])
    return ParsedQuery(tuple(tuple(g) for g in groups), tuple(excluded))


@dataclass(frozen=True)
class Match:
    """One query word: where to look, its typed form and synonyms (with weights), its whole words."""

    alternatives: tuple[tuple[str, float], ...]
    title_only: bool
    whole_words: tuple[str, ...]


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Plan, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Plan, ...]


@dataclass(frozen=True)
class Without:
    positive: Plan | None  # None: every article
    negatives: tuple[Plan, ...]


@dataclass(frozen=True)
class MostOf:
    """Articles matching any of the parts, those matching more of them first."""

    parts: tuple[Plan, ...]


Plan = Match | AllOf | AnyOf | Without | MostOf
# A query with at least this many Chinese characters outside quotes is taken as a pasted passage.
PASSAGE_CHARS = 40


def plan(parsed: ParsedQuery, *, relaxed: bool = False) -> Plan | None:
    """What to match for ``parsed``; None for an empty query (browse)."""
    musts: list[Plan] = []
    for group in parsed.groups:
        options = [p for t in group if (p := _term_plan(t, relaxed)) is not None]
        if options:
            musts.append(options[0] if len(options) == 1 else AnyOf(tuple(options)))
    nots = tuple(p for t in parsed.excluded if (p := _term_plan(t, False)) is not None)
    if not musts and not nots:
        return None
    positive = (musts[0] if len(musts) == 1 else AllOf(tuple(musts))) if musts else None
    return Without(positive, nots) if nots else positive


def plan_partial(parsed: ParsedQuery) -> Plan | None:
    """Every content word of the positive terms, as ``MostOf``; None when there are fewer than two."""
    parts = []
    for term in parsed.positive_terms():
        texts = [term.text] if term.phrase else content_words(term.text)
        parts.extend(p for t in texts if (p := _term_plan(Term(t, term.phrase, term.title_only), False)))
    return MostOf(tuple(parts)) if len(parts) > 1 else None


def passage(text: str) -> str | None:
    """``text`` when it is long enough to be a pasted passage (its quotes are the passage's own), else None."""
    return text if len(_CJK.findall(text)) >= PASSAGE_CHARS else None


def replace_terms(parsed: ParsedQuery, texts: dict[str, str]) -> ParsedQuery:
    """``parsed`` with the unquoted positive terms in ``texts`` replaced by their new text."""
    groups = tuple(
        tuple(Term(texts.get(t.text, t.text), t.phrase, t.title_only) if not t.phrase else t for t in group)
        for group in parsed.groups
    )
    return ParsedQuery(groups, parsed.excluded)


def unparse(parsed: ParsedQuery) -> str:
    """The query text that parses to ``parsed`` (for notices and links)."""

    def show(term: Term) -> str:
        text = f'"{term.text}"' if term.phrase else term.text
        return f"title:{text}" if term.title_only else text

    groups = [" OR ".join(show(t) for t in group) for group in parsed.groups]
    return " ".join(groups + [f"-{show(t)}" for t in parsed.excluded])


def can_relax(parsed: ParsedQuery) -> bool:
    """True when some unquoted term would split into several words."""
    return any(not t.phrase and len(_words(t.text)) > 1 for t in parsed.positive_terms())


def highlight_terms(parsed: ParsedQuery, *, relaxed: bool = False) -> list[str]:
    """The strings to mark in a hit's text."""
    out: list[str] = []
    for term in parsed.positive_terms():
        parts = content_words(term.text) if relaxed and not term.phrase else []
        out.extend(parts if len(parts) > 1 else _alternatives(term))
    return out


def _alternatives(term: Term) -> list[str]:
    """The term and, unless quoted, its synonyms (the typed form first)."""
    if term.phrase:
        return [term.text]
    group = synonyms().get(term.text.lower(), ())
    return [term.text, *(m for m in group if m.lower() != term.text.lower())]


def _term_plan(term: Term, relaxed: bool) -> Plan | None:
    if relaxed and not term.phrase:
        parts = content_words(term.text)
        if len(parts) > 1:
            subplans = [p for w in parts if (p := _term_plan(Term(w, False, term.title_only), False))]
            return AllOf(tuple(subplans)) if subplans else None
    alternatives = tuple(
        (text, 1.0 if rank == 0 else ranking.SYNONYM_WEIGHT)
        for rank, text in enumerate(_alternatives(term))
        if has_text(text)
    )
    if not alternatives:
        return None
    # Only the typed form earns the whole-word bonus, so it ranks above its synonyms.
    return Match(alternatives, term.title_only, tuple(_words(term.text)))


def content_words(text: str) -> list[str]:
    """The words of ``text`` an article must contain: jieba words without stop and question words."""
    questions = question_words()
    found = [w for w in _words(text) if w not in questions]
    return found or _words(text)


def _words(text: str) -> list[str]:
    return list(dict.fromkeys(words(text)))
