"""Run the benchmark suite for one archive size; print a table and write the figures as JSON.

    python3 benchmarks/run.py --size 20000            # about 6 minutes on 2 cores
    python3 benchmarks/run.py --size 300 --seconds 1  # a smoke run

Everything is measured side by side in one run: the full rebuild against jieba alone segmenting the same
text, one ingest, the query mix in process and over HTTP against an SQLite FTS5 peer fed the same jieba
tokens and served by the same Falcon + gunicorn setup, with phases alternated, and a trivial endpoint.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
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

import fts5_peer  # noqa: E402
import synth  # noqa: E402

# The fixed query mix: single words, sub-words, two words, phrases, filters, date sort, browse.
QUERY_MIX: list[dict[str, str]] = [
    {"q": "执法记录仪"},
    {"q": "视频监控"},
    {"q": "城管通"},
    {"q": "记录仪"},
    {"q": "小广告"},
    {"q": "执法记录仪 怀柔"},
    {"q": "共享单车 西站"},
    {"q": '"视频监控系统"'},
    {"q": '"门前三包"'},
    {"q": "执法", "district": "朝阳"},
    {"q": "视频", "section": "区局动态"},
    {"q": "扬尘", "from": "2010", "to": "2012"},
    {"q": "执法记录仪", "sort": "date"},
    {"q": "", "district": "海淀"},
    {"q": "", "section": "它山之石"},
    {"q": "网络安全", "from": "2015"},
]


COLD_FILTERS = [{}, {}, {"district": "朝阳"}, {}, {"section": "区局动态"}, {}, {"from": "2015"}, {}]


def cold_mix(corpus: Path, count: int, sample: int = 3000) -> list[dict[str, str]]:
    """``count`` distinct searches for words none of the fixed mix uses, so that each is new to a worker's
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


def kwargs(params: dict[str, str]) -> dict[str, str | None]:
    return {
        "query": params.get("q", ""),
        "district": params.get("district"),
        "section": params.get("section"),
        "date_from": params.get("from"),
        "date_to": params.get("to"),
        "sort": params.get("sort", "relevance"),
    }


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
        """Resident and proportional (shared pages split) memory of each worker, in MB."""
        out = []
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            rss = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
            pss = int(next(line.split()[1] for line in rollup.splitlines() if line.startswith("Pss:")))
            out.append({"rss": rss // 1024, "pss": pss // 1024})
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
    latencies: list[float] = []
    errors = [0]
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = offset
        mine = []
        share = len(paths) // clients
        while time.perf_counter() < stop and len(mine) < limit:
            if once and i >= offset + share:
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
    starts = [k * (len(paths) // clients) if once else k * 3 for k in range(clients)]
    threads = [threading.Thread(target=client, args=(start,)) for start in starts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return {**percentiles(latencies), "rps": round(len(latencies) / elapsed, 1), "errors": errors[0]}


COLD_IN_PROCESS, COLD_HTTP = 200, 2400  # cold searches in process, and at most this many for HTTP (none asked twice)


def timed(function, **arguments) -> float:
    started = time.perf_counter()
    function(**arguments)
    return (time.perf_counter() - started) * 1000


def side_by_side(ours_ms: list[float], peer_ms: list[float]) -> dict:
    ours, peer = percentiles(ours_ms), percentiles(peer_ms)
    return {"ours": ours, "fts5": peer, "p95_ratio": round(ours["p95"] / peer["p95"], 2) if peer["p95"] else None}


def run(size: int, workdir: Path, seconds: float, repeat: int) -> dict:
    corpus = workdir / f"corpus-{size}"
    if not corpus.exists():
        synth.generate(size, corpus)
    index, db = workdir / f"index-{size}", workdir / f"fts5-{size}.sqlite"
    shutil.rmtree(index, ignore_errors=True)
    cli = [sys.executable, "-m", "bulletin"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result: dict = {"size": size, "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]}}

    floor = jieba_floor(corpus)
    build_seconds, build_rss = timed_child([*cli, "reindex", "--corpus", str(corpus), "--index", str(index)], env)
    from indexer import SearchService
    from indexer.storage.store import IndexStore

    generation = IndexStore(index).current()
    articles = SearchService(index).verify()["articles"]
    result["build"] = {
        "articles": articles,
        "seconds": round(build_seconds, 1),
        "articles_per_s": round(articles / build_seconds, 1),
        "jieba_alone_seconds": round(floor, 1),
        "ratio_to_jieba": round(build_seconds / floor, 2),
        "peak_rss_mb": build_rss,
        "index_mb": round(sum(f.stat().st_size for f in generation.iterdir()) / 1e6, 1),
    }
    fts5_seconds = fts5_peer.build(corpus, db)
    result["build"]["fts5_seconds"] = round(fts5_seconds, 1)

    extra = synth.extra_issue(workdir)
    ingest_seconds, _ = timed_child([*cli, "ingest", str(extra), "--corpus", str(corpus), "--index", str(index)], env)
    result["ingest_seconds"] = round(ingest_seconds, 2)

    cold = cold_mix(corpus, COLD_IN_PROCESS + COLD_HTTP)
    result["cold_queries"] = len(cold)
    archive, peer = SearchService(index), fts5_peer.Peer(db)
    # Cold first: each search's words are new to this process (the peer has no cache of its own to warm).
    ours_ms, peer_ms = [], []
    for params in cold[:COLD_IN_PROCESS]:
        ours_ms.append(timed(archive.search, **kwargs(params)))
        peer_ms.append(timed(peer.search, **kwargs(params)))
    result["in_process"] = {"cold": side_by_side(ours_ms, peer_ms)}
    for params in QUERY_MIX:  # warm both the same way
        archive.search(**kwargs(params))
        peer.search(**kwargs(params))
    ours_ms, peer_ms = [], []
    for _ in range(repeat):
        for params in QUERY_MIX:  # alternate, query by query
            ours_ms.append(timed(archive.search, **kwargs(params)))
            peer_ms.append(timed(peer.search, **kwargs(params)))
    result["in_process"]["warm"] = side_by_side(ours_ms, peer_ms)
    archive.close()

    cold_paths = ["/api/search?" + urllib.parse.urlencode(p) for p in cold[COLD_IN_PROCESS:]]
    paths = ["/api/search?" + urllib.parse.urlencode(p) for p in QUERY_MIX]
    ours_port, peer_port = free_port(), free_port()
    ours = Server([*cli, "serve", "--port", str(ours_port), "--workers", "2", "--corpus", str(corpus),
                   "--index", str(index)], ours_port, env)  # fmt: skip
    peer_server = Server([sys.executable, str(HERE / "fts5_peer.py"), str(db), str(peer_port)], peer_port, env)
    try:
        http_result: dict = {"serve_first_answer_s": round(ours.first_answer, 2)}
        for name, port in (("ours", ours_port), ("fts5", peer_port)):  # cold first, while each cache is empty
            http_result[f"{name}_cold_4"] = load(port, cold_paths, 4, seconds, once=True)
        for clients in (1, 4, 8):
            for name, port in (("ours", ours_port), ("fts5", peer_port)):  # phases alternated
                http_result[f"{name}_{clients}"] = load(port, paths, clients, seconds)
        http_result["trivial_4"] = load(ours_port, ["/healthz"], 4, seconds)
        http_result["worker_memory_mb"] = ours.memory()
        for clients in ("cold_4", 1, 4, 8):
            ours_c, peer_c = http_result[f"ours_{clients}"], http_result[f"fts5_{clients}"]
            http_result[f"ratio_{clients}"] = {
                "p95": round(ours_c["p95"] / peer_c["p95"], 2) if peer_c["p95"] else None,
                "rps": round(ours_c["rps"] / peer_c["rps"], 2) if peer_c["rps"] else None,
            }
        http_result["ratio_to_trivial_rps_4"] = round(http_result["ours_4"]["rps"] / http_result["trivial_4"]["rps"], 3)
    finally:
        ours.stop()
        peer_server.stop()
    result["http"] = http_result
    return result


def table(result: dict) -> str:
    b, ip, h = result["build"], result["in_process"], result["http"]
    rows = [
        ("articles", f"{b['articles']}"),
        (
            "full rebuild",
            f"{b['seconds']} s ({b['articles_per_s']}/s); jieba alone {b['jieba_alone_seconds']} s; ratio {b['ratio_to_jieba']}",
        ),
        ("FTS5 peer build", f"{b['fts5_seconds']} s"),
        ("ingest one issue", f"{result['ingest_seconds']} s"),
        ("index size / build peak RSS", f"{b['index_mb']} MB / {b['peak_rss_mb']} MB"),
    ]
    for mix in ("cold", "warm"):
        o, f = ip[mix]["ours"], ip[mix]["fts5"]
        rows.append(
            (
                f"in process, {mix} mix, p50/p95/p99 ms",
                f"ours {o['p50']}/{o['p95']}/{o['p99']}; fts5 {f['p50']}/{f['p95']}/{f['p99']}; p95 ratio {ip[mix]['p95_ratio']}",
            )
        )
    for clients in ("cold_4", 1, 4, 8):
        o, f, r = h[f"ours_{clients}"], h[f"fts5_{clients}"], h[f"ratio_{clients}"]
        rows.append(
            (
                f"HTTP {clients} client(s)" if clients != "cold_4" else "HTTP 4 clients, cold mix",
                f"ours p50 {o['p50']} p95 {o['p95']} ms {o['rps']}/s; fts5 p50 {f['p50']} p95 {f['p95']} ms {f['rps']}/s; ratios p95 {r['p95']} rps {r['rps']}; errors {o['errors']}/{f['errors']}",
            )
        )
    rows.append(
        ("trivial endpoint, 4 clients", f"{h['trivial_4']['rps']}/s; search/trivial {h['ratio_to_trivial_rps_4']}")
    )
    rows.append(("workers RSS / PSS MB", ", ".join(f"{m['rss']}/{m['pss']}" for m in h["worker_memory_mb"])))
    rows.append(("serve to first answer", f"{h['serve_first_answer_s']} s"))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=20000, help="articles in the synthetic archive")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each HTTP load phase")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the query mix in process")
    parser.add_argument("--workdir", type=Path, help="where corpora and indexes go (default: a temp folder)")
    parser.add_argument("--out", type=Path, help="JSON file (default benchmarks/results/<size>.json)")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bulletin-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    result = run(args.size, workdir, args.seconds, args.repeat)
    out = args.out or HERE / "results" / f"{args.size}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(table(result))
    print(f"\nfigures written to {out}")
    return result


if __name__ == "__main__":
    main()
