"""Bad input gets one clear error naming the file (and line), never a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import (
    ArchiveError,
    MissingFieldError,
    NotABulletinError,
    TocMismatchError,
    UnreadableFileError,
    UnsupportedFormatError,
    read_bytes,
)
from bulletin.cli import main

GOOD = (
    "北京城管科技信息动态\n2018年第3期\n2018年3月15日\n\n"
    "【区局动态】\t3\n海淀局：测试文章\t3\n\n【区局动态】\n\n海淀局：测试文章\n\n正文。\n"
)

CASES = {
    "empty": (b"", "issue.txt", UnreadableFileError, "文件为空"),
    "blank": (b"  \n\n \t\n", "issue.txt", UnreadableFileError, "文件为空"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "issue.txt", UnreadableFileError, "二进制"),
    "big5": (GOOD.replace("北京", "臺灣").encode("big5", "ignore"), "issue.txt", UnreadableFileError, "编码"),
    "latin1": (("Café, naïve, façade, résumé à la carte. " * 5).encode("latin-1"), "issue.txt",
               UnreadableFileError, "编码"),
    "no-number": (GOOD.replace("2018年第3期\n", "").encode(), "issue.txt", MissingFieldError, "期号"),
    "no-date": (GOOD.replace("2018年3月15日\n", "").encode(), "issue.txt", MissingFieldError, "出版日期"),
    "bad-date": (GOOD.replace("3月15日", "2月30日").encode(), "issue.txt", MissingFieldError, "不是有效日期"),
    "toc-missing": (GOOD.replace("海淀局：测试文章\n\n正文", "另一个标题很不一样的东西\n\n正文").encode(),
                    "issue.txt", TocMismatchError, "海淀局：测试文章"),
    "not-bulletin-html": (
        b"<html><head><title>Welcome</title></head>"
        b"<body><nav>Home</nav><h1>Hello</h1><p>Just a page.</p></body></html>",
        "page.html", NotABulletinError, "不是一期简报"),
    "unsupported": (b"MZ\x90\x00", "issue.exe", UnsupportedFormatError, ".exe"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_bad_input_gets_one_clear_error(case):
    data, name, error, words = CASES[case]
    with pytest.raises(error) as info:
        read_bytes(data, name)
    message = str(info.value)
    assert name in message and words in message
    assert "重试" in message or "请" in message  # says what to do


def test_toc_mismatch_names_the_contents_line():
    data, name, _, _ = CASES["toc-missing"]
    with pytest.raises(TocMismatchError) as info:
        read_bytes(data, name)
    assert info.value.line == 6 and "第 6 行" in str(info.value)


@pytest.mark.parametrize("case", ["empty", "binary", "no-date", "toc-missing", "not-bulletin-html"])
def test_check_command_fails_cleanly(tmp_path, case):
    data, name, _, words = CASES[case]
    path = tmp_path / name
    path.write_bytes(data)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert str(path) in result.output and words in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an escaped error
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def _mutations(seed: bytes):
    lines = seed.split(b"\n")
    return st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=500).map(lambda t: t.encode("utf-8")),
        st.lists(st.sampled_from(lines), max_size=120).map(b"\n".join),
        st.tuples(st.integers(0, len(seed)), st.binary(max_size=40)).map(lambda t: seed[: t[0]] + t[1] + seed[t[0] :]),
        st.tuples(st.integers(0, len(seed)), st.integers(0, 4000)).map(lambda t: seed[: t[0]] + seed[t[0] + t[1] :]),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), name=st.sampled_from(["x.md", "x.txt", "x.html", "x", "x.pdf", "x.docx"]))
def test_random_and_mutated_input_raises_only_archive_errors(seed_path, data, name):
    blob = data.draw(_mutations(seed_path.read_bytes()))
    try:
        parsed = read_bytes(blob, name)
    except ArchiveError as exc:
        assert str(exc)
    else:
        assert parsed.issue.articles
