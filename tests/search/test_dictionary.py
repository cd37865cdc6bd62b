"""jieba's dictionary in its compact form (``indexer.language.dictionary``): a server's processes cut exactly as
jieba's own dict does, with the domain dictionary and its edits, and builds forked from them cut with the full
dict again."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import jieba
import pytest
from conftest import SEED

from indexer.language import analysis, dictionary, wordlists

pytestmark = pytest.mark.slow  # the compact forms are written by a process of their own

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
    wordlists.use_vocabulary(folder)
    try:
        wordlists.seed_vocabulary()
        before = analysis.words("城管通勒索病毒防护栏杆条")
        assert "防护栏杆条" not in before
        text = (folder / "userdict.txt").read_text(encoding="utf-8")
        wordlists.write_vocabulary("userdict.txt", text + "防护栏杆条 5000\n")
        assert "防护栏杆条" in analysis.words("城管通勒索病毒防护栏杆条")
        wordlists.write_vocabulary("userdict.txt", text)
        assert analysis.words("城管通勒索病毒防护栏杆条") == before
    finally:
        wordlists.use_vocabulary(None)


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
    assert total == jieba.dt.total - sum(analysis.added_words().values())  # its own words, without ours
    assert freq.get("执法") == jieba.dt.FREQ.get("执法") > 0


_READ_ALOUD = """
import json, sys
lean = sys.argv[1] == "lean"
if lean:
    from indexer.language import analysis
    analysis.lean_dictionary()
from indexer.language import vocabulary
texts = json.load(sys.stdin)
reader = vocabulary.reader()
assert type(reader).__name__ == ("LeanReadings" if lean else "module"), reader
assert ("pypinyin.phrases_dict" in sys.modules) != lean
print(json.dumps([[vocabulary.syllables(t), vocabulary.readings(t)] for t in texts]))
"""


def test_a_server_reads_aloud_exactly_as_pypinyin_with_its_phrase_table(cache):
    """In a lean process pypinyin has no phrase table; the phrases' readings kept as arrays give every text the
    readings pypinyin gives it: each phrase, each character, pieces of the first issue, phrases run together."""
    import json
    import random
    import re
    import subprocess
    import sys

    from pypinyin.constants import PHRASES_DICT

    phrases = sorted(PHRASES_DICT)
    runs = re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff]+", SEED.read_text(encoding="utf-8"))
    rng = random.Random(6)
    pieces = [run[i : i + n] for run in runs for n in (2, 3, 5, 8) for i in range(0, len(run) - n + 1, 3)]
    together = ["".join(rng.sample(phrases, rng.randint(2, 3))) for _ in range(3000)]
    singles = [chr(c) for c in (*range(0x3400, 0x4DC0, 7), *range(0x4E00, 0xA000))]
    texts = phrases + pieces + together + singles + ["重庆银行行长", "一行行地", "勒锁病毒", "长城管理"]
    env = {**os.environ, "BULLETIN_CACHE": str(cache)}
    answers = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", _READ_ALOUD, kind],
                input=json.dumps(texts),
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for kind in ("lean", "full")
    ]
    assert answers[0] == answers[1]
    assert (cache / dictionary.PINYIN_FILE).exists()


def test_a_full_build_leaves_the_compact_forms_a_server_reads(tmp_path, monkeypatch):
    from conftest import make_corpus

    from indexer import reindex

    monkeypatch.setenv("BULLETIN_CACHE", str(tmp_path / "cache"))
    reindex(make_corpus(tmp_path / "corpus"), tmp_path / "index")
    assert (tmp_path / "cache" / dictionary.LEAN_FILE).exists()
    assert (tmp_path / "cache" / dictionary.PINYIN_FILE).exists()
    assert analysis.prepare_lean() is None  # nothing left to write
