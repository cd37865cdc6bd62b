"""Forgiving search: judged tables per class of slip on the first issue, and a property of corrections.

A query is answered when its first hit is an article a person asking it wanted.
"""

from __future__ import annotations

import re
import sys

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from indexer.language.analysis import is_word
from indexer.language.vocabulary import syllables

sys.path.insert(0, str(ROOT / "benchmarks"))
import forgiving


def contains(articles, text):
    return {a.id for a in articles if text in a.title or text in a.text}


def first_hit(archive, query, **params):
    result = archive.search(query, per_page=10, **params)
    assert result.hits, f"{query!r} found nothing ({result.understood})"
    return result, result.hits[0].id


JUDGED = forgiving.judged()


@pytest.mark.parametrize(("typed", "meant"), JUDGED["typo"])
def test_homophone_slips_are_corrected_and_said_so(archive, articles, typed, meant):
    result, first = first_hit(archive, typed)
    assert first in contains(articles, meant)
    assert meant in result.understood.searched and result.understood.guessed
    assert [c.kind for c in result.understood.changes] == ["correction"]
    assert f"已显示“{result.understood.searched}”的结果。" in result.understood.notices
    assert f"<mark>{meant}</mark>" in result.hits[0].snippet or meant in result.hits[0].title  # corrected words marked
    exact = archive.search(typed, exact="1")
    assert not exact.understood.guessed and exact.understood.searched == typed  # searched as typed


@pytest.mark.parametrize(("typed", "meant"), JUDGED["pinyin"])
def test_pinyin_is_read_as_the_archives_words(archive, articles, typed, meant):
    result, first = first_hit(archive, typed)
    assert first in contains(articles, meant)
    assert result.understood.searched.replace(" ", "") == meant
    assert {c.kind for c in result.understood.changes} == {"pinyin"}


@pytest.mark.parametrize(("typed", "simplified"), JUDGED["traditional"])
def test_traditional_characters_find_the_simplified_text(archive, articles, typed, simplified):
    result, first = first_hit(archive, typed)
    same = archive.search(simplified, per_page=10)
    assert (result.total, [h.id for h in result.hits]) == (same.total, [h.id for h in same.hits])  # the same
    assert first in contains(articles, simplified)
    assert [c.kind for c in result.understood.changes] == ["traditional"]
    shown = result.hits[0].title + result.hits[0].snippet.replace("<mark>", "").replace("</mark>", "")
    assert simplified in shown


_FOLDABLE = st.sampled_from("臺灣條例處罰網絡監視攝像頭ＰＭ２．５，：（）ａＺ０９")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_FOLDABLE, st.characters(codec="utf-8"), st.characters()), min_size=100, max_size=400))
def test_an_article_s_text_is_folded_as_a_query_is(chars):
    # Long texts are folded through an array, short ones (queries) through str.translate: the same table.
    from indexer.language.folding import _folding, normalise

    text = "".join(chars)
    assert normalise(text) == text.translate(_folding())
    assert len(normalise(text)) == len(text)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.text(st.one_of(_FOLDABLE, st.sampled_from("城管 通\n\0执法"), st.characters()), max_size=40), max_size=12
    )
)
@example(["\0"])  # one text holding the separator the texts are joined with
def test_a_generation_folds_its_texts_as_each_alone_and_knows_which_hold_no_traditional_character(texts):
    # A snippet searches a text that folding leaves as it is without folding it: the two must agree.
    from indexer.language.folding import fold, fold_all, simplified

    folded, plain = fold_all(texts)
    assert folded == [fold(t) for t in texts]
    assert plain.tolist() == [simplified(t) == t for t in texts]


@pytest.mark.parametrize(("typed", "wanted"), JUDGED["question"])
def test_questions_typed_as_sentences_find_the_article(archive, articles, typed, wanted):
    result, first = first_hit(archive, typed)
    assert forgiving.answered(result.hits, wanted, {a.id: a for a in articles}), (first, result.understood)
    assert result.understood.mode in ("relaxed", "partial")
    if result.understood.mode == "partial":
        assert "没有同时包含全部词语的文章，以下为部分匹配。" in result.understood.notices


def test_a_pasted_passage_finds_its_source_article_first(archive, articles):
    cases = forgiving.passages(articles, "2017-06")
    assert len(cases) >= 6 and max(len(pasted) for pasted, _ in cases) >= 1000
    for pasted, (source,) in cases:
        result, first = first_hit(archive, pasted)
        assert first == source, (source, pasted[:40], result.understood)


def test_a_pasted_page_is_read_as_it_is_and_for_at_most_its_first_words(archive):
    """A page pasted whole is not read piece by piece for slips (what a typist's few words get), and no more
    than its first content words are searched apart: what bounds a worker's time on the longest query."""
    from indexer.engine.query import CONTENT_WORDS, content_words

    typed, _ = JUDGED["typo"][0]
    assert archive.search(typed).understood.guessed  # a slip typed alone is corrected
    filler = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(1990 - len(typed)))
    page = archive.search(typed + filler)
    assert not page.understood.guessed and "correction" not in [c.kind for c in page.understood.changes]
    assert len(content_words(typed + filler)) == CONTENT_WORDS and len(page.terms) <= CONTENT_WORDS


def test_a_passage_of_a_thousand_characters_goes_through_the_api(client, articles):
    source = max((a for a in articles if a.issue_id == "2017-06"), key=lambda a: len(a.text))
    pasted = forgiving.mangle(source.text[:1000], 1)
    assert len(pasted) >= 1000
    body = client.simulate_get("/api/search", params={"q": pasted}).json
    assert body["hits"][0]["id"] == source.id and body["understood"]["mode"] in ("passage", "exact")


def test_words_found_as_typed_are_never_corrected_or_partial(archive, articles):
    for word in ("城管通", "执法记录仪", "小广告", "勒索病毒", "WannaCry", "PM2.5"):
        result = archive.search(word, per_page=100)
        assert result.understood.mode == "exact" and not result.understood.guessed
        assert {h.id for h in result.hits} >= contains(articles, word)  # and its synonyms' articles


def test_quoted_phrases_are_never_corrected(archive):
    result = archive.search('"城管同"')
    assert result.total == 0 and not result.understood.changes


def test_a_search_page_shows_the_correction_and_the_link_to_search_as_typed(client):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(client.simulate_get("/search", params={"q": "城管同"}).text, "html.parser")
    notice = " ".join(p.get_text(" ", strip=True) for p in soup.select(".notice"))
    assert "已显示“城管通”的结果。" in notice and "仍然搜索" in notice
    link = soup.select_one(".notice a")["href"]
    assert "exact=1" in link
    exact = BeautifulSoup(client.simulate_get(link.split("?")[0], query_string=link.split("?")[1]).text, "html.parser")
    assert "已显示" not in " ".join(p.get_text() for p in exact.select(".notice"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_one_character_replaced_by_a_homophone_is_corrected_back(archive, articles, data):
    vocabulary = archive.generation().vocabulary
    words = sorted(w for w, n in vocabulary.frequency.items() if 2 <= len(w) <= 5)
    word = data.draw(st.sampled_from(words))
    reading = syllables(word)
    assume(vocabulary.by_pinyin.get(reading) == [word])  # the only archive word read this way
    position = data.draw(st.integers(0, len(word) - 1))
    pool = sorted({c for a in articles for c in re.findall(r"[\u4e00-\u9fff]", a.text)})
    alike = [c for c in pool if c != word[position] and syllables(c) == (reading[position],)]
    assume(alike)
    slip = word[:position] + data.draw(st.sampled_from(alike)) + word[position + 1 :]
    assume(archive.search(f'"{slip}"').total == 0)  # the slip itself is nowhere in the archive
    assume(not is_word(slip))  # nor a real word, which is never corrected (see the control words)
    result = archive.search(slip)
    assert word in result.understood.searched, (word, slip, result.understood)
    assert result.hits and result.hits[0].id in contains(articles, word)  # (synonyms' articles may follow)
