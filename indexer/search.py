"""The search interface: the only code that opens the index.

``SearchService`` follows the live generation: each call checks the CURRENT
pointer (one small read) and, when a reindex or ingest has switched it, opens
the new generation, so running servers pick up new issues without a restart.
How a request is answered is ``answering``'s; this module shapes the answer
(the page's hits with their snippets) and looks up articles and issues.
"""

from __future__ import annotations

import heapq
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import answering
from .engine import query as q
from .engine import ranking
from .engine.docsets import positions
from .engine.facets import FACETS
from .engine.highlight import Marks, highlight_all
from .engine.related import related as related_docs
from .engine.request import MAX_QUERY, PARAMS, SearchRequest
from .engine.results import ArticleRecord, Hit, SearchResult
from .errors import IndexCorruptError, IndexerError
from .language import shapes, thesaurus
from .language.analysis import init as init_analysis
from .language.analysis import load_words
from .language.vocabulary import reader, syllables
from .language.wordlists import held
from .storage.generation import Generation
from .storage.store import IndexStore
from .urls import article_url


class SearchService:
    """Search, article and issue lookups over the live index in ``index_dir``."""

    def __init__(self, index_dir: str | Path):
        self.store = IndexStore(index_dir)
        self._generation: Generation | None = None
        self._lock = threading.Lock()
        init_analysis()

    # -- generations -------------------------------------------------------

    def generation(self) -> Generation:
        name = self.store.current_name()
        current = self._generation
        if current is not None and current.name == name:
            return current
        with self._lock:
            current = self._generation
            if current is None or current.name != name:
                current = self._generation = Generation(self.store.current())
        return current

    def generation_name(self) -> str | None:
        """The live generation's name without opening it (a validator for caches)."""
        return self.store.current_name()

    def check(self) -> dict[str, Any]:
        """Open the live index (raising a clear error if it cannot be) and describe it."""
        gen = self.generation()
        return {
            "generation": gen.name,
            "articles": len(gen.live),
            "issues": len(gen.issues),
            "years": sorted({r["year"] for r in gen.issues.values()}),
        }

    def verify(self, *, keep: bool = False) -> dict[str, Any]:
        """Open the live index to prove it works, then close it (so a forking master holds nothing open).

        With ``keep``, what a search reads into memory (texts, columns, the archive's words, the postings'
        mapped key tables) is kept: a forking master then hands it to every worker, instead of each worker
        reading it on its first request (postings are read with ``pread``, which a shared descriptor allows)."""
        try:
            info = self.check()
            gen = self.generation()
            if gen.live:
                self.search("城管", per_page=1)
                self.article(gen.cols["id"][gen.live[0]])
            if keep:
                gen.vocabulary.prepare()  # read now, not by a worker's first forgiving search
                gen.warm()
                reader()  # what reads a slip aloud, loaded once for every worker
                thesaurus.load()
                shapes.tables()
                load_words()
            return info
        except IndexerError:
            raise
        except Exception as exc:  # a damaged file shows up as any error while reading
            raise IndexCorruptError(
                f"索引 {self.store.root} 已损坏（{type(exc).__name__}: {exc}）。"
                "请运行 bulletin reindex 从语料库重建索引。"
            ) from None
        finally:
            if not keep:
                self.close()

    def close(self) -> None:
        with self._lock:
            generation, self._generation = self._generation, None
        if generation is not None:
            generation.close()

    # -- search ------------------------------------------------------------

    def search(self, request: SearchRequest | str | None = None, /, **keywords: Any) -> SearchResult:
        """Search with a ``SearchRequest``, or with a query and the keywords ``SearchRequest.create`` takes."""
        if not isinstance(request, SearchRequest):
            if request is not None:
                keywords = {**keywords, "query": request}
            request = SearchRequest.create(**keywords)
        elif keywords:
            raise TypeError("give a SearchRequest or keywords, not both")
        with held():  # the word lists as they are when the search starts, read once
            return self._search(request)

    def _search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        gen = self.generation()
        answer = answering.answer(gen, request)
        scored, matched = answer.scored, answer.matched
        start = (request.page - 1) * request.per_page
        # Only the pages up to this one are ordered; totals and facets need no order.
        dated = request.sort == "date" or scored is None
        if dated:
            values = None
        else:  # no filter narrowed the matches: their scores as they are
            values = scored.values if len(matched) == len(scored) else scored.values[positions(scored.docs, matched)]
        ordered = matched[ranking.first(start + request.per_page, gen.rank, matched, values)]
        terms = answering.highlight_terms(answer.understood, answer.parsed)
        marks = Marks(terms)
        params = request.params
        if conditions := answer.understood.conditions:
            params.update(q=answer.understood.searched, **{k: v for c in conditions for k, v in c.params().items()})
        return SearchResult(
            query=request.query,
            total=len(matched),
            page=request.page,
            per_page=request.per_page,
            took_ms=round((time.perf_counter() - started) * 1000, 1),
            hits=[self._hit(gen, n, marks) for n in ordered[start:].tolist()],
            facets=answer.facets,
            filters=answer.filters,
            sort=request.sort,
            terms=terms,
            understood=answer.understood,
            params=params,
        )

    def suggestions(self, request: SearchRequest) -> list[Suggestion]:
        """For a search that found nothing: each filter, and each word of several, that could be dropped, with
        how many articles the search finds without it (the most first)."""
        params = request.params
        out = []
        for param in PARAMS:
            if param.filter and params[param.name]:
                total = self.search(SearchRequest.from_params({**params, param.name: "", "per_page": 1})).total
                out.append(Suggestion(f"{param.label}“{params[param.name]}”", total, {param.name: ""}))
        terms = [t.text for t in request.parsed.positive_terms()]
        if len(terms) > 1:
            for term in terms:
                rest = " ".join(t for t in terms if t != term)
                total = self.search(SearchRequest.from_params({**params, "q": rest, "per_page": 1})).total
                out.append(Suggestion(f"词“{term}”", total, {"q": rest}))
        return sorted(out, key=lambda s: -s.total)

    def _hit(self, gen: Generation, docnum: int, marks: Marks) -> Hit:
        title, unit, district, section, page, text = gen.hit_record(docnum)
        return Hit(
            id=gen.cols["id"][docnum],
            title=title,
            unit=unit,
            district=district,
            section=section,
            date=gen.cols["date"][docnum],
            issue=gen.cols["issue_id"][docnum],
            page=page,
            snippet=marks.snippet(text, plain=bool(gen.plain[docnum])),
        )

    # -- lookups -----------------------------------------------------------

    def article(self, article_id: str, *, related: bool = True) -> ArticleRecord | None:
        """The article with its place in the issue and, unless ``related`` is False, its related articles."""
        gen = self.generation()
        docnum = gen.ids.get(article_id)
        if docnum is None:
            return None
        article = gen.article(docnum)
        siblings = gen.articles_by_issue.get(article.issue_id, [])
        index = siblings.index(article.id) if article.id in siblings else -1
        previous = siblings[index - 1] if index > 0 else None
        following = siblings[index + 1] if 0 <= index < len(siblings) - 1 else None
        return ArticleRecord(
            article,
            gen.issues[article.issue_id],
            previous,
            following,
            tuple(self._related(gen, docnum)) if related else (),
        )

    def _related(self, gen: Generation, docnum: int) -> list[dict[str, Any]]:
        out = []
        for other in related_docs(gen, docnum):
            article_id = gen.cols["id"][other]
            out.append(
                {
                    "id": article_id,
                    "title": gen.hit_record(other)[0],
                    "unit": gen.cols["unit"][other],
                    "issue": gen.cols["issue_id"][other],
                    "date": gen.cols["date"][other],
                    "url": article_url(article_id),
                }
            )
        return out

    def highlighted_paragraphs(self, record: ArticleRecord, query: str) -> list[dict[str, str]]:
        """The article's paragraphs as escaped HTML with the query's terms marked."""
        terms = q.highlight_terms(q.parse(query[:MAX_QUERY])) if query else []
        return [{"kind": p.kind, "html": highlight_all(p.text, terms)} for p in record.article.paragraphs]

    def issue(self, issue_id: str) -> dict[str, Any] | None:
        """The issue's cover data with its contents and article list."""
        return self.generation().record(issue_id)

    def values(self, facet: str) -> list[str]:
        """Every value of ``facet`` in the archive, the most frequent first (counted over the generation's
        coded column, not by searching)."""
        gen = self.generation()
        column = gen.coded[next(f.source for f in FACETS if f.name == facet)]
        tally = np.bincount(column.codes[gen.live_docs], minlength=len(column.values))
        present = [(-int(n), v) for v, n in zip(column.values, tally, strict=True) if v and n]  # of live articles only
        return [v for _, v in sorted(present)]

    def frequent_words(self, count: int) -> list[str]:
        """The live archive's ``count`` most frequent words of two characters or more, the most frequent first."""
        frequency = self.generation().vocabulary.frequency
        return heapq.nlargest(count, (w for w in frequency if len(w) > 1), key=frequency.__getitem__)

    def rehearsal(self, count: int) -> list[dict[str, str]]:
        """Searches of each kind staff type, made of the archive's ``count`` most frequent words (their search
        parameters): each word, two of them together, a word in pinyin, a word in a district or in a span of
        years. A worker answers them before its first request (``bulletin.app.App.rehearse``)."""
        words = self.frequent_words(count)
        few = words[: max(1, count // 10)]
        years = sorted({r["year"] for r in self.generation().issues.values()})
        searches = [{"q": w} for w in words]
        pairs = zip(words[: 2 * len(few) : 2], words[1 : 2 * len(few) : 2], strict=False)  # an odd last: no pair
        searches += [{"q": f"{a} {b}"} for a, b in pairs]
        searches += [{"q": "".join(syllables(w))} for w in few]
        searches += [{"q": w, "district": d} for w, d in zip(few, self.values("district"), strict=False)]
        if years:
            searches += [{"q": w, "from": str(years[0]), "to": str(years[len(years) // 2])} for w in few]
        return searches

    def issues(self) -> list[dict[str, Any]]:
        """All issues, newest first, without their article lists."""
        records = sorted(self.generation().issues.values(), key=lambda r: r["date"], reverse=True)
        return [{k: v for k, v in r.items() if k not in ("articles", "toc")} for r in records]


@dataclass(frozen=True)
class Suggestion:
    """A way out of an empty result: what to drop, how many articles the search then finds, and the search
    parameters that drop it."""

    what: str
    total: int
    changes: dict[str, str]


def index_ready(index_dir: str | Path) -> bool:
    """True when an index has been built in ``index_dir`` (whether or not it still opens)."""
    return IndexStore(index_dir).current_name() is not None
