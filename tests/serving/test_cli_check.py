"""`bulletin check` reports what it parsed, in Chinese, and writes nothing."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from bulletin.cli import main


def test_check_summarises_the_corpus(seed_path):
    result = CliRunner().invoke(main, ["check", "--corpus", str(seed_path.parent.parent)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "2017年第6期" in out and "2017年6月10日" in out
    assert "【区局动态】 13 篇" in out and "【应用亮点】 14 篇" in out
    assert "共 31 篇" in out
    assert "第 164 行：删除页面断开处重复的“用”" in out


def test_check_json_prints_the_parsed_issue(seed_path):
    result = CliRunner().invoke(main, ["check", str(seed_path), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["id"] == "2017-06" and data["date"] == "2017-06-10"
    first = data["articles"][3]
    assert set(first) >= {"id", "title", "section", "unit", "district", "place", "page", "paragraphs", "source"}
    assert (first["unit"], first["district"], first["place"], first["page"]) == ("西城局", "西城区", "北京", 7)
    assert data["warnings"][0]["line"] == 70


def test_check_several_files_writes_nothing(tmp_path, seed_path, fixtures):
    for path in (seed_path, fixtures / "plain-2018-03.txt"):
        shutil.copy(path, tmp_path / path.name)
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    result = CliRunner().invoke(main, ["check", *map(str, sorted(tmp_path.iterdir())), "--json"])
    assert result.exit_code == 0
    assert [d["id"] for d in json.loads(result.output)] == ["2017-06", "2018-03"]
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_check_on_an_empty_corpus_says_what_to_do(tmp_path):
    result = CliRunner().invoke(main, ["check", "--corpus", str(tmp_path)])
    assert result.exit_code != 0 and "没有简报文件" in result.output
