"""The real first issue parses to exactly its listed articles, each in the right place."""

from __future__ import annotations

import re

import pytest

from archive import read_file

# (section, unit, area, page) for each of the 30 articles the contents lists, in order.
EXPECTED = [
    ("热点解读", None, None, 3),
    ("市局信息", "科技信息中心", "全市", 5),
    ("应用亮点", "西城局", "西城区", 7),
    ("应用亮点", "朝阳局", "朝阳区", 7),
    ("应用亮点", "丰台局", "丰台区", 8),
    ("应用亮点", "门头沟局", "门头沟区", 8),
    ("应用亮点", "房山局", "房山区", 9),
    ("应用亮点", "房山局", "房山区", 9),
    ("应用亮点", "通州局", "通州区", 10),
    ("应用亮点", "顺义局", "顺义区", 10),
    ("应用亮点", "昌平局", "昌平区", 11),
    ("应用亮点", "大兴局", "大兴区", 11),
    ("应用亮点", "怀柔局", "怀柔区", 12),
    ("应用亮点", "怀柔局", "怀柔区", 13),
    ("应用亮点", "延庆局", "延庆区", 13),
    ("应用亮点", "西站分局", "西站地区", 14),
    ("区局动态", "东城局", "东城区", 15),
    ("区局动态", "西城局", "西城区", 15),
    ("区局动态", "石景山局", "石景山区", 15),
    ("区局动态", "昌平局", "昌平区", 16),
    ("区局动态", "大兴局", "大兴区", 16),
    ("区局动态", "大兴局", "大兴区", 17),
    ("区局动态", "怀柔局", "怀柔区", 18),
    ("区局动态", "怀柔局", "怀柔区", 18),
    ("区局动态", "平谷局", "平谷区", 19),
    ("区局动态", "密云局", "密云区", 19),
    ("区局动态", "延庆局", "延庆区", 19),
    ("区局动态", "燕山分局", "燕山地区", 20),
    ("区局动态", "西站分局", "西站地区", 20),
    ("它山之石", "深圳", None, 22),
]


@pytest.fixture(scope="module")
def parsed(seed_path):
    return read_file(seed_path)


def test_masthead(parsed):
    issue = parsed.issue
    assert (issue.id, issue.year, issue.number) == ("2017-06", 2017, 6)
    assert issue.date.isoformat() == "2017-06-10"
    assert issue.publisher == "北京市城管执法局科技信息中心"
    assert issue.sections == ("刊首语", "热点解读", "市局信息", "应用亮点", "区局动态", "它山之石")
    assert issue.source_name == "2017-06.md"
    assert re.fullmatch(r"[0-9a-f]{64}", issue.sha256)


def test_every_listed_article_once_plus_editorial(parsed):
    articles = parsed.issue.articles
    assert len(articles) == 31
    editorial, *listed = articles
    assert editorial.editorial and editorial.section == "刊首语" and editorial.page == 2
    assert not any(a.editorial for a in listed)
    assert [(a.section, a.unit, a.district, a.page) for a in listed] == EXPECTED
    toc_titles = [e.title for e in parsed.issue.toc if not e.is_section]
    assert [a.toc_title for a in listed] == toc_titles
    assert len({a.id for a in articles}) == 31
    assert [a.ordinal for a in articles] == list(range(1, 32))


def test_ids_are_stable_and_derived_from_issue_and_place(parsed, seed_path):
    assert [a.id for a in parsed.issue.articles[:3]] == ["2017-06-a01", "2017-06-a02", "2017-06-a03"]
    again = read_file(seed_path).issue
    assert [(a.id, a.title) for a in again.articles] == [(a.id, a.title) for a in parsed.issue.articles]


def test_other_city_is_a_place_not_a_district(parsed):
    shenzhen = parsed.issue.articles[-1]
    assert shenzhen.place == "深圳" and shenzhen.district is None
    assert all(a.place == "北京" for a in parsed.issue.articles if a.district)


def test_body_title_kept_when_it_differs_from_toc(parsed):
    tongzhou = next(a for a in parsed.issue.articles if a.unit == "通州局")
    assert tongzhou.title == "通州局：借助科技手段 圆满完成高峰论坛环境保护工作"
    assert tongzhou.toc_title == "通州局：借助科技手段 圆满完成高峰论坛环境保障工作"
    assert any(w.kind == "title-mismatch" and w.line == 132 for w in parsed.warnings)


def test_subheadings_stay_inside_the_article(parsed):
    shenzhen = parsed.issue.articles[-1]
    subheadings = [p.text for p in shenzhen.paragraphs if p.kind == "subheading"]
    assert subheadings == [
        "打造数据城市 人人都是参与者",
        "实施织网工程 让大数据服务城市治理",
        "建设智慧项目 为人们提供便利化生活",
        "留住青年人才 城市才有未来",
    ]
    assert shenzhen.source == "（摘编自：贵阳日报）"
    assert parsed.issue.articles[1].source == "（摘编自：中国政府网）"
    assert all("摘编自" not in p.text for a in parsed.issue.articles for p in a.paragraphs)


@pytest.mark.parametrize(
    "repaired",
    [
        "部署全面推进各级行政机关政务公开工作。",
        "在市局各级领导高度重视和指挥部署下，科技信息中心及时应对",
        "跟踪了解局内病毒防控工作，并对具体应对做出指示",
        "专业执法设备的作用，在依法查处露天烧烤",
        "综合运用“罚、扣、拘、停”等执法手段，进行综合行政处罚",
        "实时动态上传指挥部",
        "过去需要跑七八个部门重复填写各种信息",
        "立即启动网络信息安全应急预案",
    ],
)
def test_page_break_repairs_read_as_continuous_sentences(parsed, repaired):
    assert sum(repaired in a.text for a in parsed.issue.articles) == 1


def test_every_repair_is_reported_with_its_line(parsed):
    joins = {w.line for w in parsed.warnings if w.kind in ("join", "repeat")}
    assert {70, 86, 92, 164, 202, 252} <= joins
    assert all(w.line for w in parsed.warnings)


def test_no_footer_or_page_number_inside_articles(parsed):
    for article in parsed.issue.articles:
        for paragraph in article.paragraphs:
            assert "欢迎投稿" not in paragraph.text
            assert "keji.bjcg.gov.cn" not in paragraph.text
            assert not re.fullmatch(r"\s*\d{1,3}\s*", paragraph.text)
            assert paragraph.text.strip()
