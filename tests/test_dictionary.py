"""jieba's dictionary in its compact form (``indexer.dictionary``): a server's processes cut exactly as
jieba's own dict does, with the domain dictionary and its edits, and builds forked from them cut with the full
dict again."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import jieba
import pytest
from conftest import SEED

from indexer import analysis, dictionary

QUERIES = ["城管通", "勒索病毒", "共享单车西站", "数字化城市管理信息系统", "北京市城市管理综合行政执法局", "网格化"]


def _cuts(texts: list[str]) -> list[tuple[list[str], set[str]]]:
    return [analysis.segment(t) for t in texts]


@pytest.fixture
def texts() -> list[str]:
    text = SEED.read_text(encoding="utf-8")
    return [text[i : i + 1500] for i in range(0, len(text), 1500)] + QUERIES


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def lean(monkeypatch, cache):
    """This process with the compact dictionary, written into a fresh cache folder; jieba's own dict after."""
    monkeypatch.setenv("BULLETIN_CACHE", str(cache))
    analysis.init(full=True)
    analysis.lean_dictionary()
    monkeypatch.setattr(analysis, "_ready", False)
    analysis._reset_domain_words()
    yield cache
    analysis.init(full=True)


def test_a_lean_process_cuts_exactly_as_jieba_s_own_dict(texts, lean):
    analysis.init(full=True)
    expected = _cuts(texts)
    analysis.lean_dictionary()
    analysis._ready = False
    analysis._reset_domain_words()
    analysis.init()
    assert isinstance(jieba.dt.FREQ, dictionary.LeanFreq)
    assert (lean / dictionary.LEAN_FILE).exists() and (lean / "jieba.cache").exists()
    assert _cuts(texts) == expected
    # jieba's mapping answers as the dict does, for words, prefixes, the domain words and what is in neither.
    analysis.init(full=True)
    full = jieba.dt.FREQ
    analysis.lean_dictionary()
    analysis._ready = False
    analysis._reset_domain_words()
    analysis.init()
    compact = jieba.dt.FREQ
    for word in ("城管", "城管通", "勒索", "勒", "执法局", "BP", "偂", "不存在的词语", "网格化管理"):
        assert (word in compact) == (word in full), word
        assert compact.get(word) == full.get(word), word


def test_domain_words_edited_while_serving_change_the_cut(lean, tmp_path):
    analysis.init()
    assert isinstance(jieba.dt.FREQ, dictionary.LeanFreq)
    folder = tmp_path / "vocabulary"
    analysis.use_vocabulary(folder)
    try:
        analysis.seed_vocabulary()
        before = analysis.words("城管通勒索病毒防护栏杆条")
        assert "防护栏杆条" not in before
        text = (folder / "userdict.txt").read_text(encoding="utf-8")
        analysis.write_vocabulary("userdict.txt", text + "防护栏杆条 5000\n")
        assert "防护栏杆条" in analysis.words("城管通勒索病毒防护栏杆条")
        analysis.write_vocabulary("userdict.txt", text)
        assert analysis.words("城管通勒索病毒防护栏杆条") == before
    finally:
        analysis.use_vocabulary(None)


def _child_dictionary(queue) -> None:
    analysis.init(full=True)
    queue.put((type(jieba.dt.FREQ).__name__, analysis.words("共享单车西站城管通")))


def test_a_build_forked_from_a_lean_process_cuts_with_the_full_dict(lean):
    analysis.init()
    expected = analysis.words("共享单车西站城管通")
    queue = multiprocessing.get_context("fork").Queue()
    child = multiprocessing.get_context("fork").Process(target=_child_dictionary, args=(queue,))
    child.start()
    kind, words = queue.get(timeout=60)
    child.join(timeout=60)
    assert kind == "dict" and words == expected
    assert isinstance(jieba.dt.FREQ, dictionary.LeanFreq)  # the parent stays lean


def test_the_compact_form_is_written_again_when_jieba_s_cache_changes(lean):
    analysis.init()
    lean_file = lean / dictionary.LEAN_FILE
    first = lean_file.stat().st_mtime_ns
    cache = lean / "jieba.cache"
    os.utime(cache, ns=(cache.stat().st_atime_ns, cache.stat().st_mtime_ns + 1_000_000_000))
    freq, total = dictionary.load(Path(lean), "jieba.cache")
    assert lean_file.stat().st_mtime_ns != first
    assert total == jieba.dt.total - sum(f for _, f in analysis.domain_words())
    assert freq.get("执法") == jieba.dt.FREQ.get("执法") > 0
