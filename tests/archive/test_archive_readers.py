"""Each reader and encoding yields the same faithful model."""

from __future__ import annotations

import codecs

import pytest

from archive import read_bytes, read_file


def _model(parsed):
    return [
        (a.id, a.section, a.title, a.unit, a.district, a.place, a.page, a.paragraphs, a.source)
        for a in parsed.issue.articles
    ]


def test_plain_text_issue(fixtures):
    parsed = read_file(fixtures / "plain-2018-03.txt")
    issue = parsed.issue
    assert parsed.form == "text"
    assert (issue.id, issue.date.isoformat()) == ("2018-03", "2018-03-15")
    assert [a.title for a in issue.articles] == [
        "刊首语",
        "科技信息中心：完成800M数字集群系统升级",
        "海淀局：利用执法城管通APP整治共享单车乱停放",
        "朝阳局：PM2.5监测设备接入指挥平台",
        "西站分局：开展春运期间站区环境保障工作",
        "杭州：城市大脑助力交通治理",
    ]
    haidian = issue.articles[2]
    assert haidian.text == (
        "海淀局利用执法城管通APP采集共享单车乱停放点位，每日推送给运营企业，累计处置3G回传视频线索96310条。"
    )
    hangzhou = issue.articles[-1]
    assert [p.kind for p in hangzhou.paragraphs] == ["text", "subheading", "text"]
    assert hangzhou.source == "（来源：杭州日报）"
    assert (hangzhou.place, hangzhou.district) == ("杭州", None)


def test_html_issue_matches_the_text_form(fixtures):
    html = read_file(fixtures / "html-2018-03.html")
    text = read_file(fixtures / "plain-2018-03.txt")
    assert html.form == "html"
    assert _model(html) == _model(text)


def test_html_chrome_never_reaches_an_article(fixtures):
    issue = read_file(fixtures / "html-2018-03.html").issue
    everything = "\n".join(a.title + a.text + (a.source or "") for a in issue.articles)
    for chrome in ("首页", "tracker", "勿入正文", "相关文章", "往期文章", "版权所有", "console.log", "font-family"):
        assert chrome not in everything
    assert "依托“天眼”监控系统" in everything  # &ldquo; &rdquo; decoded


def test_gb18030_issue_with_characters_outside_gb2312(fixtures):
    parsed = read_file(fixtures / "gb18030-2016-12.txt")
    issue = parsed.issue
    assert parsed.encoding == "gb18030"
    assert (issue.id, issue.number) == ("2016-12", 12)  # 第十二期
    assert issue.articles[0].title == "执法总队：王堃同志获评科技装备先进个人"
    assert issue.articles[0].district == "全市"
    assert "镕铸新风尚" in issue.articles[2].text
    assert issue.articles[1].district == "密云区"  # 密云县局 before the county became a district
    assert issue.articles[2].district == "西城区"  # 宣武, merged into 西城 in 2010: filed under today's area
    assert any(w.kind == "title-join" for w in parsed.warnings)


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, b""])
def test_utf8_with_and_without_bom(fixtures, bom):
    data = (fixtures / "plain-2018-03.txt").read_bytes()
    parsed = read_bytes(bom + data, "issue.txt")
    assert _model(parsed) == _model(read_file(fixtures / "plain-2018-03.txt"))


def test_gbk_bytes_of_the_same_issue_give_the_same_model(fixtures):
    text = (fixtures / "plain-2018-03.txt").read_text(encoding="utf-8")
    parsed = read_bytes(text.encode("gbk"), "issue.txt")
    assert parsed.encoding == "gb18030"
    assert _model(parsed) == _model(read_file(fixtures / "plain-2018-03.txt"))


def test_issue_without_contents_parses_by_unit_titles_with_a_warning(fixtures):
    parsed = read_file(fixtures / "notoc-2019-01.md")
    titles = [a.title for a in parsed.issue.articles]
    assert titles == ["东城局：试点“街巷长”APP", "丰台局：执法城管通升级为4G版本", "上海：“一网统管”城市运行平台"]
    assert parsed.issue.articles[0].paragraphs[1].kind == "subheading"
    assert parsed.warnings[0].kind == "no-toc"


def test_html_without_a_file_suffix_is_sniffed(fixtures):
    data = (fixtures / "html-2018-03.html").read_bytes()
    assert read_bytes(data, "upload").form == "html"
