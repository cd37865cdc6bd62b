"""Related articles: the array computation gives what the plain definition gives, for every article."""

from __future__ import annotations

import math
import sys
from collections import Counter, defaultdict

import pytest
from conftest import ROOT

from indexer import SearchService, reindex
from indexer.engine import related as rel
from indexer.language.analysis import words

sys.path.insert(0, str(ROOT / "benchmarks"))
import synth


def defined(gen, docnum: int, limit: int = 5) -> list[int]:
    """The plain definition (``indexer.engine.related``'s docstring), one article and one word at a time."""
    total = len(gen.live)
    text = f"{gen.texts.title(docnum)} {gen.texts.body(docnum)}"
    counts = Counter(w for w in words(text) if len(w) >= 2 and not w.isdigit())
    weights, postings = {}, {}
    for word, tf in counts.items():
        docs = sorted(set(gen.word_docs("body", word).tolist()) | set(gen.word_docs("title", word).tolist()))
        if 1 < len(docs) <= rel.COMMON * total:
            postings[word] = docs
            weights[word] = (1 + math.log(tf)) * math.log(total / len(docs))
    scores, shared = defaultdict(float), Counter()
    for word in sorted(weights, key=weights.__getitem__, reverse=True)[: rel.TOP_WORDS]:
        for other in postings[word]:
            if other != docnum:
                scores[other] += weights[word]
                shared[other] += 1
    ranked = []
    for other, score in scores.items():
        if shared[other] >= rel.MIN_SHARED:
            score /= math.log(10 + (int(gen.texts.lengths[other]) + len(gen.texts.title(other))) / 100)
            score *= rel.SAME_ISSUE if gen.cols["issue_id"][other] == gen.cols["issue_id"][docnum] else 1
            same_unit = gen.cols["unit"][other] and gen.cols["unit"][other] == gen.cols["unit"][docnum]
            score *= rel.SAME_UNIT if same_unit else 1
            ranked.append((-score, gen.cols["id"][other], other))
    return [other for _, _, other in sorted(ranked)[:limit]]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """400 generated articles: many sharing words, so that every candidate bound and tie is met."""
    root = tmp_path_factory.mktemp("related")
    reindex(synth.generate(400, root / "corpus"), root / "index")
    service = SearchService(root / "index")
    yield service
    service.close()


@pytest.mark.parametrize("which", ["archive", "generated"])
def test_related_articles_are_the_definitions_for_every_article(which, request):
    gen = request.getfixturevalue(which).generation()
    found = 0
    for docnum in gen.live:
        for limit in (1, 5):
            expected = defined(gen, docnum, limit)
            assert rel.related(gen, docnum, limit) == expected, gen.cols["id"][docnum]
            found += len(expected)
    assert found > len(gen.live)  # most articles have related ones
