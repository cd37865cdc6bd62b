"""Candidate new terms: word-like strings of an issue that the dictionary lacks, judged by hand."""

from __future__ import annotations

import dataclasses

import jieba
import pytest
from conftest import SEED

from archive import Paragraph, read_file
from indexer import candidate_terms
from indexer.language.wordlists import domain_words, shipped_file

# Judged by reading the corpus issue: strings staff would want jieba to keep whole (the bulletin's field
# terms, systems and products, coinages), beside the shipped domain dictionary's words, which are judged terms
# already. Anything else in a list is counted as a miss.
TERMS = {
    "执法队", "执法队员", "行政执法", "众包", "手台", "车巡", "科技手段", "织网工程", "永恒之蓝", "相对人",
    "公共机构", "数据资源", "信息资源", "开放目录", "执法力量", "全程录像", "专项执法", "音视频设备",
}  # fmt: skip
# Strings a list must never hold: a unit's last character with the verb after it, a verb with its object, a
# word with what follows it, enumerations, locality words, the units themselves.
FRAGMENTS = {
    "局利用", "二是", "一是", "过程中", "在深圳", "峰会期间", "第一时间", "利用科技装备", "发挥科技装备",
    "让大数据", "陆续出台", "领导高度重视", "借助科技手段", "怀柔局", "西城局", "西站分局", "科技信息中心",
    "保障工作", "利用科技手段", "设备升级改造", "会议室多媒体", "多媒体音视频",
}  # fmt: skip


def judged() -> set[str]:
    lines = shipped_file("userdict.txt").read_text(encoding="utf-8").splitlines()
    return TERMS | {line.split()[0] for line in lines if line.strip() and not line.startswith("#")}


@pytest.fixture(scope="module")
def seed():
    return read_file(SEED).issue


@pytest.fixture(scope="module")
def bare():
    """jieba with its own dictionary only: the issue as if none of its terms had been added yet."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def precision(terms) -> float:
    return sum(t.text in judged() for t in terms) / len(terms)


def test_terms_new_to_jieba_are_found_and_the_top_fifteen_are_terms(seed, bare):
    top = candidate_terms(seed, 15, bare)
    assert len(top) == 15
    assert precision(top) >= 0.8, [t.text for t in top if t.text not in judged()]
    assert not FRAGMENTS & {t.text for t in candidate_terms(seed, 100, bare)}
    listed = {t.text: t for t in top}
    assert listed["执法城管通"].count == 17 and listed["执法城管通"].pieces == ("执法", "城管", "通")
    # A longer term holding nearly every occurrence of a shorter one stands for it (城管通 inside 执法城管通).
    assert "城管通" not in listed


def test_with_the_domain_dictionary_what_is_left_is_terms(seed):
    terms = candidate_terms(seed, 15)
    assert terms and precision(terms) >= 0.8, [t.text for t in terms if t.text not in judged()]
    assert not FRAGMENTS & {t.text for t in candidate_terms(seed, 100)}
    assert not {t.text for t in terms} & {word for word, _ in domain_words()}


def test_a_unit_before_a_verb_and_a_verb_before_its_object_are_not_terms(seed, bare):
    """The corpus issue where 怀柔局 keeps doing things (怀柔局利用…, 怀柔局推广…) and a coinage recurs: the
    coinage is found; the unit's last character with the verb, the verb with its object and the unit are not."""
    sentences = [
        "怀柔局利用巡检宝对重点区域开展检查。",
        "门头沟局利用巡检宝记录问题，巡检宝回传照片。",
        "怀柔局推广巡检宝，队员使用巡检宝上报。",
        "各队加强巡检宝应用，巡检宝运行稳定。",
    ]
    articles = [
        dataclasses.replace(a, paragraphs=(*a.paragraphs, Paragraph(sentences[i % len(sentences)])))
        for i, a in enumerate(seed.articles)
    ]
    issue = dataclasses.replace(seed, articles=tuple(articles))
    found = {t.text for t in candidate_terms(issue, 50, bare)}
    assert "巡检宝" in found
    assert not found & {"局利用", "利用巡检宝", "怀柔局", "门头沟局", "加强巡检宝", "使用巡检宝", "推广巡检宝"}


def test_a_file_of_many_megabytes_is_measured_by_its_beginning(seed):
    from indexer.language.terms import MAX_CHARS, _runs

    big = dataclasses.replace(
        seed, articles=tuple(dataclasses.replace(a, paragraphs=a.paragraphs * 60) for a in seed.articles)
    )
    assert sum(len(r) for r in _runs(seed)) < MAX_CHARS < sum(len(a.text) for a in big.articles)
    assert sum(len(r) for r in _runs(big)) == MAX_CHARS
