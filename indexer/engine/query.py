"""The query language staff type, turned into plans that ``matching`` evaluates.

Words are ANDed; "quoted phrase" matches exactly; ``A OR B`` (or ``A | B``)
matches either; ``-word`` excludes; ``+word`` must occur even where the other
words may match in part; ``title:word`` looks in titles only. An unquoted word
also finds the words the thesaurus gives for it (``thesaurus``), ranked below it.
Malformed syntax (an unbalanced quote, a dangling OR or -) never raises: it
falls back to plain terms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..language import thesaurus
from ..language.analysis import has_text, question_words, words
from ..language.folding import fold, normalise
from . import ranking

_QUOTES = '"“”＂'
_TOKEN = re.compile(
    rf"(?P<neg>[-－])?(?P<plus>[+＋])?(?P<field>(?:title|标题)[:：])?(?:[{_QUOTES}](?P<phrase>[^{_QUOTES}]*)[{_QUOTES}]|(?P<word>[^\s{_QUOTES}]+))",
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
    required: bool = False  # +word: must occur even in a partial match


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
        term = Term(body.strip(), phrase is not None, match.group("field") is not None, match.group("plus") is not None)
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
    """One query word: where to look, its typed form first and then the thesaurus's words (with weights),
    and its whole words."""

    alternatives: tuple[tuple[str, float], ...]
    title_only: bool
    whole_words: tuple[str, ...]
    # A question's content word: its thesaurus words stand in its tier (the wording of a question is loose),
    # still weighted below it.
    loose: bool = False

    @property
    def typed(self) -> str:
        return self.alternatives[0][0]


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
    """Articles matching any of the parts (and every ``required`` one), those matching more of them first."""

    parts: tuple[Plan, ...]
    required: tuple[bool, ...] = ()


Plan = Match | AllOf | AnyOf | Without | MostOf
# Whether the general thesaurus may add a word (one the archive has): None where it is not used.
Known = Callable[[str], bool] | None
# A query with at least this many Chinese characters outside quotes is taken as a pasted passage.
PASSAGE_CHARS = 40
CONTENT_WORDS = 40


def plan(parsed: ParsedQuery, *, relaxed: bool = False, broaden: Known = None, expand: bool = True) -> Plan | None:
    """What to match for ``parsed``; None for an empty query (browse). Each unquoted word also finds its domain
    thesaurus words (unless not ``expand``) and, with ``broaden``, what the general thesaurus gives for it
    that ``broaden`` accepts."""
    musts: list[Plan] = []
    for group in parsed.groups:
        options = [p for t in group if (p := _term_plan(t, relaxed, broaden, expand)) is not None]
        if options:
            musts.append(options[0] if len(options) == 1 else AnyOf(tuple(options)))
    nots = tuple(p for t in parsed.excluded if (p := _term_plan(t, False, None, expand)) is not None)
    if not musts and not nots:
        return None
    positive = (musts[0] if len(musts) == 1 else AllOf(tuple(musts))) if musts else None
    return Without(positive, nots) if nots else positive


def plan_partial(
    parsed: ParsedQuery, *, broaden: Known = None, expand: bool = True, whole: Callable[[str], bool] = lambda _: False
) -> Plan | None:
    """The query's words as ``MostOf``: every phrase is a part, and every unquoted term, whole where it is
    typed apart from others and either ``whole`` says it is found as it is or it has no question words, else
    each of its content words; a part is required when typed with ``+`` or quoted. None when there are
    fewer than two parts."""
    parts: list[Plan] = []
    required: list[bool] = []
    apart = len(parsed.groups) > 1
    for group in parsed.groups:
        if len(group) > 1:  # A OR B is one part
            options = [p for t in group if (p := _term_plan(t, False, broaden, expand)) is not None]
            if options:
                parts.append(AnyOf(tuple(options)))
                required.append(any(t.required or t.phrase for t in group))
            continue
        term = group[0]
        keep = term.phrase or (apart and (whole(term.text) or content_words(term.text) == _words(term.text)))
        texts = [term.text] if keep else content_words(term.text)
        for text in texts:
            if (p := _term_plan(Term(text, term.phrase, term.title_only), False, broaden, expand)) is not None:
                parts.append(p)
                required.append(term.required or term.phrase)
    if len(parts) < 2:
        return None
    nots = tuple(p for t in parsed.excluded if (p := _term_plan(t, False, None, expand)) is not None)
    most = MostOf(tuple(parts), tuple(required))
    return Without(most, nots) if nots else most


def passage(text: str) -> str | None:
    """``text`` when it is long enough to be a pasted passage (its quotes are the passage's own), else None."""
    return text if len(_CJK.findall(text)) >= PASSAGE_CHARS else None


def replace_terms(parsed: ParsedQuery, texts: dict[str, str]) -> ParsedQuery:
    """``parsed`` with the unquoted positive terms in ``texts`` replaced by their new text."""
    groups = tuple(
        tuple(Term(texts.get(t.text, t.text), t.phrase, t.title_only, t.required) if not t.phrase else t for t in group)
        for group in parsed.groups
    )
    return ParsedQuery(groups, parsed.excluded)


def unparse(parsed: ParsedQuery) -> str:
    """The query text that parses to ``parsed`` (for notices and links)."""

    def show(term: Term) -> str:
        text = f'"{term.text}"' if term.phrase else term.text
        text = f"title:{text}" if term.title_only else text
        return f"+{text}" if term.required else text

    groups = [" OR ".join(show(t) for t in group) for group in parsed.groups]
    return " ".join(groups + [f"-{show(t)}" for t in parsed.excluded])


def can_relax(parsed: ParsedQuery) -> bool:
    """True when some unquoted term would split into several words."""
    return any(not t.phrase and len(_words(t.text)) > 1 for t in parsed.positive_terms())


def highlight_terms(parsed: ParsedQuery, *, relaxed: bool = False) -> list[str]:
    """The strings to mark in a hit's text: the typed words (a question's content words) and their domain
    thesaurus words."""
    out: list[str] = []
    for term in parsed.positive_terms():
        parts = content_words(term.text) if relaxed and not term.phrase else []
        for part in parts if len(parts) > 1 else [term.text]:
            out.extend(text for text, _ in _alternatives(Term(part, term.phrase), None))
    return out


def _alternatives(term: Term, broaden: Known, expand: bool = True) -> list[tuple[str, float]]:
    """The term and, unless quoted (or not ``expand``), the thesaurus's words for it, each with its weight (the
    typed form first)."""
    if term.phrase or not expand:
        return [(term.text, 1.0)]
    out = [(term.text, 1.0)]
    added = [(w, ranking.SYNONYM_WEIGHT) for w in thesaurus.domain(term.text)]
    if broaden is not None:
        added.extend((w, ranking.GENERAL_WEIGHT) for w in thesaurus.general(term.text) if broaden(w))
    for word, weight in added:
        # A word containing one already searched finds nothing more (视频监控系统 beside 视频监控).
        if not any(fold(kept) in fold(word) for kept, _ in out):
            out.append((word, weight))
    return out


def _term_plan(term: Term, relaxed: bool, broaden: Known, expand: bool = True) -> Plan | None:
    if relaxed and not term.phrase:
        parts = content_words(term.text)
        if len(parts) > 1:
            # A question's words: each may be met by a near-synonym; its lone characters (管 in 怎么管) add to
            # the rank but are not required, unless it has nothing else.
            planned = [
                (w, p) for w in parts if (p := _term_plan(Term(w, False, term.title_only), False, broaden, expand))
            ]
            subplans = tuple(replace(p, loose=True) for _, p in planned)
            required = tuple(len(w) > 1 for w, _ in planned)
            if not subplans:
                return None
            return AllOf(subplans) if all(required) or not any(required) else MostOf(subplans, required)
    alternatives = tuple((text, weight) for text, weight in _alternatives(term, broaden, expand) if has_text(text))
    if not alternatives or alternatives[0][0] != term.text:
        return None
    # Only the typed form earns the whole-word bonus and, unless loose, ranks in the typed tier.
    return Match(alternatives, term.title_only, tuple(_words(term.text)))


def content_words(text: str) -> list[str]:
    """The words of ``text`` an article must contain: jieba words without stop and question words, the first
    ``CONTENT_WORDS`` of them (a question has a handful; a pasted page is not searched word by word)."""
    questions = question_words()
    found = [w for w in _words(text) if w not in questions]
    return (found or _words(text))[:CONTENT_WORDS]


def _words(text: str) -> list[str]:
    return list(dict.fromkeys(words(text)))
