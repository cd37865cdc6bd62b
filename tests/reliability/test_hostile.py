"""Hostile input: generated queries and filters, crafted uploads, the admin token compare."""

from __future__ import annotations

import hmac

import pytest
from conftest import record_figures, tree_snapshot, upload, variant_of_seed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Builds an index per case and generates many requests: left out of the quick loop (-m 'not slow').
pytestmark = pytest.mark.slow

TOKEN = {"Authorization": "Bearer s3cret-token"}
TRIED = {"requests": 0, "5xx": 0}


@pytest.fixture(scope="module", autouse=True)
def tally():
    """Record how many generated requests this module sent (each test asserts none was a 5xx)."""
    yield
    record_figures("hostile_generated_requests", requests=TRIED["requests"], server_errors=TRIED["5xx"])


anything = st.one_of(
    st.none(),
    st.text(max_size=300),
    st.sampled_from(["2017", "2017-13", "-1", "0", "1e9", "【】", "怀柔局", "%00", "\x00", "../.."]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    q=anything,
    district=anything,
    section=anything,
    date_from=anything,
    date_to=anything,
    sort=anything,
    page=anything,
    per_page=anything,
)
def test_generated_queries_and_filters_never_give_a_5xx(
    client, q, district, section, date_from, date_to, sort, page, per_page
):
    params = {
        k: v
        for k, v in {
            "q": q,
            "district": district,
            "section": section,
            "from": date_from,
            "to": date_to,
            "sort": sort,
            "page": page,
            "per_page": per_page,
        }.items()
        if v is not None
    }
    for path in ("/api/search", "/search"):
        result = client.simulate_get(path, params=params)
        TRIED["requests"] += 1
        TRIED["5xx"] += result.status_code >= 500
        assert result.status_code < 500, (path, params, result.text[:300])
        if result.status_code == 400 and path == "/api/search":
            assert result.json["param"] in {"q", "from", "to", "sort", "page", "per_page"}


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(ident=st.text(max_size=100))
def test_generated_ids_never_give_a_5xx(client, ident):
    from urllib.parse import quote

    for path in ("/api/articles/", "/api/issues/", "/articles/", "/issues/"):
        result = client.simulate_get(path + quote(ident, safe=""))
        TRIED["requests"] += 1
        TRIED["5xx"] += result.status_code >= 500
        assert result.status_code < 500


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.md",
        "/etc/passwd.md",
        "..\\..\\windows\\system.md",
        "a\x00b.md",
        "x" * 300 + ".md",
        "issue\n.md",
        "~root/.md",
    ],
)
def test_hostile_upload_names_never_become_paths(writable, name):
    client, corpus, _index = writable
    outside_before = sorted(p.name for p in corpus.parent.iterdir())
    result = upload(client, {"file": (name, variant_of_seed(2020, 5))}, TOKEN)
    assert result.status_code in (200, 400, 415, 422), result.text
    assert sorted(p.name for p in corpus.parent.iterdir()) == outside_before
    stored = [p for p in corpus.rglob("*") if p.is_file() and "2020" in p.name]
    assert stored in ([], [corpus / "2020" / "2020-05.md"])


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("big.md", b"a" * 250_000, 413),
        ("random.md", bytes(range(256)) * 40, 422),
        ("evil.exe", b"MZ\x90\x00", 415),
        ("page.html", b"<html><body><script>alert(1)</script></body></html>", 422),
        ("gbk.txt", "北京城管科技信息动态".encode("big5", "ignore") * 50, 422),
    ],
)
def test_hostile_upload_contents_are_refused_and_nothing_changes(writable, name, data, status):
    client, corpus, index = writable
    before = tree_snapshot(corpus, index)
    result = upload(client, {"file": (name, data)}, TOKEN)
    assert result.status_code == status, result.text
    assert tree_snapshot(corpus, index) == before


def test_admin_token_is_compared_in_constant_time(writable, monkeypatch):
    client, _, _ = writable
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert upload(client, {"file": ("x.md", b"x")}, {"Authorization": "Bearer s3cret-tokex"}).status_code == 401
    assert calls == [(b"s3cret-tokex", b"s3cret-token")]
