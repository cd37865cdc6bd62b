"""Each repair rule of conversion damage, alone and inside a parsed issue."""

from __future__ import annotations

import pytest

from archive import read_bytes
from archive.furniture import is_page_number, is_running_header
from archive.structure.repair import continuation, is_complete

HEAD = (
    "北京城管科技信息动态\n2018年第3期\n2018年3月15日\n\n"
    "【区局动态】\t3\n海淀局：测试文章\t3\n\n【区局动态】\n\n海淀局：测试文章\n\n"
)


def _body(text: str):
    parsed = read_bytes((HEAD + text).encode("utf-8"), "t.txt")
    return parsed.issue.articles[0], parsed.warnings


def test_paragraph_broken_mid_sentence_is_joined():
    assert continuation("…等执法手", "段，进行综合行政处罚").text == "…等执法手段，进行综合行政处罚"


def test_fragment_repeated_across_the_break_is_removed_once():
    join = continuation("…专业执法设备的作用", "用，在依法查处…")
    assert (join.text, join.dropped) == ("…专业执法设备的作用，在依法查处…", "用")


def test_complete_paragraph_is_not_joined():
    assert continuation("工作顺利完成。", "二是加强管理。") is None
    assert is_complete("…确保了市局网络和系统安全。”")
    assert not is_complete("…称为“云端号”")


def test_ascii_words_joined_across_a_break_keep_a_space():
    assert continuation("防范 WannaCry", "ransomware 攻击。").text == "防范 WannaCry ransomware 攻击。"


@pytest.mark.parametrize("text", ["3", "- 12 -", "— 5 —", "第 7 页", "第3页 共22页"])
def test_page_numbers_are_recognised(text):
    assert is_page_number(text)


@pytest.mark.parametrize("text", ["2017年", "96310", "一是加强管理"])
def test_text_is_not_a_page_number(text):
    assert not is_page_number(text)


def test_running_header_is_recognised():
    assert is_running_header("北京城管科技信息动态 2018年第3期", "北京城管科技信息动态", "2018年第3期")
    assert not is_running_header("北京城管科技信息动态的编辑部开展培训工作。", "北京城管科技信息动态", "2018年第3期")


def test_page_number_and_header_between_halves_are_dropped_and_halves_joined():
    article, warnings = _body("海淀局利用执法城管\n\n- 2 -\n\n北京城管科技信息动态 2018年第3期\n\n通APP采集点位。\n")
    assert article.text == "海淀局利用执法城管通APP采集点位。"
    assert [w.kind for w in warnings] == ["page-number", "running-header", "join"]
    assert [w.line for w in warnings] == [14, 16, 18]


def test_site_footer_after_the_last_article_is_dropped():
    article, warnings = _body(
        "正文一段。\n\n---\n\n北京城管科技信息动态：http://keji.bjcg.gov.cn\n\n欢迎投稿：科技信息\n"
    )
    assert article.text == "正文一段。"
    assert warnings[-1].kind == "footer"


def test_running_footer_inside_the_body_is_dropped():
    article, warnings = _body("正文一段，\n\n欢迎投稿：业务管理>工作动态\n\n继续下去。\n")
    assert article.text == "正文一段，继续下去。"
    assert "footer" in [w.kind for w in warnings]


def test_leading_punctuation_continues_the_previous_paragraph():
    article, _ = _body("事件发生后第一时间了解工作。\n\n，并做出指示。\n")
    assert article.text == "事件发生后第一时间了解工作，并做出指示。"
