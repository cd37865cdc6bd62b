"""Abuse of the admin pages and the API, in process: oversized forms, the long word and the huge synonym group,
malformed cookies, doubled fields, concurrent confirms and removals, control characters reaching the feed,
and hostile forms and cookies generated for every admin route. Slow clients are `tests/serving`."""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from conftest import TOKEN, upload, variant_of_seed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_a_50_mb_sign_in_form_is_refused_before_it_is_read(admin):
    site, *_ = admin
    body = b"token=" + b"x" * (50 * 1024 * 1024)
    result = site.client.simulate_post("/admin/login", body=body, headers=site.headers(FORM))
    assert result.status_code == 413 and "4 MB" in result.text and "表单内容" in result.text
    assert result.headers["content-type"].startswith("text/html")  # the site's own Chinese page


def test_a_30_mb_vocabulary_form_is_refused_and_the_file_is_unchanged(admin):
    site, *_ = admin
    site.sign_in()
    before = site.soup("/admin/vocabulary").select_one("textarea").get_text()
    fields = urlencode({"csrf": site.csrf("/admin/vocabulary"), "name": "userdict.txt"}).encode()
    body = fields + b"&text=" + b"%E8%AF%8D+1%0A" * (30 * 1024 * 1024 // 14)
    result = site.client.simulate_post("/admin/vocabulary", body=body, headers=site.headers(FORM))
    assert result.status_code == 413 and "4 MB" in result.text
    assert site.soup("/admin/vocabulary").select_one("textarea").get_text() == before


def test_a_20000_character_dictionary_word_is_refused_and_search_is_unaffected(admin):
    from indexer.language.wordlists import vocabulary_file

    site, *_ = admin
    site.sign_in()
    search = site.client.simulate_get("/api/search", params={"q": "城管通"}).json["total"]
    word = "城" * 20_000
    refused = site.post(
        "/admin/vocabulary", {"csrf": site.csrf(), "name": "userdict.txt", "text": f"城管通 2000\n{word} 100\n"}, 400
    )
    assert "第 2 行" in refused.text and "20000 个字" in refused.text and "最多 30 个字" in refused.text
    assert word not in vocabulary_file("userdict.txt").read_text(encoding="utf-8")
    assert site.client.simulate_get("/api/search", params={"q": "城管通"}).json["total"] == search


def test_a_word_list_past_its_limits_written_by_hand_is_not_used_and_verify_names_it(admin):
    from indexer.language.wordlists import seed_vocabulary, vocabulary_problems

    site, _, _, data = admin
    seed_vocabulary()  # as a server's first start does
    search = site.client.simulate_get("/api/search", params={"q": "牛皮癣"}).json["total"]
    (data / "vocabulary" / "synonyms.txt").write_text(" ".join(f"词{i}" for i in range(100_000)), encoding="utf-8")
    assert site.client.simulate_get("/api/search", params={"q": "牛皮癣"}).json["total"] == search > 0
    problems = vocabulary_problems()
    assert len(problems) == 1 and "synonyms.txt" in problems[0] and "一行最多 1000 个" in problems[0]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (" ".join(f"词{i}" for i in range(100_000)), "一行最多 1000 个"),
        (" ".join(f"词{i}" for i in range(60)), "一组最多 50 个"),
        ("\n".join(f"甲 词{i}" for i in range(120)), "超过 100 个词"),
        ("甲 乙\n" * 25_000, "最多 20000 行"),
    ],
)
def test_a_huge_synonym_group_is_refused_naming_the_limit(admin, text, words):
    site, *_ = admin
    site.sign_in()
    refused = site.post("/admin/vocabulary", {"csrf": site.csrf(), "name": "synonyms.txt", "text": text}, 400)
    assert words in refused.text


@pytest.mark.parametrize(
    "cookie",
    ["caf\xe9", "\xff\xfe", "a.b.c", "x" * 5000, "", "eyJ.e30.AAAA", '"quoted"', "=;=;", "\\u0000"],
)
def test_a_malformed_session_cookie_is_no_session_never_a_500(admin, cookie):
    site, *_ = admin
    headers = {"Cookie": f"bulletin_admin={cookie}".encode().decode("latin-1")}
    assert site.client.simulate_get("/admin", headers=headers).status_code == 303
    posted = site.client.simulate_post("/admin/rebuild", body="csrf=x", headers={**headers, **FORM})
    assert posted.status_code == 403 and "需要登录" in posted.text


def test_a_doubled_csrf_field_is_refused_naming_it(admin):
    site, *_ = admin
    site.sign_in()
    csrf = site.csrf()
    body = urlencode([("csrf", csrf), ("csrf", csrf)])
    result = site.client.simulate_post("/admin/rebuild", body=body, headers=site.headers(FORM))
    assert result.status_code == 400 and "“csrf”出现了不止一次" in result.text
    field = f'--x\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'.encode()
    upload_part = b'--x\r\nContent-Disposition: form-data; name="file"; filename="2020-05.md"\r\n\r\n'
    body = field + field + upload_part + variant_of_seed(2020, 5) + b"\r\n--x--\r\n"
    result = site.client.simulate_post(
        "/admin/upload", body=body, headers=site.headers({"Content-Type": "multipart/form-data; boundary=x"})
    )
    assert result.status_code == 400 and "“csrf”出现了不止一次" in result.text


def test_three_concurrent_confirms_ingest_the_upload_once(admin):
    site, corpus, _, data = admin
    site.sign_in()
    preview = site.upload("2020-05.md", variant_of_seed(2020, 5)).headers["location"]
    csrf = site.csrf(preview)
    statuses = []

    def confirm():
        body = urlencode({"csrf": csrf, "action": "confirm"})
        statuses.append(site.client.simulate_post(preview, body=body, headers=site.headers(FORM)).status_code)

    threads = [threading.Thread(target=confirm) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 404, 404]
    assert (corpus / "2020" / "2020-05.md").exists()
    log = (data / "audit.log").read_text(encoding="utf-8")
    assert log.count('"action": "add"') == 1
    assert not list((data / "uploads").iterdir())


def test_two_concurrent_removals_remove_once_and_the_other_is_told(admin):
    site, corpus, *_ = admin
    site.sign_in()
    csrf = site.csrf()
    statuses = []

    def remove():
        body = urlencode({"csrf": csrf})
        result = site.client.simulate_post("/admin/issues/2017-06/remove", body=body, headers=site.headers(FORM))
        statuses.append(result.status_code)

    threads = [threading.Thread(target=remove) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) in ([200, 404], [200, 409])
    assert not (corpus / "2017" / "2017-06.md").exists()


def test_control_characters_in_an_issue_title_never_reach_pages_feeds_or_exports(writable, fixtures):
    client, corpus, _ = writable
    html = (fixtures / "html-2018-03.html").read_text(encoding="utf-8")
    dirty = html.replace("海淀局：利用", "海淀局：&#x1;&#x1b;利用", 1).replace("朝阳局", "朝阳局\x0b\x7f\x85", 1)
    assert dirty != html
    result = upload(client, {"file": ("2018-03.html", dirty.encode())}, {"Authorization": f"Bearer {TOKEN}"})
    assert result.status_code == 200, result.text
    cleaned = [w for w in result.json["warnings"] if "控制字符" in w]
    assert any("删去了 2 个控制字符（U+0001、U+001B）" in w for w in cleaned), result.json["warnings"]
    feed = client.simulate_get("/search.atom", params={"q": "海淀局"})
    entries = ET.fromstring(feed.content).findall("{http://www.w3.org/2005/Atom}entry")  # valid XML
    assert any("海淀局：利用执法城管通" in (e.findtext("{http://www.w3.org/2005/Atom}title") or "") for e in entries)
    for path in ("/search?q=海淀局", "/search.csv?q=朝阳局", "/issues/2018-03", "/api/issues/2018-03"):
        body = client.simulate_get(path.split("?")[0], query_string=path.partition("?")[2]).text
        assert not any(c in body for c in "\x01\x1b\x0b\x7f\x85"), path
    assert not any(c in (corpus / "2018" / "2018-03.html").read_text(encoding="utf-8") for c in "\x01")  # source kept
    assert "&#x1;" in (corpus / "2018" / "2018-03.html").read_text(encoding="utf-8")


# Every admin route, with a path filled in where it has one.
ADMIN_ROUTES = ["/admin", "/admin/login", "/admin/logout", "/admin/upload", "/admin/uploads/" + "a" * 64,
                "/admin/uploads/x", "/admin/issues/2017-06/remove", "/admin/issues/%00/remove", "/admin/rebuild",
                "/admin/audit", "/admin/vocabulary", "/admin/users"]  # fmt: skip
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
_FIELDS = st.lists(
    st.tuples(st.sampled_from(["csrf", "action", "name", "password", "password2", "role", "text", "term", "token",
                               "next", "key"]) | _TEXT, _TEXT),
    max_size=8,
)  # fmt: skip
_COOKIES = st.one_of(st.none(), st.just("valid"), st.text(st.characters(max_codepoint=255), max_size=80))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ADMIN_ROUTES), method=st.sampled_from(["GET", "POST"]), fields=_FIELDS,
       cookie=_COOKIES, with_csrf=st.booleans(), content_type=st.sampled_from([FORM["Content-Type"],
       "multipart/form-data; boundary=x", "text/plain", "application/x-www-form-urlencoded; charset=latin-1"]))  # fmt: skip
def test_generated_hostile_forms_and_cookies_on_every_admin_route_never_get_a_5xx(
    hostile_site, route, method, fields, cookie, with_csrf, content_type
):
    site = hostile_site
    headers = {"Content-Type": content_type}
    if cookie == "valid":
        headers["Cookie"] = f"bulletin_admin={site.cookie}"
        if with_csrf and route != "/admin/rebuild":  # a real rebuild is a process of its own
            fields = [*fields, ("csrf", site.token)]
    elif cookie is not None:
        headers["Cookie"] = "bulletin_admin=" + cookie.replace(";", "")
    body = urlencode(fields).encode() if content_type.startswith("application") else repr(fields).encode()
    result = site.client.simulate_request(method, route, body=body if method == "POST" else None, headers=headers)
    assert result.status_code < 500, (route, method, fields, cookie, result.text[:400])


@pytest.fixture
def hostile_site(admin):
    site, *_ = admin
    site.sign_in()
    site.token = site.csrf()
    return site


def test_the_client_address_is_taken_from_the_proxy_only(admin):
    from bulletin.address import client_address

    assert client_address("127.0.0.1", "10.1.2.3") == "10.1.2.3"
    assert client_address("127.0.0.1", "1.1.1.1, 10.1.2.3") == "10.1.2.3"  # the entry the proxy added
    assert client_address("10.9.9.9", "10.1.2.3") == "10.9.9.9"  # from elsewhere, the header is not believed
    assert client_address("127.0.0.1", "not an address") == "127.0.0.1"
    assert client_address("::1", "2001:db8::1") == "2001:db8::1"
