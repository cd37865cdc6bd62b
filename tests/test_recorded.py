"""The answers of the API, the pages and the exports to a fixed set of searches, as recorded
(tests/recorded.py): a change meant to keep behaviour keeps them byte for byte."""

from __future__ import annotations

import json

import pytest
from recorded import RECORDED, answers


@pytest.fixture(scope="module")
def now(client):
    return answers(client)


RECORDS = json.loads(RECORDED.read_text(encoding="utf-8"))


@pytest.mark.parametrize("request_key", sorted(RECORDS))
def test_each_recorded_answer_is_unchanged(now, request_key):
    assert now[request_key] == RECORDS[request_key]


def test_the_recording_covers_every_request_it_makes(now):
    assert set(now) == set(RECORDS)
