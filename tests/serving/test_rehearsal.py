"""What a newly forked worker does before its first request: the app's rehearsal, in process."""

from __future__ import annotations

from conftest import app_client


def test_the_rehearsal_is_each_kind_of_search_made_of_the_archives_most_frequent_words(built):
    _, service = app_client(*built, admin_token=None)
    try:
        words = service.frequent_words(20)
        frequency = service.generation().vocabulary.frequency
        assert len(words) == 20 and all(len(w) > 1 for w in words)
        assert [frequency[w] for w in words] == sorted((frequency[w] for w in words), reverse=True)
        assert min(frequency[w] for w in words) >= max(f for w, f in frequency.items() if len(w) > 1 and w not in words)

        searches = service.rehearsal(20)
        queries = [s["q"] for s in searches]
        assert queries[:20] == words  # each word alone
        assert f"{words[0]} {words[1]}" in queries  # two together
        assert any(q.isascii() and q.isalpha() for q in queries)  # one typed in pinyin
        assert any("district" in s for s in searches) and any("from" in s and "to" in s for s in searches)
    finally:
        service.close()


def test_a_rehearsal_goes_through_the_app_and_fills_what_the_first_searches_would(built):
    client, service = app_client(*built, admin_token=None)
    try:
        words = service.frequent_words(8)
        scored = service.generation().matches.items
        assert not any(key[0] in words for key in scored)  # a service of this test's own: nothing searched yet
        assert client.app.rehearse(8) == len(service.rehearsal(8))  # each answered with 200, as a request would be
        assert {key[0] for key in scored} >= set(words)  # each word matched
        assert client.simulate_get("/api/search", params={"q": words[0]}).json["total"] > 0
    finally:
        service.close()
