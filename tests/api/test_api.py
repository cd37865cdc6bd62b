"""The JSON API through falcon.testing: every endpoint, parameter and error, checked against OpenAPI."""

from __future__ import annotations

import json

import falcon
import pytest
from conftest import app_client, conforms, tree_snapshot, upload, variant_of_seed, wait_for

from api import JSON
from indexer.engine.request import MAX_QUERY

TOKEN = {"Authorization": "Bearer s3cret-token"}


def test_search_returns_the_documented_object(client, openapi):
    body = conforms(openapi, client.simulate_get("/api/search", params={"q": "城管通", "per_page": 3}), "/api/search")
    assert set(body) == {"query", "total", "page", "per_page", "took_ms", "hits", "facets", "understood"}
    assert body["understood"] == {
        "typed": "城管通",
        "searched": "城管通",
        "mode": "exact",
        "changes": [],
        "guessed": False,
        "expanded": [],
        "conditions": [],
        "unfiltered": [],
        "missing": [],
        "notices": [],
        "suggestion": None,
    }
    assert body["total"] == 14 and len(body["hits"]) == 3
    hit = body["hits"][0]
    assert hit["url"] == f"/articles/{hit['id']}" and "<mark>城管通</mark>" in hit["snippet"]
    assert set(body["facets"]) == {"district", "section", "year", "issue"}


def test_chinese_is_not_escaped(client):
    raw = client.simulate_get("/api/search", params={"q": "城管通"}).text
    assert "城管通" in raw and "\\u" not in raw


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"q": "执法记录仪", "district": "怀柔局"}, lambda b: {h["district"] for h in b["hits"]} == {"怀柔区"}),
        ({"q": "执法记录仪", "section": "【区局动态】"}, lambda b: {h["section"] for h in b["hits"]} == {"区局动态"}),
        ({"from": "2018", "to": "2018-12"}, lambda b: {h["issue"] for h in b["hits"]} == {"2018-03"}),
        ({"q": "城管通", "sort": "date"}, lambda b: [h["date"] for h in b["hits"]] == sorted((h["date"] for h in b["hits"]), reverse=True)),
        ({"q": "执法", "page": "2", "per_page": "5"}, lambda b: b["page"] == 2 and len(b["hits"]) == 5),
        ({}, lambda b: b["total"] == 45 and b["hits"][0]["issue"] == "2019-02"),
    ],
)  # fmt: skip
def test_search_parameters(client, openapi, params, check):
    body = conforms(openapi, client.simulate_get("/api/search", params=params), "/api/search")
    assert check(body)


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"from": "2017-02-30"}, "from"),
        ({"from": "2018", "to": "2017"}, "to"),
        ({"sort": "newest"}, "sort"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"per_page": "101"}, "per_page"),
        ({"per_page": "-5"}, "per_page"),
        ({"q": "城" * (MAX_QUERY + 1)}, "q"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter_in_chinese(client, openapi, params, param):
    body = conforms(openapi, client.simulate_get("/api/search", params=params), "/api/search")
    assert body["param"] == param and body["title"] == "参数无效"
    assert param in body["description"] and any("\u4e00" <= c <= "\u9fff" for c in body["description"])


def test_error_body_shape_is_pinned(client):
    body = client.simulate_get("/api/search", params={"page": "0"}).json
    assert body == {
        "title": "参数无效",
        "description": "参数 page：页码必须是 1 到 100000 之间的整数。",
        "param": "page",
    }


def test_article(client, openapi):
    body = conforms(openapi, client.simulate_get("/api/articles/2017-06-a20"), "/api/articles/{id}")
    assert body["title"] == "石景山局：充分发挥执法记录仪在拆违工作中的作用"
    assert (body["previous"], body["next"]) == ("2017-06-a19", "2017-06-a21")
    assert body["issue"]["label"] == "2017年第6期" and body["page"] == 15
    shenzhen = client.simulate_get("/api/articles/2017-06-a31").json
    assert [p["kind"] for p in shenzhen["paragraphs"]].count("subheading") == 4
    assert shenzhen["source"] == "（摘编自：贵阳日报）"


@pytest.mark.parametrize(
    ("path", "template"),
    [("/api/articles/2099-01-a01", "/api/articles/{id}"), ("/api/issues/1999-01", "/api/issues/{id}")],
)
def test_unknown_ids_are_404(client, openapi, path, template):
    body = conforms(openapi, client.simulate_get(path), template)
    assert body["title"] == "未找到" and path.rsplit("/", 1)[1] in body["description"]


def test_issues_newest_first_and_one_issue(client, openapi):
    body = conforms(openapi, client.simulate_get("/api/issues"), "/api/issues")
    assert [i["id"] for i in body["issues"]] == ["2019-02", "2019-01", "2018-03", "2017-06", "2016-12"]
    issue = conforms(openapi, client.simulate_get("/api/issues/2017-06"), "/api/issues/{id}")
    assert len(issue["articles"]) == 31 and issue["articles"][19]["url"] == "/articles/2017-06-a20"
    assert next(e["title"] for e in issue["toc"] if e["is_section"]) == "刊首语"


def test_health(client, openapi):
    body = conforms(openapi, client.simulate_get("/healthz"), "/healthz")
    assert body["status"] == "ok" and body["articles"] == 45 and body["issues"] == 5 and body["generation"]


def test_health_without_an_index_is_503(tmp_path, openapi):
    client, _ = app_client(tmp_path, tmp_path / "none", admin_token=None)
    result = client.simulate_get("/healthz")
    body = conforms(openapi, result, "/healthz")
    assert body["status"] == "unavailable" and "bulletin reindex" in body["message"]
    search = client.simulate_get("/api/search", params={"q": "城管通"})
    assert search.status_code == 503 and "bulletin reindex" in search.json["description"]


def test_openapi_document_matches_the_endpoints_exactly(client, openapi):
    served = client.simulate_get("/api/openapi.json").json
    assert served == openapi and served["openapi"].startswith("3.1")
    samples = {"{id}": "2017-06-a20"}
    for path, operations in openapi["paths"].items():
        url = path.replace("{id}", samples["{id}"] if "articles" in path else "2017-06")
        for method in ("get", "post", "put", "patch", "delete"):
            status = client.simulate_request(method.upper(), url).status_code
            if method in operations:
                assert status != 405, (method, path)
            else:
                assert status == 405, (method, path)


def test_get_responses_carry_an_etag_keyed_by_the_index_generation(writable):
    client, _corpus, _index = writable
    first = client.simulate_get("/api/search", params={"q": "城管通"})
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    again = client.simulate_get("/api/search", params={"q": "城管通"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.text == ""
    posted = upload(client, {"file": ("2020-05.md", variant_of_seed(2020, 5))}, TOKEN)
    assert posted.status_code == 200
    after = client.simulate_get("/api/search", params={"q": "城管通"}, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag and after.json["total"] == 25
    assert "no-store" in client.simulate_get("/healthz").headers["cache-control"]


def test_writes_are_disabled_without_the_variable(client, openapi, built):
    before = tree_snapshot(*built)
    posted = upload(client, {"file": ("x.md", variant_of_seed(2020, 5))}, TOKEN)
    body = conforms(openapi, posted, "/api/issues", "post")
    assert posted.status_code == 403 and "BULLETIN_ADMIN_TOKEN" in body["description"]
    assert conforms(openapi, client.simulate_post("/api/reindex", headers=TOKEN), "/api/reindex", "post")
    assert client.simulate_post("/api/reindex").status_code == 403
    assert tree_snapshot(*built) == before


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-token"}, {"Authorization": "Basic s3cret-token"}],
)
def test_wrong_or_missing_token_is_401_and_nothing_changes(writable, openapi, headers):
    client, corpus, index = writable
    before = tree_snapshot(corpus, index)
    posted = upload(client, {"file": ("x.md", variant_of_seed(2020, 5))}, headers)
    conforms(openapi, posted, "/api/issues", "post")
    assert posted.status_code == 401 and posted.headers["www-authenticate"] == "Bearer"
    assert client.simulate_post("/api/reindex", headers=headers).status_code == 401
    assert tree_snapshot(corpus, index) == before


@pytest.mark.slow  # the rebuild runs in a process of its own
def test_upload_with_the_token_lands_and_is_found(writable, openapi):
    client, corpus, _index = writable
    posted = upload(client, {"file": ("../../etc/passwd.md", variant_of_seed(2020, 5))}, TOKEN)
    body = conforms(openapi, posted, "/api/issues", "post")
    assert body["added"] == ["2020-05"] and body["articles"] == 31 and body["warnings"]
    assert (corpus / "2020" / "2020-05.md").read_bytes() == variant_of_seed(2020, 5)
    assert not list(corpus.parent.rglob("passwd*"))
    assert client.simulate_get("/api/search", params={"from": "2020", "to": "2020"}).json["total"] == 31
    again = conforms(
        openapi, upload(client, {"file": ("a.md", variant_of_seed(2020, 5))}, TOKEN), "/api/issues", "post"
    )
    assert again["unchanged"] == ["2020-05"]
    # A rebuild answers at once and runs in a process of its own, followed at its status address.
    posted = client.simulate_post("/api/reindex", headers=TOKEN)
    started = conforms(openapi, posted, "/api/reindex", "post")
    assert posted.status_code == 202 and posted.headers["location"] == started["status_url"] == "/api/reindex"

    def finished():
        status = conforms(openapi, client.simulate_get("/api/reindex", headers=TOKEN), "/api/reindex", "get")
        return status if status["state"] in ("done", "failed") else None

    rebuilt = wait_for(finished, 60, "the background rebuild")
    assert rebuilt["state"] == "done" and rebuilt["issues"] == 6 and rebuilt["done"] == 76


@pytest.mark.parametrize(
    ("files", "status", "words"),
    [
        ({"file": ("big.md", b"x" * 300_000)}, 413, "不能超过"),
        ({"file": ("blob.md", bytes(range(256)) * 10)}, 422, "二进制"),
        ({"file": ("issue.docx", b"PK\x03\x04 not really")}, 422, "损坏"),
        ({"file": ("issue.exe", b"MZ\x90\x00")}, 415, ".exe"),
        ({"file": ("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n")}, 422, "期号"),
        ({"other": ("x.md", b"hello")}, 400, "file"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_written(writable, openapi, files, status, words):
    client, corpus, index = writable
    before = tree_snapshot(corpus, index)
    result = upload(client, files, TOKEN)
    body = conforms(openapi, result, "/api/issues", "post")
    assert result.status_code == status and words in body["description"]
    assert tree_snapshot(corpus, index) == before


def test_non_multipart_upload_is_415(writable, openapi):
    client, _, _ = writable
    result = client.simulate_post("/api/issues", headers={**TOKEN, "Content-Type": "text/plain"}, body="2017年第6期")
    assert conforms(openapi, result, "/api/issues", "post")["title"] == "格式不对"


def test_a_parameter_given_twice_counts_its_last_value(client):
    twice = client.simulate_get("/api/search", query_string="q=xyz&q=%E5%9F%8E%E7%AE%A1%E9%80%9A&page=5&page=1")
    once = client.simulate_get("/api/search", params={"q": "城管通"})
    assert twice.status_code == 200 and twice.json["total"] == once.json["total"] == 14
    assert twice.json["page"] == 1


def test_issue_filter_narrows_and_its_facet_still_counts_every_issue(client):
    everywhere = client.simulate_get("/api/search", params={"q": "城管通"}).json
    for typed in ("2017-06", "2017-6", "2017年第6期"):
        within = client.simulate_get("/api/search", params={"q": "城管通", "issue": typed}).json
        assert within["total"] == within["facets"]["issue"]["2017-06"] == 11, typed
        assert {hit["issue"] for hit in within["hits"]} == {"2017-06"}
        # Counted without its own filter: the other issues with the word stay visible.
        assert within["facets"]["issue"] == everywhere["facets"]["issue"]
    assert sum(everywhere["facets"]["issue"].values()) == everywhere["total"] == 14
    nothing = client.simulate_get("/api/search", params={"q": "城管通", "issue": "1999-01"})
    assert nothing.status_code == 200 and nothing.json["total"] == 0


def test_issue_filter_from_the_command_line(built):
    from click.testing import CliRunner

    from bulletin.cli import main

    result = CliRunner().invoke(main, ["search", "城管通", "--issue", "2017年第6期", "--index", str(built[1])])
    assert result.exit_code == 0 and "共 11 篇" in result.output


def test_related_articles_share_distinctive_words(client):
    def related(article_id):
        body = client.simulate_get(f"/api/articles/{article_id}").json
        assert len(body["related"]) <= 5 and article_id not in {r["id"] for r in body["related"]}
        return {r["id"]: r for r in body["related"]}

    # The two WannaCry (勒索病毒, 永恒之蓝) articles of the seed issue list each other.
    assert "2017-06-a11" in related("2017-06-a03") and "2017-06-a03" in related("2017-06-a11")
    # The 峰会 articles of different districts are related.
    summit = related("2017-06-a05")  # 朝阳局, 峰会期间环境秩序保障
    others = [
        r for r in summit.values() if ("峰会" in r["title"] or "高峰论坛" in r["title"]) and r["unit"] != "朝阳局"
    ]
    assert others, summit
    assert "2017-06-a05" in related("2017-06-a14")  # 怀柔局's 峰会 article lists 朝阳局's
    assert set(next(iter(summit.values()))) == {"id", "title", "unit", "issue", "date", "url"}


def test_keys_that_are_not_strings_are_written_as_the_standard_library_writes_them():
    data = {"facets": {"year": {2017: 3, "2016": 1}}, "hits": [{"title": "城管", "page": None}]}
    written = JSON.serialize(data, falcon.MEDIA_JSON)
    assert json.loads(written) == json.loads(json.dumps(data, ensure_ascii=False))
    assert json.loads(JSON.serialize({"a": 1}, falcon.MEDIA_JSON)) == {"a": 1}
