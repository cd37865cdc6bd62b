"""Concurrent writers: two ingests of different issues at once, several rounds."""

from __future__ import annotations

import subprocess
import sys

from conftest import make_corpus, record_figures, variant_of_seed

from indexer import Archive, reindex


def test_concurrent_ingests_all_land_and_the_index_stays_whole(tmp_path):
    corpus = make_corpus(tmp_path)
    index = tmp_path / "index"
    reindex(corpus, index)
    rounds, landed = 3, 0
    for round_ in range(rounds):
        runs = []
        for number in (1, 2):
            path = tmp_path / f"in-{round_}-{number}.md"
            path.write_bytes(variant_of_seed(2021 + round_, number))
            runs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "bulletin",
                        "ingest",
                        str(path),
                        "--corpus",
                        str(corpus),
                        "--index",
                        str(index),
                    ],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
            )
        for run in runs:
            _, err = run.communicate(timeout=120)
            assert run.returncode == 0, err.decode()
            landed += 1
    archive = Archive(index)
    info = archive.verify()
    assert info["issues"] == 5 + 2 * rounds and info["articles"] == 45 + 31 * 2 * rounds
    assert len(list(corpus.rglob("*.md"))) == 2 + 2 * rounds  # seed + notoc fixture + the new ones
    record_figures("concurrent_ingests", ingests=2 * rounds, landed=landed, corrupt=0)
