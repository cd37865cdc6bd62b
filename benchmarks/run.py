"""Run the benchmark suite for one archive size; print a table and write the figures as JSON.

    python3 benchmarks/run.py --size 20000            # about 8 minutes on 2 cores
    python3 benchmarks/run.py --size 300 --seconds 1  # a smoke run

Everything is measured side by side in one run against the strong FTS5 peer (``fts5_peer.py``: contentless
FTS5 over jieba search-mode tokens, facets from a narrow table, snippets for the page only), both fed the same
articles and both served by gunicorn with 2 workers and ``--preload``: the full rebuild against jieba alone
segmenting the same text and against the peer's build, one ingest, the cold mixes (pieces of titles; whole
words) and the warm mix in process (falcon's test client over each app) and over HTTP, phases alternated,
the steps of understanding a query (each class of ``mixes.MEANING_MIX`` against the same query searched
exactly as typed), a trivial endpoint, and each worker's memory after the load.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import synth  # noqa: E402
from mixes import QUERY_MIX, meaning_mix, piece_mix, titles, write_articles  # noqa: E402

COLD_FILTERS = [{}, {}, {"district": "朝阳"}, {}, {"section": "区局动态"}, {}, {"from": "2015-01-01"}, {}]


def word_mix(corpus: Path, count: int, sample: int = 3000) -> list[dict[str, str]]:
    """``count`` distinct searches for whole words none of the fixed mix uses, so that each is new to a worker's
    caches the first time it comes: single words of 2–4 characters found in 0.1–30% of a sample of the
    archive's articles, every fifth a pair of them, some with a filter as staff add one. Deterministic."""
    import hashlib
    import re

    from archive.corpus import Corpus
    from indexer.language.analysis import stop_words, words
    from indexer.storage.build import parse_all

    texts = [
        f"{a.title}\n{a.text}" for p in parse_all(Corpus(corpus).files()[: sample // 30 + 1]) for a in p.issue.articles
    ]
    df: dict[str, int] = {}
    for text in texts[:sample]:
        for word in set(words(text)):
            df[word] = df.get(word, 0) + 1
    used = {w for params in QUERY_MIX for w in params.get("q", "").replace('"', " ").split()}
    low, high, stops = 0.001 * len(texts), 0.3 * len(texts), stop_words()
    pool = sorted(
        (w for w, n in df.items() if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", w) and low <= n <= high
         and w not in stops and not any(w in u or u in w for u in used)),
        key=lambda w: hashlib.sha1(w.encode()).hexdigest(),
    )  # fmt: skip
    out, i = [], 0
    while len(out) < count and i + 1 < len(pool):
        if len(out) % 5 == 4:
            query, i = f"{pool[i]} {pool[i + 1]}", i + 2
        else:
            query, i = pool[i], i + 1
        out.append({"q": query, **COLD_FILTERS[len(out) % len(COLD_FILTERS)]})
    return out


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 2)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "n": len(ordered)}


def timed_child(args: list[str], env: dict | None = None) -> tuple[float, int]:
    """Run a command; return its wall time and peak resident memory (MB)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{args} failed: {proc.stderr.read().decode()}")
    proc.stderr.close()
    return time.perf_counter() - started, round(usage.ru_maxrss / 1024)


def jieba_floor(corpus: Path) -> float:
    """Seconds jieba alone takes to segment all titles and bodies in one process (parsing excluded)."""
    code = (
        f"import sys, time; sys.path.insert(0, {str(ROOT)!r})\n"
        "from archive.corpus import Corpus\nfrom indexer.storage.build import parse_all\nfrom indexer.language.analysis import init\n"
        "import jieba\ninit()\n"
        f"texts = [a.title + '\\n' + a.text for p in parse_all(Corpus({str(corpus)!r}).files()) for a in p.issue.articles]\n"
        "t = time.perf_counter()\nfor x in texts: list(jieba.cut(x, HMM=False))\nprint(time.perf_counter() - t)\n"
    )
    return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, args: list[str], port: int, env: dict | None = None):
        self.port = port
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        self.first_answer = self.wait(f"/api/search?q={urllib.parse.quote('执法')}")

    def wait(self, path: str, timeout: float = 120) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request("GET", path)
                if conn.getresponse().status == 200:
                    conn.close()
                    return time.perf_counter() - self.started
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"server on {self.port} did not answer")

    def workers(self) -> list[int]:
        out = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    out.append(int(stat.parent.name))
            except (OSError, IndexError, ValueError):
                continue
        return out

    def memory(self) -> list[dict[str, int]]:
        """Resident, proportional (shared pages split) and unique memory of each worker, in MB."""
        out = []
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            rss = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
            kb = {line.split(":")[0]: int(line.split()[1]) for line in rollup.splitlines()[1:]}
            uss = kb["Private_Clean"] + kb["Private_Dirty"]
            out.append({"rss": rss // 1024, "pss": kb["Pss"] // 1024, "uss": uss // 1024})
        return out

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def load(
    port: int, paths: list[str], clients: int, seconds: float, limit: int = 200_000, once: bool = False
) -> dict[str, float]:
    """``clients`` threads on keep-alive connections for ``seconds``; latency percentiles and throughput.
    With ``once``, each client takes its own share of ``paths`` and none is asked twice (a cold mix)."""
    return summary(*_drive(port, paths, clients, seconds, limit, once))


def summary(latencies: list[float], elapsed: float, errors: int) -> dict[str, float]:
    return {**percentiles(latencies), "rps": round(len(latencies) / elapsed, 1), "errors": errors}


def cold_rounds(ports: dict[str, int], paths: list[str], clients: int, rounds: int, first: int) -> dict[str, dict]:
    """Each server asked each of ``paths`` once, in ``rounds`` shares taken in turn (which server goes first
    alternating from round to round, starting with the ``first``-th): a moment when the machine is slower
    falls on both. Latencies, time and errors are summed over the rounds."""
    names = list(ports)
    totals: dict[str, tuple[list[float], float, int]] = {name: ([], 0.0, 0) for name in names}
    share = -(-len(paths) // rounds)
    for r in range(rounds):
        chunk = paths[r * share : (r + 1) * share]
        for name in names if (r + first) % 2 == 0 else names[::-1]:
            latencies, elapsed, errors = _drive(ports[name], chunk, clients, 600, once=True)
            done = totals[name]
            totals[name] = (done[0] + latencies, done[1] + elapsed, done[2] + errors)
    return {name: summary(*totals[name]) for name in names}


def _drive(
    port: int, paths: list[str], clients: int, seconds: float, limit: int = 200_000, once: bool = False
) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    errors = [0]
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def client(offset: int, end: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = offset
        mine = []
        while time.perf_counter() < stop and len(mine) < limit:
            if once and i >= end:
                break
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            if ok:
                mine.append((time.perf_counter() - started) * 1000)
            else:
                errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    began = time.perf_counter()
    # Asked once: each client its own share, together every path; else each starts a little further on.
    bounds = [
        (k * len(paths) // clients, (k + 1) * len(paths) // clients) if once else (k * 3, 0) for k in range(clients)
    ]
    threads = [threading.Thread(target=client, args=bound) for bound in bounds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - began, errors[0]


# Cold searches, none asked twice: pieces of titles in process, then over HTTP; whole words over HTTP.
COLD = {"in_process": 200, "pieces": 400, "words": 1200}
# Over HTTP each cold mix is asked in this many rounds, the servers taking turns (``cold_rounds``).
COLD_ROUNDS = 4


def path_of(params: dict[str, str]) -> str:
    return "/api/search?" + urllib.parse.urlencode(params)


def clients(workdir: Path, db: Path, corpus: Path, index: Path):
    """falcon's test client over each app: the archive's (as ``bulletin serve`` composes it) and the peer's."""
    import fts5_peer
    from falcon import testing

    from bulletin.app import create_app
    from bulletin.settings import Settings
    from indexer import SearchService

    service = SearchService(index)
    service.verify(keep=True)  # as ``bulletin serve`` prepares it before its workers start
    ours = testing.TestClient(create_app(service, Settings(corpus, index, data_dir=workdir / "data")))
    return ours, testing.TestClient(fts5_peer.make_app(str(db))), service


def asked(client, params: dict[str, str]) -> float:
    """Milliseconds to answer one search in process (the status must be 200)."""
    started = time.perf_counter()
    response = client.simulate_get("/api/search", params=params)
    took = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{params}: {response.status_code} {response.text[:200]}")
    return took


def side_by_side(ours_ms: list[float], peer_ms: list[float]) -> dict:
    ours, peer = percentiles(ours_ms), percentiles(peer_ms)
    ratio = {k: round(ours[k] / peer[k], 2) if peer[k] else None for k in ("p50", "p95")}
    return {"ours": ours, "fts5": peer, "ratio": ratio}


def in_process(ours, peer, pieces: list[dict], repeat: int) -> dict:
    """Cold pieces (each asked of both, alternately, then a second time), the warm mix, and each step of
    understanding a query: its class's queries as understood against the same queries searched exactly."""
    first_ours, first_peer, second_ours = [], [], []
    for params in pieces:
        first_ours.append(asked(ours, params))
        first_peer.append(asked(peer, params))
    for params in pieces:
        second_ours.append(asked(ours, params))
    result = {"cold": side_by_side(first_ours, first_peer), "cold_second_ours": percentiles(second_ours)}
    warm_ours, warm_peer = [], []
    for params in QUERY_MIX:
        asked(ours, params), asked(peer, params)
    for _ in range(repeat):
        for params in QUERY_MIX:
            warm_ours.append(asked(ours, params))
            warm_peer.append(asked(peer, params))
    result["warm"] = side_by_side(warm_ours, warm_peer)
    steps: dict[str, dict[str, list[float]]] = {}
    for kind, params in meaning_mix():
        understood = asked(ours, params)  # first: cold, as staff would meet it
        exact = asked(ours, {**params, "exact": "1"})
        for ms, key in ((understood, "understood"), (exact, "exact")):
            steps.setdefault(kind, {"understood": [], "exact": []})[key].append(ms)
    result["meaning"] = {
        kind: {key: round(statistics.median(v), 2) for key, v in times.items()} for kind, times in steps.items()
    }
    return result


def serve_both(workdir: Path, corpus: Path, index: Path, db: Path) -> tuple[Server, Server]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BULLETIN_DATA": str(workdir / "data")}
    env.pop("BULLETIN_ADMIN_TOKEN", None)
    ours_port, peer_port = free_port(), free_port()
    ours = Server([sys.executable, "-m", "bulletin", "serve", "--port", str(ours_port), "--workers", "2",
                   "--corpus", str(corpus), "--index", str(index)], ours_port, env)  # fmt: skip
    peer = Server([sys.executable, str(HERE / "fts5_peer.py"), "serve", str(db), "--port", str(peer_port),
                   "--workers", "2"], peer_port, env)  # fmt: skip
    return ours, peer


def over_http(ours: Server, peer: Server, cold: dict[str, list[dict]], seconds: float) -> dict:
    """Each cold mix once through (in rounds, the servers taking turns: ``cold_rounds``), then the warm mix at 1,
    4 and 8 clients, a trivial endpoint, and each worker's memory after it all."""
    result: dict = {"serve_first_answer_s": round(ours.first_answer, 2)}
    servers = {"ours": ours, "fts5": peer}
    for turn, (mix, queries) in enumerate(cold.items()):
        ports = {name: server.port for name, server in servers.items()}
        for name, figures in cold_rounds(ports, [path_of(p) for p in queries], 4, COLD_ROUNDS, turn).items():
            result[f"{name}_{mix}"] = figures
    warm = [path_of(p) for p in QUERY_MIX]
    for count in (1, 4, 8):
        for name in ("ours", "fts5") if count != 4 else ("fts5", "ours"):
            result[f"{name}_{count}"] = load(servers[name].port, warm, count, seconds)
    result["trivial_4"] = load(ours.port, ["/healthz"], 4, seconds)
    result["worker_memory_mb"] = ours.memory()
    result["fts5_worker_memory_mb"] = peer.memory()
    for phase in (*cold, 1, 4, 8):
        o, f = result[f"ours_{phase}"], result[f"fts5_{phase}"]
        result[f"ratio_{phase}"] = {k: round(o[k] / f[k], 2) if f[k] else None for k in ("p50", "p95", "rps")}
    result["ratio_to_trivial_rps_4"] = round(result["ours_4"]["rps"] / result["trivial_4"]["rps"], 3)
    return result


def build_both(size: int, workdir: Path) -> tuple[dict, Path, Path, Path]:
    corpus, index = workdir / f"corpus-{size}", workdir / f"index-{size}"
    peer_dir, db = workdir / f"peer-{size}", workdir / f"fts5-{size}.sqlite"
    if not corpus.exists():
        synth.generate(size, corpus)
    shutil.rmtree(index, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BULLETIN_DATA": str(workdir / "data")}
    floor = jieba_floor(corpus)
    build_seconds, build_rss = timed_child([sys.executable, "-m", "bulletin", "reindex", "--corpus", str(corpus),
                                            "--index", str(index)], env)  # fmt: skip
    write_articles(corpus, peer_dir)
    peer_seconds, _ = timed_child([sys.executable, str(HERE / "fts5_peer.py"), "build", str(peer_dir), str(db)])
    from indexer import SearchService
    from indexer.storage.store import IndexStore

    generation = IndexStore(index).current()
    articles = SearchService(index).verify()["articles"]
    build = {
        "articles": articles,
        "seconds": round(build_seconds, 1),
        "articles_per_s": round(articles / build_seconds, 1),
        "jieba_alone_seconds": round(floor, 1),
        "ratio_to_jieba": round(build_seconds / floor, 2),
        "fts5_seconds": round(peer_seconds, 1),
        "peak_rss_mb": build_rss,
        "index_mb": round(sum(f.stat().st_size for f in generation.rglob("*") if f.is_file()) / 1e6, 1),
        "fts5_mb": round(db.stat().st_size / 1e6, 1),
    }
    extra = synth.extra_issue(workdir)
    ingest, _ = timed_child([sys.executable, "-m", "bulletin", "ingest", str(extra), "--corpus", str(corpus),
                             "--index", str(index)], env)  # fmt: skip
    build["ingest_seconds"] = round(ingest, 2)
    return build, corpus, index, db


def run(size: int, workdir: Path, seconds: float, repeat: int, cold_sizes: dict[str, int] = COLD) -> dict:
    build, corpus, index, db = build_both(size, workdir)
    result: dict = {"size": size, "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]}}
    result["build"] = build
    names = titles(workdir / f"peer-{size}" / "articles.jsonl")
    first = cold_sizes["in_process"]
    pieces = piece_mix(names, first + cold_sizes["pieces"])
    cold = {"pieces": pieces[first:], "words": word_mix(corpus, cold_sizes["words"])}
    result["cold_queries"] = {mix: len(queries) for mix, queries in cold.items()}
    ours, peer, service = clients(workdir, db, corpus, index)
    try:
        result["in_process"] = in_process(ours, peer, pieces[:first], repeat)
    finally:
        service.close()
    ours_server, peer_server = serve_both(workdir, corpus, index, db)
    try:
        result["http"] = over_http(ours_server, peer_server, cold, seconds)
    finally:
        ours_server.stop()
        peer_server.stop()
    return result


def table(result: dict) -> str:
    b, ip, h = result["build"], result["in_process"], result["http"]
    rows = [
        ("articles", f"{b['articles']}"),
        (
            "full rebuild",
            f"{b['seconds']} s ({b['articles_per_s']}/s); jieba alone {b['jieba_alone_seconds']} s, "
            f"ratio {b['ratio_to_jieba']}; fts5 peer {b['fts5_seconds']} s",
        ),
        ("ingest one issue", f"{b['ingest_seconds']} s"),
        ("index size / build peak RSS", f"{b['index_mb']} MB (fts5 {b['fts5_mb']} MB) / {b['peak_rss_mb']} MB"),
    ]
    for mix in ("cold", "warm"):
        o, f, r = ip[mix]["ours"], ip[mix]["fts5"], ip[mix]["ratio"]
        rows.append((f"in process, {mix}, p50/p95 ms",
                     f"ours {o['p50']}/{o['p95']}; fts5 {f['p50']}/{f['p95']}; ratios {r['p50']}/{r['p95']}"))  # fmt: skip
    second = ip["cold_second_ours"]
    rows.append(("in process, cold pieces again", f"ours {second['p50']}/{second['p95']}"))
    for kind, ms in ip["meaning"].items():
        rows.append((f"  {kind}, median ms", f"understood {ms['understood']}; exact {ms['exact']}"))
    for phase in ("pieces", "words", 1, 4, 8):
        o, f, r = h[f"ours_{phase}"], h[f"fts5_{phase}"], h[f"ratio_{phase}"]
        label = f"HTTP 4 clients, cold {phase}" if isinstance(phase, str) else f"HTTP {phase} client(s), warm"
        rows.append((label, f"ours {o['rps']}/s p50 {o['p50']} p95 {o['p95']} ms; fts5 {f['rps']}/s p50 {f['p50']} "
                            f"p95 {f['p95']} ms; ratios rps {r['rps']} p50 {r['p50']} p95 {r['p95']}; "
                            f"errors {o['errors']}/{f['errors']}"))  # fmt: skip
    rows.append(
        ("trivial endpoint, 4 clients", f"{h['trivial_4']['rps']}/s; search/trivial {h['ratio_to_trivial_rps_4']}")
    )
    memory = lambda key: ", ".join(f"{m['pss']}/{m['uss']}" for m in h[key])  # noqa: E731
    rows.append(("worker PSS/USS MB", f"ours {memory('worker_memory_mb')}; fts5 {memory('fts5_worker_memory_mb')}"))
    rows.append(("serve to first answer", f"{h['serve_first_answer_s']} s"))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=20000, help="articles in the synthetic archive")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each warm HTTP load phase")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the warm mix in process")
    parser.add_argument("--cold", type=int, default=COLD["in_process"],
                        help="cold pieces in process (twice as many over HTTP, and six times as many words)")  # fmt: skip
    parser.add_argument("--workdir", type=Path, help="where corpora and indexes go (default: a temp folder)")
    parser.add_argument("--out", type=Path, help="JSON file (default benchmarks/results/<size>.json)")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bulletin-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    sizes = {"in_process": args.cold, "pieces": args.cold * 2, "words": args.cold * 6}
    result = run(args.size, workdir, args.seconds, args.repeat, sizes)
    out = args.out or HERE / "results" / f"{args.size}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(table(result))
    print(f"\nfigures written to {out}")
    return result


if __name__ == "__main__":
    main()
