"""A small run of the benchmark suite, so that it cannot rot. Targets live in benchmarks/, not here."""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

# Starts servers, browsers or subprocesses: left out of the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow


def test_benchmark_suite_runs_end_to_end(tmp_path):
    import run

    result = run.main(
        [
            "--size",
            "300",
            "--seconds",
            "0.5",
            "--repeat",
            "1",
            "--workdir",
            str(tmp_path),
            "--out",
            str(tmp_path / "r.json"),
        ]
    )
    build, http = result["build"], result["http"]
    assert build["articles"] == 300 and build["seconds"] > 0 and build["jieba_alone_seconds"] > 0
    assert build["index_mb"] > 0 and build["peak_rss_mb"] > 0 and result["ingest_seconds"] > 0
    warm, cold = result["in_process"]["warm"], result["in_process"]["cold"]
    assert warm["ours"]["n"] == len(run.QUERY_MIX) == warm["fts5"]["n"]
    assert cold["ours"]["n"] == cold["fts5"]["n"] > 0 and result["cold_queries"] > cold["ours"]["n"]
    for clients in ("cold_4", 1, 4, 8):
        assert http[f"ours_{clients}"]["rps"] > 0 and http[f"ours_{clients}"]["errors"] == 0
        assert http[f"fts5_{clients}"]["rps"] > 0 and http[f"fts5_{clients}"]["errors"] == 0
    assert http["trivial_4"]["rps"] > 0 and len(http["worker_memory_mb"]) == 2
    assert (tmp_path / "r.json").exists()


def test_synthetic_archive_is_deterministic_and_reads_like_any_issue(tmp_path):
    import synth

    from archive import read_file

    first, second = synth.generate(60, tmp_path / "a"), synth.generate(60, tmp_path / "b")
    files = sorted(p.relative_to(first) for p in first.rglob("*.md"))
    assert files == sorted(p.relative_to(second) for p in second.rglob("*.md")) and len(files) == 2
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    issue = read_file(first / files[-1]).issue
    assert issue.id == "2017-06" and len(issue.articles) == 30
    assert {a.section for a in issue.articles} == {"刊首语", "热点解读", "市局信息", "应用亮点", "区局动态", "它山之石"}
    assert all(a.district or a.place for a in issue.articles if not a.editorial)
