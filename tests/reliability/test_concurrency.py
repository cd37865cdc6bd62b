"""Concurrent writers: two ingests of different issues at once, several rounds."""

from __future__ import annotations

import pytest
from conftest import make_corpus, record_figures, start_cli, variant_of_seed

from indexer import IndexerError, SearchService, reindex

# Starts servers, browsers or subprocesses: left out of the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow


def test_concurrent_ingests_all_land_and_the_index_stays_whole(tmp_path):
    corpus = make_corpus(tmp_path)
    index = tmp_path / "index"
    reindex(corpus, index)
    rounds, landed, errors = 3, 0, []
    for round_ in range(rounds):
        runs = []
        for number in (1, 2):
            path = tmp_path / f"in-{round_}-{number}.md"
            path.write_bytes(variant_of_seed(2021 + round_, number))
            runs.append(start_cli("ingest", str(path), "--corpus", str(corpus), "--index", str(index)))
        for run in runs:
            _, err = run.communicate(timeout=120)
            if run.returncode == 0:
                landed += 1
            else:
                errors.append(err.decode())
    try:
        info, corrupt = SearchService(index).verify(), False
    except IndexerError:
        info, corrupt = {}, True
    record_figures("concurrent_ingests", ingests=2 * rounds, landed=landed, corrupt=corrupt)
    assert not errors and landed == 2 * rounds, errors
    assert not corrupt
    assert info["issues"] == 5 + 2 * rounds and info["articles"] == 45 + 31 * 2 * rounds
    assert len(list(corpus.rglob("*.md"))) == 2 + 2 * rounds  # seed + notoc fixture + the new ones
