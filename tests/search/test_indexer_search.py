"""Search over a real index: recall, precision, query language, filters, facets, sorts, snippets."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer import QueryError
from indexer.engine.request import MAX_QUERY

CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def ids(result):
    return {h.id for h in result.hits}


def containing(articles, text):
    return {a.id for a in articles if text in a.title or text in a.text}


def everything(archive, query, **filters):
    return archive.search(query, per_page=100, **filters)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_contiguous_piece_of_an_article_finds_exactly_the_articles_containing_it(archive, articles, data):
    article = data.draw(st.sampled_from(articles))
    runs = CJK_RUN.findall(article.title + "\n" + article.text)
    run = data.draw(st.sampled_from(runs))
    start = data.draw(st.integers(0, len(run) - 2))
    piece = run[start : start + data.draw(st.integers(2, 8))]
    assert article.id in ids(everything(archive, piece))  # recall, whatever the dictionary says
    exact = everything(archive, f'"{piece}"')
    assert ids(exact) == containing(articles, piece)  # precision: no article that merely shares characters


@pytest.mark.parametrize(("query", "expected"), [("城管通", 11), ('"执法记录仪"', 13), ("小广告", 3)])
def test_seed_counts_beat_the_stock_analyser(archive, articles, query, expected):
    # On the seed the stock jieba analyser found 8 of 11 for 城管通, 0 of 13 for "执法记录仪", 0 of 3 for 小广告.
    result = everything(archive, query, date_from="2017-06", date_to="2017-06")
    assert result.total == expected
    assert ids(everything(archive, query)) == containing(articles, query.strip('"'))


def test_sub_word_inside_a_dictionary_word_is_found(archive, articles):
    pinggu = next(a for a in articles if a.title.startswith("平谷局"))
    assert "执法城管通" in pinggu.text
    assert pinggu.id in ids(everything(archive, "城管通"))


def test_words_split_by_a_page_break_are_found(archive):
    # 大气 / 污染 were on two pages in the fixture; 执法手 / 段 in the seed.
    assert "2018-03-a04" in ids(everything(archive, "大气污染"))
    assert "2017-06-a23" in ids(everything(archive, "执法手段"))
    assert "2018-03-a03" in ids(everything(archive, "执法城管通APP"))


def test_whole_word_ranks_above_partial(archive):
    hits = everything(archive, "城管通").hits
    haidian = next(i for i, h in enumerate(hits) if h.id == "2019-02-a02")  # 城管通终端 stands alone
    assert haidian == 0


def test_mixed_ascii_and_chinese(archive):
    assert ids(everything(archive, '"WannaCry"')) == {"2017-06-a11", "2018-03-a02"}
    assert ids(everything(archive, '"wannacry"')) == {"2017-06-a11", "2018-03-a02"}
    assert ids(everything(archive, "PM2.5")) == {"2018-03-a04"}
    assert ids(everything(archive, "3G")) >= {"2017-06-a09", "2018-03-a03"}
    assert ids(everything(archive, "96310")) == {"2017-06-a05", "2018-03-a03"}
    assert "2017-06-a05" in ids(everything(archive, "800M数字集群"))  # printed as "800M 数字集群"


def test_quoted_phrase_matches_exactly(archive, articles):
    assert ids(everything(archive, '"执法记录仪"')) == containing(articles, "执法记录仪")
    assert ids(everything(archive, "“网络安全”")) == containing(articles, "网络安全")


def test_or_and_exclusion_and_title(archive, articles):
    either = containing(articles, "勒索病毒") | containing(articles, "永恒之蓝")
    assert ids(everything(archive, "勒索病毒 OR 永恒之蓝")) == either
    both = containing(articles, "执法记录仪") & containing(articles, "怀柔")
    assert ids(everything(archive, "执法记录仪 怀柔")) == both
    without = containing(articles, "执法记录仪") - containing(articles, "怀柔")
    assert ids(everything(archive, "执法记录仪 -怀柔")) == without
    titled = {a.id for a in articles if "怀柔" in a.title}
    assert ids(everything(archive, "title:怀柔")) == titled


@pytest.mark.parametrize(
    ("malformed", "plain"),
    [('"执法记录仪', "执法记录仪"), ("执法 OR", "执法"), ("OR 执法", "执法"), ("执法 -", "执法"), ("title:", "title"),
     ("(((", ""), ("“”", ""), ("OR", ""), ("城管通“", "城管通")],
)  # fmt: skip
def test_malformed_syntax_falls_back_to_plain_terms(archive, malformed, plain):
    assert ids(everything(archive, malformed)) == ids(everything(archive, plain))
    assert everything(archive, malformed).total == everything(archive, plain).total


def test_words_typed_together_are_relaxed_to_all_words(archive, articles):
    result = everything(archive, "共享单车西站")
    assert result.relaxed
    assert ids(result) == containing(articles, "共享单车") & containing(articles, "西站")


@pytest.mark.parametrize("typed", ["怀柔", "怀柔区", "怀柔局"])
def test_district_filter_accepts_what_staff_type(archive, typed):
    result = everything(archive, "", district=typed)
    assert result.total == 4 and {h.district for h in result.hits} == {"怀柔区"}


@pytest.mark.parametrize("typed", ["区局动态", "【区局动态】", " 区局动态 "])
def test_section_filter_with_or_without_brackets(archive, typed):
    result = everything(archive, "执法记录仪", section=typed)
    assert result.total > 0 and {h.section for h in result.hits} == {"区局动态"}


@pytest.mark.parametrize(
    ("date_from", "date_to", "issues"),
    [
        ("2017", "2017", {"2017-06"}),
        ("2018-03", None, {"2018-03", "2019-01", "2019-02"}),
        (None, "2017-06-10", {"2016-12", "2017-06"}),
        ("2017-06-11", "2018-03-14", set()),
        ("2016年", "2016年12月", {"2016-12"}),
    ],
)
def test_date_filters(archive, date_from, date_to, issues):
    result = everything(archive, "", date_from=date_from, date_to=date_to)
    assert {h.issue for h in result.hits} == issues


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"date_from": "2017-13"}, "from"),
        ({"date_to": "2017-02-30"}, "to"),
        ({"date_from": "yesterday"}, "from"),
        ({"date_from": "2018", "date_to": "2017"}, "to"),
        ({"sort": "best"}, "sort"),
        ({"sort": "\x0b"}, "sort"),  # not a listed choice, though Python strips it as a space
        ({"exact": "\x0b"}, "exact"),
        ({"page": 0}, "page"),
        ({"per_page": 101}, "per_page"),
        ({"query": "城" * (MAX_QUERY + 1)}, "q"),
    ],
)
def test_bad_parameters_raise_query_error_naming_the_parameter(archive, kwargs, param):
    with pytest.raises(QueryError) as info:
        archive.search(**kwargs)
    assert info.value.param == param and info.value.message


def test_facets_count_each_dimension_respecting_the_other_filters(archive, articles):
    result = everything(archive, "执法记录仪", section="区局动态")
    in_section = [a for a in articles if "执法记录仪" in a.text and a.section == "区局动态"]
    anywhere = [a for a in articles if "执法记录仪" in a.text or "执法记录仪" in a.title]
    assert sum(result.facets["district"].values()) == len([a for a in in_section if a.district])
    # The section facet ignores the section filter, so other sections stay reachable.
    assert sum(result.facets["section"].values()) == len(anywhere)
    assert result.facets["section"]["区局动态"] == len(in_section) == result.total
    per_year = {}
    for a in in_section:
        per_year[a.issue_id[:4]] = per_year.get(a.issue_id[:4], 0) + 1
    assert result.facets["year"] == dict(sorted(per_year.items(), reverse=True))
    dated = everything(archive, "执法记录仪", section="区局动态", date_from="2018", district="海淀")
    assert dated.total == 0 and dated.facets["year"] == {}  # year counts respect district and section


def test_a_facet_lists_at_most_its_limit_of_values_the_first_in_its_order():
    import numpy as np

    from indexer.engine import facets

    # 1,000 articles over 100 issues (ten each, the newest with the fewest) and 19 districts, some none.
    issues = [f"{1990 + n // 12}-{n % 12 + 1:02d}" for n in range(100) for _ in range(10)]
    districts = ["", *(f"区{n}" for n in range(18))] * 53
    columns = {
        "issue_id": facets.Coded.of(issues),
        "district": facets.Coded.of(districts[:1000]),
        "section": facets.Coded.of(["区局动态"] * 1000),
        "year": facets.Coded.of([i[:4] for i in issues]),
    }
    found = np.arange(1000)[np.arange(1000) % 10 != 9]  # nine an issue
    counted = facets.count(found, columns, {})
    limits = {f.name: f.limit for f in facets.FACETS}
    assert list(counted["issue"]) == sorted(set(issues), reverse=True)[: limits["issue"]]  # the newest
    assert all(n == 9 for n in counted["issue"].values())
    assert len(counted["year"]) == 9 <= limits["year"] and "" not in counted["district"]
    assert len(counted["district"]) == 18 and sum(counted["district"].values()) == sum(1 for d in found if districts[d])


def test_sort_by_date_newest_first_and_browse(archive):
    by_date = everything(archive, "城管通", sort="date")
    dates = [h.date for h in by_date.hits]
    assert dates == sorted(dates, reverse=True)
    browse = everything(archive, "")
    assert browse.total == 31 + 6 + 3 + 3 + 2
    assert [h.date for h in browse.hits] == sorted((h.date for h in browse.hits), reverse=True)
    assert browse.hits[0].id == "2019-02-a01"


def test_relevance_puts_title_matches_first(archive):
    hits = everything(archive, "共享单车").hits
    assert "共享单车" in hits[0].title


def test_paging(archive):
    first = archive.search("执法", per_page=5)
    second = archive.search("执法", per_page=5, page=2)
    assert len(first.hits) == len(second.hits) == 5
    assert not ids(first) & ids(second)
    assert archive.search("执法", page=999).hits == []


def test_snippets_mark_hits_and_escape_everything_else(archive):
    result = archive.search("alert")
    assert result.total == 1
    snippet = result.hits[0].snippet
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in snippet
    assert "&lt;b&gt;粗体&lt;/b&gt;" in snippet and "A&amp;B" in snippet
    assert "<script>" not in snippet and "<b>" not in snippet
    title = archive.search("title:注入").hits[0].title
    assert title == "科技信息中心：网站安全检查发现<script>注入尝试"  # the raw title; pages escape it


def test_overlapping_matches_are_marked_once_at_their_longest(archive):
    snippet = archive.search("执法城管通 城管通").hits[0].snippet
    assert "<mark>执法城管通</mark>" in snippet
    assert "<mark><mark>" not in snippet and "</mark><mark>" not in snippet


def test_snippet_size_and_fragments(archive):
    for hit in archive.search("执法记录仪", per_page=20).hits:
        fragments = hit.snippet.split(" … ")
        assert 1 <= len(fragments) <= 3
        plain = re.sub(r"<[^>]+>", "", hit.snippet)
        assert len(plain) <= 3 * 160


def test_dense_matches_widen_one_fragment_only_as_far_as_the_snippets_budget():
    from indexer.engine.highlight import FRAGMENT, MAX_FRAGMENTS, snippet

    sentence = "西城局利用执法记录仪做好环境秩序保障工作，"  # 21 characters, a match in each
    text = sentence * 60 + "最后一句也有执法记录仪。"
    marked = snippet(text, ["执法记录仪"])
    plain = re.sub(r"<[^>]+>", "", marked)
    assert len(plain) <= FRAGMENT * MAX_FRAGMENTS + 2 * 21  # a clause's slack at each end
    assert marked.count("<mark>执法记录仪</mark>") >= 10 and plain.endswith("…")


def test_lookups(archive):
    record = archive.article("2017-06-a20")
    assert record.article.title == "石景山局：充分发挥执法记录仪在拆违工作中的作用"
    assert (record.previous, record.next) == ("2017-06-a19", "2017-06-a21")
    assert archive.article("2017-06-a01").previous is None
    assert archive.article("2017-06-a31").next is None
    assert archive.article("2017-06-a99") is None
    issue = archive.issue("2017-06")
    assert issue["label"] == "2017年第6期" and len(issue["articles"]) == 31 and issue["toc"]
    assert [i["id"] for i in archive.issues()] == ["2019-02", "2019-01", "2018-03", "2017-06", "2016-12"]


def test_unquoted_terms_find_synonyms_and_the_typed_form_ranks_first(archive, articles):
    result = everything(archive, "永恒之蓝")
    expected = containing(articles, "永恒之蓝") | containing(articles, "勒索病毒") | containing(articles, "WannaCry")
    assert ids(result) == expected
    assert "永恒之蓝" in result.hits[0].title
    assert ids(everything(archive, '"永恒之蓝"')) == containing(articles, "永恒之蓝")  # quoted: exact
    assert "<mark>勒索病毒</mark>" in " ".join(h.snippet for h in result.hits)


def test_judged_query_set_recall_and_precision(archive):
    import json

    from conftest import ROOT

    data = json.loads((ROOT / "benchmarks" / "judged_queries.json").read_text(encoding="utf-8"))
    issue = data["issue"]
    recalls, precisions = [], []
    for query, judged in data["queries"].items():
        relevant = {f"{issue}-{a}" for a in judged}
        found = ids(archive.search(query, per_page=100, date_from=issue, date_to=issue))
        recalls.append(len(found & relevant) / len(relevant))
        precisions.append(len(found & relevant) / len(found) if found else 1.0)
    assert min(recalls) == 1.0
    assert sum(precisions) / len(precisions) >= 0.95
