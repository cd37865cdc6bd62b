"""How a request is answered: the readings of it tried in turn (filters typed among the words applied, or the
words as text), and for each the words matched as typed and, where they find (almost) nothing, the forgiving
steps in order (``engine.understanding`` says what each did); then the filters and the facet counts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .engine import query as q
from .engine.conditions import Condition, recognise
from .engine.facets import FILTER_FACETS, count, intersect
from .engine.matching import Scores, evaluate, vote
from .engine.request import Filters, SearchRequest
from .engine.understanding import BETTER, FEW, Expansion, Understanding, alternative, folded, initials
from .storage.generation import Generation

MARKED = 40  # the words a hit's snippet marks at most (a pasted passage's words are many)


@dataclass
class Answer:
    """One reading of a request: how it was understood, its matches (scored, and after the filters), the
    query and filters it was matched with, and the facet counts."""

    understood: Understanding
    scored: Scores | None
    parsed: q.ParsedQuery
    filters: Filters
    matched: np.ndarray
    facets: dict[str, dict[str, int]]


def _parts(plan: q.Plan) -> tuple[q.Plan, ...]:
    """The parts of a partial plan (inside its exclusions)."""
    if isinstance(plan, q.Without) and plan.positive is not None:
        plan = plan.positive
    return plan.parts if isinstance(plan, q.MostOf) else ()


def highlight_terms(understood: Understanding, parsed: q.ParsedQuery) -> list[str]:
    """What to mark in snippets and pages: what was actually matched."""
    if understood.mode == "passage":
        text = q.passage(understood.typed) or ""
        return [w for w in q.content_words(text) if len(w) > 1][:MARKED]
    if understood.mode == "partial":
        terms = [w for t in parsed.positive_terms() for w in ([t.text] if t.phrase else q.content_words(t.text))]
    else:
        terms = q.highlight_terms(parsed, relaxed=understood.mode == "relaxed")
    return list(dict.fromkeys([*terms, *(w for e in understood.expansions for w in e.added)]))[:MARKED]


def answer(gen: Generation, request: SearchRequest) -> Answer:
    """The first reading of the request that finds articles, else the first: the filters typed among its
    words applied, and then the words as text; a query of one such word that no article has as it is
    typed, its filter first."""
    parsed = request.parsed
    if request.exact:
        return _read(gen, request, parsed, request.filters, ())
    sections = gen.coded["section"].values
    readings = [recognise(parsed, request.filters, sections)]
    if readings[0][2]:
        readings.append((parsed, request.filters, ()))
    elif (lone := recognise(parsed, request.filters, sections, lone=True))[2]:
        unheard = not evaluate(q.plan(parsed, expand=False), gen)
        readings.insert(0 if unheard else 1, lone)
    first = None
    for rest, filters, conditions in readings:
        reading = _read(gen, request, rest, filters, conditions)
        if len(reading.matched):
            if first is not None and not conditions:
                reading.understood = replace(reading.understood, unfiltered=first.understood.conditions)
            return reading
        first = first or reading
    assert first is not None
    return first


def _read(
    gen: Generation, request: SearchRequest, parsed: q.ParsedQuery, filters: Filters,
    conditions: tuple[Condition, ...],
) -> Answer:  # fmt: skip
    understood, scored, used = _understand(gen, request, parsed)
    if conditions:
        searched = understood.searched if understood.guessed else q.unparse(used)
        understood = replace(understood, conditions=conditions, searched=searched)
    found = gen.live_docs if scored is None else scored.docs
    matched, facets = _filter(gen, found, filters)
    return Answer(understood, scored, used, filters, matched, facets)


def _understand(
    gen: Generation, request: SearchRequest, parsed: q.ParsedQuery
) -> tuple[Understanding, Scores | None, q.ParsedQuery]:
    """Match the query as typed and, where that finds (almost) nothing, the forgiving steps in turn."""
    typed = request.query
    changes = folded(typed)
    expand = not request.exact
    exact, found = _match(gen, q.plan(parsed, expand=expand))
    if exact is None:
        return Understanding(typed, typed, "exact", changes), None, parsed
    if len(exact) > FEW:
        return Understanding(typed, typed, "exact", changes, expansions=found), exact, parsed
    passage = q.passage(typed)
    if passage is not None and not exact:
        votes = vote(passage, gen, len(gen.live))
        if votes:
            return Understanding(typed, typed, "passage", changes), votes, parsed
    vocabulary = gen.vocabulary
    # A pasted passage's slips are not corrected: its words are many, and each would be read for slips.
    if not request.exact and passage is None and (alt := alternative(parsed, vocabulary)) is not None:
        alt_parsed, alt_changes = alt
        alt_scored, alt_mode, alt_found = _attempt(gen, alt_parsed)
        searched = q.unparse(alt_parsed)
        if alt_scored and not exact:
            understood = Understanding(typed, searched, alt_mode, changes + alt_changes, expansions=alt_found)
            return understood, alt_scored, alt_parsed
        if exact and alt_mode == "exact" and len(alt_scored) >= BETTER * len(exact):
            # What was typed is found, so it is what is shown; the likelier words are offered.
            understood = Understanding(typed, typed, "exact", changes, suggestion=searched, expansions=found)
            return understood, exact, parsed
    if exact:
        return Understanding(typed, typed, "exact", changes, expansions=found), exact, parsed
    known = None if request.exact else vocabulary.frequency.__contains__
    scored, mode, found = _attempt(gen, parsed, known, expand)
    missing: tuple[str, ...] = ()
    whole = lambda text: bool(evaluate(q.plan(q.parse(f'"{text}"')), gen))  # noqa: E731
    if not scored and (plan := q.plan_partial(parsed, broaden=known, expand=expand, whole=whole)) is not None:
        partial, found = _match(gen, plan)
        scored, mode = partial or Scores.empty(), "partial"
        missing = tuple(p.typed for p in _parts(plan) if isinstance(p, q.Match) and not evaluate(p, gen))
    suggestion = None if scored or request.exact else initials(parsed, vocabulary)
    understood = Understanding(typed, typed, mode if scored else "exact", changes, suggestion=suggestion,
                               expansions=found, missing=missing if scored else ())  # fmt: skip
    return understood, scored, parsed


def _attempt(
    gen: Generation, parsed: q.ParsedQuery, known: q.Known = None, expand: bool = True
) -> tuple[Scores, str, tuple[Expansion, ...]]:
    """The query's matches as typed; else, given ``known``, with the general thesaurus; else with its words
    apart (question words need not match, the others may be near-synonyms)."""
    scored, found = _match(gen, q.plan(parsed, expand=expand))
    if not scored and known is not None:
        scored, found = _match(gen, q.plan(parsed, broaden=known))
    if scored or not q.can_relax(parsed):
        return scored or Scores.empty(), "exact", found
    relaxed, found = _match(gen, q.plan(parsed, relaxed=True, broaden=known, expand=expand))
    return relaxed or Scores.empty(), "relaxed", found


def _match(gen: Generation, plan: q.Plan | None) -> tuple[Scores | None, tuple[Expansion, ...]]:
    """Docnums matching ``plan`` with their scores (None for an empty query: browse), and the thesaurus
    words that found some."""
    if plan is None:
        return None, ()
    found: list[tuple[str, str]] = []
    return evaluate(plan, gen, found), Expansion.grouped(found)


def _filter(gen: Generation, found: np.ndarray, f: Filters) -> tuple[np.ndarray, dict[str, dict[str, int]]]:
    """Apply the filters and count facets, each facet respecting the other filters (array operations)."""
    narrowing: dict[str, np.ndarray | None] = {
        facet.name: gen.coded[facet.source].having(found, value) if (value := f.get(facet.name)) else None
        for facet in FILTER_FACETS
    }
    narrowing["date"] = gen.in_dates(found, f.date_from_iso, f.date_to_iso) if f.dated else None
    return intersect(found, narrowing.values()), count(found, gen.coded, narrowing)
