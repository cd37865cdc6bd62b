"""The SQLite FTS5 peer: the same articles and the same jieba tokens, the same search object.

Built and queried in the benchmark's own run, and served by a minimal Falcon app under the same gunicorn
settings as `bulletin serve`, so that the two are compared side by side.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.corpus import Corpus  # noqa: E402
from indexer import SearchRequest  # noqa: E402
from indexer.engine.query import parse as parse_query  # noqa: E402
from indexer.language.analysis import words  # noqa: E402
from indexer.storage.build import parse_all  # noqa: E402


def build(corpus: Path, db: Path) -> float:
    """Build the FTS5 database from the corpus; return the seconds taken."""
    started = time.perf_counter()
    db.unlink(missing_ok=True)
    con = sqlite3.connect(db)
    con.executescript(
        """
        CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='unicode61');
        CREATE TABLE meta(rowid INTEGER PRIMARY KEY, id TEXT, title TEXT, unit TEXT, district TEXT,
                          section TEXT, date TEXT, year TEXT, issue TEXT, page INTEGER);
        """
    )
    rowid = 0
    for parsed in parse_all(Corpus(corpus).files()):
        issue = parsed.issue
        for article in issue.articles:
            rowid += 1
            con.execute(
                "INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)",
                (rowid, " ".join(words(article.title)), " ".join(words(article.text))),
            )
            con.execute(
                "INSERT INTO meta VALUES (?,?,?,?,?,?,?,?,?,?)",
                (rowid, article.id, article.title, article.unit, article.district or "", article.section,
                 issue.date.isoformat(), str(issue.year), issue.id, article.page),
            )  # fmt: skip
    con.execute("CREATE INDEX meta_date ON meta(date)")
    con.commit()
    con.close()
    return time.perf_counter() - started


class Peer:
    """The search as fast as FTS5 can honestly make it: one MATCH per request, materialised once and read by
    the total, the three facet counts and the page in one statement; snippets for the page's hits only."""

    def __init__(self, db: Path):
        self.db = db
        self._con: sqlite3.Connection | None = None
        self._pid = 0

    @property
    def con(self) -> sqlite3.Connection:
        # One connection a process, opened in it: SQLite's docs say not to carry one across fork().
        if self._con is None or self._pid != os.getpid():
            self._con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, check_same_thread=False)
            self._con.execute("PRAGMA mmap_size = 1073741824")
            self._con.execute("PRAGMA cache_size = -65536")
            self._con.execute("PRAGMA temp_store = MEMORY")
            self._pid = os.getpid()
        return self._con

    def search(self, query="", district=None, section=None, date_from=None, date_to=None, sort="relevance",
               page=1, per_page=20) -> dict:  # fmt: skip
        started = time.perf_counter()
        filters = SearchRequest.create(
            query=query, district=district, section=section, date_from=date_from, date_to=date_to
        ).filters
        match = _match_expression(query)
        if match:
            cte = ("WITH f AS MATERIALIZED (SELECT m.rowid AS rowid, bm25(fts, 3.0, 1.0) AS score, m.district, "
                   "m.section, m.year, m.issue, m.date FROM fts JOIN meta m ON m.rowid = fts.rowid WHERE fts MATCH ?)")  # fmt: skip
            cte_args: list = [match]
        else:
            cte = "WITH f AS (SELECT rowid, 0.0 AS score, district, section, year, issue, date FROM meta)"
            cte_args = []
        clauses = {
            "district": ("district = ?", filters.get("district")) if filters.get("district") else None,
            "section": ("section = ?", filters.get("section")) if filters.get("section") else None,
            "from": ("date >= ?", filters.date_from_iso) if filters.date_from else None,
            "to": ("date <= ?", filters.date_to_iso) if filters.date_to else None,
        }

        def where(skip: tuple[str, ...] = ()) -> tuple[str, list]:
            active = [c for k, c in clauses.items() if c and k not in skip]
            return (" WHERE " + " AND ".join(c[0] for c in active) if active else ""), [c[1] for c in active]

        order = "date DESC, rowid" if sort == "date" or not match else "score, date DESC"
        parts, args = [], list(cte_args)
        sql, a = where()
        parts.append(f"SELECT 'total', NULL, count(*) FROM f{sql}")
        args += a
        # The four facets the archive counts (``indexer.engine.facets.FACETS``), each without its own filter.
        facet_skips = (("district", ("district",)), ("section", ("section",)), ("year", ("from", "to")), ("issue", ()))
        for facet, skip in facet_skips:
            sql, a = where(skip)
            parts.append(f"SELECT '{facet}', {facet}, count(*) FROM f{sql} GROUP BY {facet}")
            args += a
        sql, a = where()
        parts.append(f"SELECT * FROM (SELECT 'hit', rowid, score FROM f{sql} ORDER BY {order} LIMIT ? OFFSET ?)")
        args += [*a, per_page, (page - 1) * per_page]
        total, facets, page_ids = 0, {"district": {}, "section": {}, "year": {}, "issue": {}}, []
        for kind, value, number in self.con.execute(f"{cte} " + " UNION ALL ".join(parts), args):
            if kind == "total":
                total = number
            elif kind == "hit":
                page_ids.append(value)
            else:
                facets[kind][value] = number
        hits = self._hits(page_ids, match)
        return {
            "query": query, "total": total, "page": page, "per_page": per_page,
            "took_ms": round((time.perf_counter() - started) * 1000, 1), "hits": hits, "facets": facets,
        }  # fmt: skip

    def _hits(self, rowids: list[int], match: str) -> list[dict]:
        """The page's rows, with a snippet each (FTS5 computes one only where asked)."""
        if not rowids:
            return []
        marks = ",".join("?" * len(rowids))
        columns = "m.rowid, m.id, m.title, m.unit, m.district, m.section, m.date, m.issue, m.page"
        if match:
            sql = (f"SELECT {columns}, snippet(fts, 1, '<mark>', '</mark>', '…', 24) FROM fts "
                   f"JOIN meta m ON m.rowid = fts.rowid WHERE fts MATCH ? AND fts.rowid IN ({marks})")  # fmt: skip
            rows = self.con.execute(sql, [match, *rowids]).fetchall()
        else:
            rows = self.con.execute(f"SELECT {columns}, '' FROM meta m WHERE m.rowid IN ({marks})", rowids).fetchall()
        by_rowid = {row[0]: row[1:] for row in rows}
        keys = ("id", "title", "unit", "district", "section", "date", "issue", "page", "snippet")
        return [dict(zip(keys, by_rowid[r], strict=True)) | {"url": f"/articles/{by_rowid[r][0]}"} for r in rowids]


def _match_expression(query: str) -> str:
    """The query as an FTS5 expression over the same jieba tokens the table holds."""
    parts = []
    for group in parse_query(query).groups:
        alternatives = [" ".join(f'"{w}"' for w in words(t.text)) for t in group]
        alternatives = [a for a in alternatives if a]
        if alternatives:
            parts.append("(" + " OR ".join(alternatives) + ")")
    return " AND ".join(parts)


def make_app(db: Path):
    import falcon

    peer = Peer(db)

    class Search:
        def on_get(self, req, resp):
            resp.media = peer.search(
                req.get_param("q") or "", req.get_param("district"), req.get_param("section"),
                req.get_param("from"), req.get_param("to"), req.get_param("sort") or "relevance",
                req.get_param_as_int("page") or 1, req.get_param_as_int("per_page") or 20,
            )  # fmt: skip

    class Health:
        def on_get(self, req, resp):
            resp.media = {"status": "ok"}

    app = falcon.App()
    app.add_route("/api/search", Search())
    app.add_route("/healthz", Health())
    return app


def serve(db: Path, port: int, workers: int = 2) -> None:
    from bulletin.server import run

    run(make_app(db), "127.0.0.1", port, workers)


if __name__ == "__main__":
    serve(Path(sys.argv[1]), int(sys.argv[2]))
