"""Shared paths and fixtures for the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = ROOT / "corpus" / "2017" / "2017-06.md"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


INDEX_FIXTURES = ("plain-2018-03.txt", "gb18030-2016-12.txt", "notoc-2019-01.md", "plain-2019-02-escaping.txt")


def make_corpus(root: Path) -> Path:
    """A corpus of the seed and the fixture issues, laid out like the real one."""
    import shutil

    from archive import read_file

    corpus = root / "corpus"
    for source in (SEED, *(FIXTURES / name for name in INDEX_FIXTURES)):
        issue = read_file(source).issue
        target = corpus / str(issue.year) / f"{issue.id}{source.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    return corpus


def variant_of_seed(year: int, number: int) -> bytes:
    """The seed re-labelled as another issue, for tests that need many distinct issues."""
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("2017年第6期", f"{year}年第{number}期").replace("2017年6月10日", f"{year}年{number}月10日")
    return text.encode("utf-8")


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """A real index built from the fixture corpus in a temporary folder: (corpus, index)."""
    from indexer import reindex

    root = tmp_path_factory.mktemp("built")
    corpus = make_corpus(root)
    index = root / "index"
    reindex(corpus, index)
    return corpus, index


@pytest.fixture(scope="session")
def archive(built):
    from indexer import Archive

    return Archive(built[1])


@pytest.fixture(scope="session")
def articles(built):
    """Every article of the fixture corpus, parsed directly (the ground truth)."""
    from archive.corpus import Corpus
    from indexer.build import parse_all

    return [a for p in parse_all(Corpus(built[0]).files()) for a in p.issue.articles]
