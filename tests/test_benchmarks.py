"""A small run of the benchmark suite, so that it cannot rot. Targets live in benchmarks/, not here."""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

# Starts servers, browsers or subprocesses: left out of the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow


def test_benchmark_suite_runs_end_to_end(tmp_path):
    import mixes
    import run

    result = run.main(
        [
            "--size",
            "300",
            "--seconds",
            "0.5",
            "--repeat",
            "1",
            "--cold",
            "30",
            "--workdir",
            str(tmp_path),
            "--out",
            str(tmp_path / "r.json"),
        ]
    )
    build, http, in_process = result["build"], result["http"], result["in_process"]
    assert build["articles"] == 300 and build["seconds"] > 0 and build["jieba_alone_seconds"] > 0
    assert build["index_mb"] > 0 and build["peak_rss_mb"] > 0 and build["ingest_seconds"] > 0
    assert build["fts5_seconds"] > 0 and build["fts5_mb"] > 0
    warm, cold = in_process["warm"], in_process["cold"]
    assert warm["ours"]["n"] == len(run.QUERY_MIX) == warm["fts5"]["n"]
    assert cold["ours"]["n"] == cold["fts5"]["n"] == 30
    assert in_process["cold_second_ours"]["n"] == 30
    assert set(in_process["meaning"]) == set(mixes.MEANING_MIX)
    assert all(ms["understood"] > 0 and ms["exact"] > 0 for ms in in_process["meaning"].values())
    assert result["cold_queries"]["pieces"] == 60 and result["cold_queries"]["words"] > 0
    for phase in ("pieces", "words", 1, 4, 8):
        assert http[f"ours_{phase}"]["rps"] > 0 and http[f"ours_{phase}"]["errors"] == 0
        assert http[f"fts5_{phase}"]["rps"] > 0 and http[f"fts5_{phase}"]["errors"] == 0
    assert http["ours_pieces"]["n"] == 60 == http["fts5_pieces"]["n"]  # each asked once, every one answered
    assert http["trivial_4"]["rps"] > 0 and len(http["worker_memory_mb"]) == 2 == len(http["fts5_worker_memory_mb"])
    assert all(m["pss"] > 0 and m["uss"] > 0 for m in http["worker_memory_mb"])
    assert (tmp_path / "r.json").exists() and "cold pieces" in run.table(result)


def test_piece_mix_is_pieces_of_titles_pairs_and_filters(articles):
    from mixes import piece_mix

    names = [a.title for a in articles]  # the corpus issue's 25 titles
    mix = piece_mix(names, 200, seed=3)
    assert len({tuple(sorted(p.items())) for p in mix}) == 200
    for params in mix:
        pieces = params["q"].split(" ")
        assert 1 <= len(pieces) <= 2 and all(2 <= len(x) <= 4 and any(x in t for t in names) for x in pieces)
    pairs = sum(" " in p["q"] for p in mix) / len(mix)
    filtered = sum(len(p) > 1 for p in mix) / len(mix)
    assert 0.3 < pairs < 0.5 and 0.15 < filtered < 0.35
    assert piece_mix(names, 50, seed=3) == mix[:50]  # deterministic


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
