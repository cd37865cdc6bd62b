"""The SQLite FTS5 peer: the same articles and the same jieba tokens, the same search object.

Built and queried in the benchmark's own run, and served by a minimal Falcon app under the same gunicorn
settings as `bulletin serve`, so that the two are compared side by side.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.corpus import Corpus  # noqa: E402
from indexer import SearchRequest  # noqa: E402
from indexer.analysis import words  # noqa: E402
from indexer.build import parse_all  # noqa: E402
from indexer.query import parse as parse_query  # noqa: E402


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
    def __init__(self, db: Path):
        self.con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)

    def search(self, query="", district=None, section=None, date_from=None, date_to=None, sort="relevance",
               page=1, per_page=20) -> dict:  # fmt: skip
        started = time.perf_counter()
        filters = SearchRequest.create(
            query=query, district=district, section=section, date_from=date_from, date_to=date_to
        ).filters
        parsed = parse_query(query)
        parts = []
        for group in parsed.groups:
            alternatives = [" ".join(f'"{w}"' for w in words(t.text)) for t in group]
            alternatives = [a for a in alternatives if a]
            if alternatives:
                parts.append("(" + " OR ".join(alternatives) + ")")
        match = " AND ".join(parts)
        base = "FROM meta m" + (" JOIN fts ON fts.rowid = m.rowid" if match else "")
        clauses = {"match": ("fts MATCH ?", match) if match else None}
        clauses["district"] = ("m.district = ?", filters.get("district")) if filters.get("district") else None
        clauses["section"] = ("m.section = ?", filters.get("section")) if filters.get("section") else None
        clauses["from"] = ("m.date >= ?", filters.date_from_iso) if filters.date_from else None
        clauses["to"] = ("m.date <= ?", filters.date_to_iso) if filters.date_to else None

        def where(skip: tuple[str, ...] = ()) -> tuple[str, list]:
            active = [c for k, c in clauses.items() if c and k not in skip]
            return (" WHERE " + " AND ".join(c[0] for c in active) if active else ""), [c[1] for c in active]

        sql, args = where()
        total = self.con.execute(f"SELECT count(*) {base}{sql}", args).fetchone()[0]
        order = "m.date DESC, m.rowid" if sort == "date" or not match else "bm25(fts, 3.0, 1.0), m.date DESC"
        snippet = "snippet(fts, 1, '<mark>', '</mark>', '…', 24)" if match else "''"
        rows = self.con.execute(
            f"SELECT m.id, m.title, m.unit, m.district, m.section, m.date, m.issue, m.page, {snippet} "
            f"{base}{sql} ORDER BY {order} LIMIT ? OFFSET ?",
            [*args, per_page, (page - 1) * per_page],
        ).fetchall()
        facets = {}
        for facet, column, skip in (("district", "district", ("district",)), ("section", "section", ("section",)),
                                    ("year", "year", ("from", "to"))):  # fmt: skip
            fsql, fargs = where(skip)
            facets[facet] = dict(
                self.con.execute(f"SELECT m.{column}, count(*) {base}{fsql} GROUP BY m.{column}", fargs).fetchall()
            )
        keys = ("id", "title", "unit", "district", "section", "date", "issue", "page", "snippet")
        hits = [dict(zip(keys, row, strict=True)) | {"url": f"/articles/{row[0]}"} for row in rows]
        return {
            "query": query, "total": total, "page": page, "per_page": per_page,
            "took_ms": round((time.perf_counter() - started) * 1000, 1), "hits": hits, "facets": facets,
        }  # fmt: skip


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
