"""What a newly forked worker does before its first request: the app's rehearsal, in process."""

from __future__ import annotations

from conftest import app_client


def test_the_rehearsal_searches_the_archives_most_frequent_words_through_the_app(built):
    client, service = app_client(*built, admin_token=None)
    try:
        words = service.frequent_words(8)
        frequency = service.generation().vocabulary.frequency
        assert len(words) == 8 and all(len(w) > 1 for w in words)
        assert [frequency[w] for w in words] == sorted((frequency[w] for w in words), reverse=True)
        assert min(frequency[w] for w in words) >= max(f for w, f in frequency.items() if len(w) > 1 and w not in words)

        scored = service.generation().matches.items
        assert not any(key[0] in words for key in scored)  # a service of this test's own: nothing searched yet
        assert client.app.rehearse(8) == 8  # each answered, as a request would be
        assert {key[0] for key in scored} >= set(words)  # each word matched, as a request for it would be
        # and the answers are those of real requests afterwards
        assert client.simulate_get("/api/search", params={"q": words[0]}).json["total"] > 0
    finally:
        service.close()
