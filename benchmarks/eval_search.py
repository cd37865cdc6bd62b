"""Recall and precision of search on the judged query set, against jieba's stock Whoosh analyser, and the
success rate and cost of each forgiving class (homophone slips, pinyin, traditional characters, questions,
passages, everyday words, typed filters, mixed pinyin, shape slips, initials), and the control words kept.

    python3 benchmarks/eval_search.py [--corpus corpus]

Builds the indexes from the corpus in a temporary folder and prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import forgiving  # noqa: E402

from indexer import SearchService, reindex  # noqa: E402


def load_judgements() -> tuple[str, dict[str, set[str]]]:
    data = json.loads((HERE / "judged_queries.json").read_text(encoding="utf-8"))
    issue = data["issue"]
    return issue, {q: {f"{issue}-{a}" for a in ids} for q, ids in data["queries"].items()}


def ours(corpus: Path, folder: Path, queries: list[str], issue: str) -> dict[str, set[str]]:
    reindex(corpus, folder / "ours")
    archive = SearchService(folder / "ours")
    return {q: {h.id for h in archive.search(q, per_page=100, date_from=issue, date_to=issue).hits} for q in queries}


def stock(corpus: Path, folder: Path, queries: list[str], issue: str) -> dict[str, set[str]]:
    """jieba.analyse.ChineseAnalyzer as documented, with Whoosh's default query parser."""
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import MultifieldParser

    from archive.corpus import Corpus
    from indexer.storage.build import parse_all

    schema = Schema(id=ID(stored=True), title=TEXT(analyzer=ChineseAnalyzer()), body=TEXT(analyzer=ChineseAnalyzer()))
    (folder / "stock").mkdir()
    ix = whoosh_index.create_in(str(folder / "stock"), schema)
    with ix.writer() as writer:
        for parsed in parse_all(Corpus(corpus).files()):
            for article in parsed.issue.articles:
                writer.add_document(id=article.id, title=article.title, body=article.text)
    parser = MultifieldParser(["title", "body"], schema)
    out = {}
    with ix.searcher() as searcher:
        for q in queries:
            found = searcher.search(parser.parse(q), limit=None)
            out[q] = {hit["id"] for hit in found if hit["id"].startswith(issue)}
    return out


def score(found: dict[str, set[str]], judged: dict[str, set[str]]) -> dict[str, tuple[float, float]]:
    table = {}
    for q, relevant in judged.items():
        got = found[q]
        recall = len(got & relevant) / len(relevant)
        precision = len(got & relevant) / len(got) if got else 1.0
        table[q] = (recall, precision)
    return table


def run(engine: str, corpus: Path) -> dict[str, set[str]]:
    issue, judged = load_judgements()
    with tempfile.TemporaryDirectory() as tmp:
        return (ours if engine == "ours" else stock)(corpus, Path(tmp), list(judged), issue)


def forgiving_table(corpus: Path) -> list[str]:
    """Each class's share of queries whose first hit is wanted, and its median time beside exact queries'."""
    import statistics
    import time

    from archive.corpus import Corpus
    from indexer.storage.build import parse_all

    articles = [a for p in parse_all(Corpus(corpus).files()) for a in p.issue.articles]
    by_id = {a.id: a for a in articles}
    classes = forgiving.judged()
    classes["passage"] = forgiving.passages(articles, load_judgements()[0])
    with tempfile.TemporaryDirectory() as tmp:
        reindex(corpus, Path(tmp) / "index")
        service = SearchService(Path(tmp) / "index")
        service.search("城管")  # open the generation and the vocabulary before timing
        service.search("城管同")

        def timed(query: str):
            times = []
            for _ in range(5):
                started = time.perf_counter()
                result = service.search(query, per_page=10)
                times.append((time.perf_counter() - started) * 1000)
            return result, statistics.median(times)

        rows = ["| class | queries | first hit wanted | rate | median ms |", "| --- | ---: | ---: | ---: | ---: |"]
        exact_ms = statistics.median(timed(q)[1] for q in load_judgements()[1])
        for kind, cases in classes.items():
            outcomes = [(forgiving.answered(r.hits, wanted, by_id), ms) for q, wanted in cases for r, ms in [timed(q)]]
            good = sum(ok for ok, _ in outcomes)
            ms = statistics.median(m for _, m in outcomes)
            rows.append(f"| {kind} | {len(cases)} | {good} | {good / len(cases):.2f} | {ms:.1f} |")
        offered = [(service.search(q).understood.suggestion == meant, timed(q)[1]) for q, meant in forgiving.initials()]
        good = sum(ok for ok, _ in offered)
        ms = statistics.median(m for _, m in offered)
        rows.append(f"| initials (the word offered) | {len(offered)} | {good} | {good / len(offered):.2f} | {ms:.1f} |")
        rows.append(f"| (exact, the judged set above) | {len(load_judgements()[1])} | | | {exact_ms:.1f} |")
        words = [w for group in forgiving.controls().values() for w in group]
        kept = sum(not (u := service.search(w).understood).guessed and u.searched == w for w in words)
        rows.append(
            f"| controls (real words never corrected) | {len(words)} | {kept} kept | {kept / len(words):.2f} | |"
        )
    return rows


def unseen_table() -> list[str]:
    """Each class on an issue written after the rules (the first issue beside it), as the tests judge it."""
    import shutil

    rows = ["| class, unseen issue | queries | first hit wanted | rate |", "| --- | ---: | ---: | ---: |"]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus" / "2017"
        corpus.mkdir(parents=True)
        shutil.copy(HERE.parent / "corpus" / "2017" / "2017-06.md", corpus / "2017-06.md")
        shutil.copy(forgiving.UNSEEN_FIXTURE, corpus / "2017-12.md")
        reindex(corpus.parent, Path(tmp) / "index")
        service = SearchService(Path(tmp) / "index")
        total = good_total = 0
        for kind, cases in forgiving.unseen().items():
            good = sum(bool(r.hits) and r.hits[0].id in w for q, w in cases for r in [service.search(q)])
            rows.append(f"| {kind} | {len(cases)} | {good} | {good / len(cases):.2f} |")
            total, good_total = total + len(cases), good_total + good
        rows.append(f"| **all** | {total} | {good_total} | {good_total / total:.2f} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=HERE.parent / "corpus")
    parser.add_argument("--engine", choices=["ours", "stock"], help="run one engine and print its results as JSON")
    args = parser.parse_args()
    if args.engine:
        found = run(args.engine, args.corpus)
        print(json.dumps({q: sorted(ids) for q, ids in found.items()}, ensure_ascii=False))
        return
    _, judged = load_judgements()
    queries = list(judged)
    # Each engine in its own process: jieba's dictionary is process-wide, and ours adds domain words.
    found = {}
    for engine in ("ours", "stock"):
        out = subprocess.run(
            [sys.executable, __file__, "--engine", engine, "--corpus", str(args.corpus)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        found[engine] = {q: set(ids) for q, ids in json.loads(out).items()}
    a, b = score(found["ours"], judged), score(found["stock"], judged)
    print("| query | relevant | recall | precision | stock recall | stock precision |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for q in queries:
        print(f"| `{q}` | {len(judged[q])} | {a[q][0]:.2f} | {a[q][1]:.2f} | {b[q][0]:.2f} | {b[q][1]:.2f} |")
    mean = [sum(t[q][i] for q in queries) / len(queries) for t in (a, b) for i in (0, 1)]
    print(f"| **mean** | | **{mean[0]:.2f}** | **{mean[1]:.2f}** | {mean[2]:.2f} | {mean[3]:.2f} |")
    print()
    print("\n".join(forgiving_table(args.corpus)))
    print()
    print("\n".join(unseen_table()))


if __name__ == "__main__":
    main()
