"""The character-pair postings (indexer/engine/grams.py) and the ways a generation is written: a build on every
core, one process, and ingests past the segment limit all give the same answers."""

from __future__ import annotations

import json
import shutil
import sys

import pytest
from conftest import ROOT

from indexer import SearchService, ingest, reindex, remove
from indexer.storage import parts, writing
from indexer.storage.records import VOCABULARY
from indexer.storage.store import IndexStore

sys.path.insert(0, str(ROOT / "benchmarks"))
import synth

QUERIES = [
    "执法",  # two characters: the pair's own postings
    "视频监控",
    "执法记录仪",
    "城管通",
    "执",  # one character: every pair starting with it
    "执法记录仪 怀柔",
    '"门前三包"',
    "网络安全 -视频",
    "共享单车 OR 小广告",
    "title:执法",
    "800M数字集群",
    "扬尘 渣土运输 露天烧烤 智慧城管",
]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """1,200 varied articles: enough for a build on every core (``writing.PARALLEL_FROM``)."""
    return synth.generate(1200, tmp_path_factory.mktemp("synth") / "corpus")


def answers(index) -> dict:
    service = SearchService(index)
    try:
        out = {}
        for query in QUERIES:
            result = service.search(query, per_page=100)
            out[query] = (
                result.total,
                [(h.id, h.title, h.unit, h.district, h.page, h.snippet) for h in result.hits],
                result.facets,
            )
        out["values of the section facet"] = service.values("section")  # of live articles only
        return out
    finally:
        service.close()


def words(index) -> dict:
    return json.loads((IndexStore(index).current() / VOCABULARY).read_text(encoding="utf-8"))


@pytest.mark.slow  # a process per core
def test_a_build_on_every_core_answers_as_one_process_does(synthetic, tmp_path, monkeypatch):
    reindex(synthetic, tmp_path / "cores")
    monkeypatch.setattr(writing, "PARALLEL_FROM", 10**9)
    reindex(synthetic, tmp_path / "one")

    assert len(parts.folders(IndexStore(tmp_path / "cores").current())) > 1  # a part a share
    assert len(parts.folders(IndexStore(tmp_path / "one").current())) == 1
    together, alone = answers(tmp_path / "cores"), answers(tmp_path / "one")
    assert all(answer[0] for query, answer in together.items() if query in QUERIES)
    assert together == alone
    assert words(tmp_path / "cores") == words(tmp_path / "one")


@pytest.mark.slow  # a process per core
def test_ingests_past_the_part_limit_merge_and_answer_as_a_rebuild(synthetic, tmp_path):
    files = sorted(synthetic.rglob("*.md"))
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    for path in files[:20]:
        target = corpus / path.relative_to(synthetic)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    reindex(corpus, index)
    for path in files[20 : 20 + parts.MAX_PARTS + 3]:  # one part each, until they are merged
        ingest([path], corpus, index)
    replaced = files[3].read_text(encoding="utf-8").replace("执法", "管理")
    (tmp_path / "again").mkdir()
    (tmp_path / "again" / files[3].name).write_text(replaced, encoding="utf-8")
    ingest([tmp_path / "again" / files[3].name], corpus, index)
    remove(files[25].stem, corpus, index)

    segments = parts.folders(IndexStore(index).current())
    assert 1 < len(segments) <= parts.MAX_PARTS
    reindex(corpus, tmp_path / "rebuilt")
    assert answers(index) == answers(tmp_path / "rebuilt")
    assert words(index) == words(tmp_path / "rebuilt")


def test_one_cut_of_a_text_gives_each_run_the_words_it_gets_alone(seed_path):
    import jieba

    from indexer.language.analysis import _RUNS, _cut_runs, init
    from indexer.language.folding import normalise

    init()
    # The seed, characters outside jieba's own range (㐀, 﨑) and ASCII between runs.
    text = normalise(seed_path.read_text(encoding="utf-8") + "㐀㐁城管通APP﨑市 PM2.5，執法记录仪")
    runs = [m.group(1) for m in _RUNS.finditer(text) if m.group(1)]
    assert len(runs) > 100
    assert _cut_runs(runs) == [list(jieba.cut(run, HMM=False)) for run in runs]


def test_a_verified_and_kept_generation_starts_with_the_longest_pairs_and_answers_the_same(built):
    kept, fresh = SearchService(built[1]), SearchService(built[1])
    kept.verify(keep=True)
    generation = kept.generation()
    longest = generation.grams.longest(1000)
    assert longest and generation.cache.size > 0
    for field, key in longest:
        cached = generation.cache.get(("pairs", field, key))
        assert cached is not None and (cached[0] == generation.grams.lookup(field, key)[0]).all()
    for query in ("城管通", "执法记录仪 怀柔", "网络安全"):
        assert kept.search(query).hits == fresh.search(query).hits


def _build_process_told_to_end() -> None:
    """What a build process does first (the pool's initializer), then the SIGTERM a stopping pool sends."""
    import os
    import signal

    writing.prepare_build_process()
    os.kill(os.getpid(), signal.SIGTERM)


@pytest.mark.slow  # a process per core
def test_a_build_process_ends_on_sigterm_even_forked_from_a_server_worker_that_only_marks_it():
    """An admin rebuild runs inside a gunicorn worker, whose SIGTERM handler only marks the worker for exit;
    a build's processes must end on the SIGTERM their pool sends when a build stops."""
    import multiprocessing
    import signal

    previous = signal.signal(signal.SIGTERM, lambda *_: None)  # as the server worker's handler
    try:
        child = multiprocessing.get_context("fork").Process(target=_build_process_told_to_end)
        child.start()
        child.join(30)
        assert child.exitcode == -signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.mark.parametrize(
    ("sizes", "small"),
    [([5000] * 8 + [30, 30], 2), ([5000] * 8 + [30], 1), ([600, 30, 30, 60], 3), ([30] * 9, 0), ([5000], 0)],
)
def test_only_the_newest_small_parts_are_merged_never_a_builds_large_ones(sizes, small):
    assert parts.newest_small(sizes) == small


def _damaged(synthetic, folder, damage):
    shutil.copytree(synthetic, folder)
    files = sorted(folder.rglob("*.md"))
    if damage == "unreadable":
        files[7].write_bytes(b"\x00\x01binary" * 100)
    else:  # the same issue twice: a copy of the fourth file under another name, read after it
        shutil.copy(files[3], files[3].with_name("zz-" + files[3].name))
    return folder


@pytest.mark.slow  # a process per core
@pytest.mark.parametrize("damage", ["unreadable", "duplicate"])
def test_an_archive_read_on_every_core_is_read_as_in_one_process_and_fails_the_same(
    synthetic, tmp_path, monkeypatch, damage
):
    """``build.parse_all`` reads an archive of many files in a process per core: the same issues in the same
    order, and the same error (the first bad file in the corpus's order, named) as one process gives."""
    from archive import ArchiveError
    from archive.corpus import Corpus
    from indexer.storage import build

    files = Corpus(synthetic).files()
    assert len(files) >= build.PARALLEL_PARSE_FROM
    together = build.parse_all(files)
    corpus = Corpus(_damaged(synthetic, tmp_path / "corpus", damage))
    with pytest.raises(ArchiveError) as raised:
        build.parse_all(corpus.files())
    monkeypatch.setattr(build, "PARALLEL_PARSE_FROM", 10**9)
    alone = build.parse_all(files)
    assert [(p.issue, p.warnings, p.form) for p in together] == [(p.issue, p.warnings, p.form) for p in alone]
    with pytest.raises(ArchiveError) as raised_alone:
        build.parse_all(corpus.files())
    assert str(raised.value) == str(raised_alone.value)
    assert str(corpus.root) in str(raised.value)
    assert ("同一期" in str(raised.value)) == (damage == "duplicate")


@pytest.fixture(scope="module")
def written(synthetic, tmp_path_factory):
    """300 synthetic articles written as a part writes its segment (their words cut as a build cuts them):
    the segment, the titles, the bodies normalised, and each body's words counted."""
    from collections import Counter

    import numpy as np

    from indexer.engine import grams
    from indexer.language.analysis import segment
    from indexer.language.folding import normalise

    bodies = [path.read_text(encoding="utf-8") for path in sorted(synthetic.rglob("*.md"))[:300]]
    titles = [body.splitlines()[0] for body in bodies]
    cut = [[segment(t, vocabulary=False)[0] for t in texts] for texts in (titles, bodies)]
    path = tmp_path_factory.mktemp("segment") / "g.bin"
    known: dict[str, int] = {}
    words = tuple([grams.word_keys_of(w, known) for w in field] for field in cut)
    assert len(known) == len({w for field in cut for words in field for w in words})
    grams.write_segment(path, titles, bodies, words, replace=lambda where, data: where.write_bytes(data))
    segment_ = grams.Segment(path, np.arange(len(titles), dtype=np.int32))
    yield segment_, cut[0], [normalise(body) for body in bodies], [Counter(w) for w in cut[1]]
    segment_.close()


def test_a_words_postings_are_the_articles_cut_into_it_with_its_count(written):
    built, title_words, _, cut = written
    vocabulary = sorted({w for words in cut[:30] for w in words})
    assert len(vocabulary) > 300
    for word in [*vocabulary, "执法城管通", "不是一个词"]:
        docs, counts = built.word("body", word)
        expected = [(row, words[word]) for row, words in enumerate(cut) if word in words]
        assert list(zip(docs.tolist(), counts.tolist(), strict=True)) == expected, word
        _same_docs_uncounted(docs, built.word("body", word, counted=False))
    for word in sorted({w for words in title_words[:10] for w in words}):
        expected = [row for row, words in enumerate(title_words) if word in words]
        assert built.word("title", word)[0].tolist() == expected and expected


@pytest.mark.parametrize("n", [3, 4])
def test_a_runs_postings_are_the_articles_holding_it_with_its_count(written, n):
    segment, _, texts, _ = written
    runs = {text[i : i + n] for text in texts[:10] for i in range(0, len(text) - n, 29)}
    runs = [r for r in runs if all("\u4e00" <= c <= "\u9fff" for c in r) and r[0] != r[-1] and r[:2] != r[-2:]]
    assert len(runs) > 100
    for run in [*runs, "执法队员"[:n], "无此字样"[:n]]:
        docs, counts = segment.run("body", run)
        expected = [(row, text.count(run)) for row, text in enumerate(texts) if run in text]
        assert list(zip(docs.tolist(), counts.tolist(), strict=True)) == expected, run
        _same_docs_uncounted(docs, segment.run("body", run, counted=False))
    assert segment.run("body", "㐀㐁㐂㐃"[:n])[0].size == 0  # characters no article holds
    assert segment.run("body", "执法")[0].size == 0  # pairs have keys of their own


def test_a_characters_postings_are_the_articles_holding_it_with_its_count(written):
    segment, _, texts, _ = written
    chars = sorted({c for text in texts[:20] for c in text if "\u4e00" <= c <= "\u9fff"})
    assert len(chars) > 200
    for char in [*chars, "㐀"]:
        docs, counts = segment.prefix("body", char)
        expected = [(row, text.count(char)) for row, text in enumerate(texts) if char in text]
        assert list(zip(docs.tolist(), counts.tolist(), strict=True)) == expected, char
        _same_docs_uncounted(docs, segment.prefix("body", char, counted=False))


def _same_docs_uncounted(docs, uncounted):
    """Postings read without their counts: the same articles, and no counts."""
    assert uncounted[0].tolist() == docs.tolist() and uncounted[1] is None


@pytest.mark.parametrize("n", [3, 4])
def test_runs_written_a_block_of_rows_at_a_time_are_the_same_postings(n):
    """A large alphabet leaves few bits for rows in a key: the rows are then packed a block at a time, and
    the postings come out as one pass would give them."""
    import numpy as np

    from indexer.engine import grams

    texts = ["一对一对一", "执法记录仪执法", "", "记录仪", "对一对", "执法记录", "仪执法记录仪"] * 5
    codes, rows, cjk = grams._codes(texts)
    small = np.unique(codes[cjk])
    # 15 bits a character (a four-character key then leaves 4 bits for rows), or 21 (three leave 1)
    filler = np.arange(0x3400, 0x3400 + (1 << (14 if n == 4 else 20)), dtype=np.uint64)
    large = np.union1d(small, filler)
    assert 64 - n * grams._char_bits(large) <= 4  # blocks of at most 16 rows

    def postings(alphabet):
        keys, starts, docs, counts = grams._runs(codes, rows, cjk, alphabet, n)
        bits, mask = grams._char_bits(alphabet), (1 << grams._char_bits(alphabet)) - 1
        out = {}
        for i, key in enumerate(keys.tolist()):
            ranks = [key >> bits * (n - 1 - k) & mask for k in range(n)]
            text = "".join(chr(int(alphabet[r - 1])) for r in ranks)
            lo, hi = starts[i], starts[i + 1]
            out[text] = list(zip(docs[lo:hi].tolist(), counts[lo:hi].tolist(), strict=True))
        return out

    one, blocked = postings(small), postings(large)
    assert one == blocked
    if n == 3:
        assert one["一对一"] == [(row, 2) for row in range(0, 35, 7)]  # overlapping: counted at each place
        assert one["执法记"][:3] == [(1, 1), (5, 1), (6, 1)]
    else:
        assert one["对一对一"] == [(row, 1) for row in range(0, 35, 7)]
        assert one["执法记录"][:3] == [(1, 1), (5, 1), (6, 1)]
