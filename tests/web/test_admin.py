"""The admin pages through falcon.testing: sign-in, CSRF, upload → preview → confirm, replace, remove,
rebuild, audit and vocabulary; and the CLI's remove and terms on the same code path."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from conftest import SEED, TOKEN, conforms, run_cli, tree_snapshot, variant_of_seed, wait_for

ADMIN_PATHS = ["/admin", "/admin/login", "/admin/rebuild", "/admin/audit", "/admin/vocabulary", "/admin/uploads/x"]


@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_without_the_token_every_admin_page_is_a_404(client, path):
    assert client.simulate_get(path).status_code == 404
    assert client.simulate_post(path).status_code == 404


def test_sign_in_sets_a_strict_http_only_cookie_that_expires(admin):
    site, _, _, _ = admin
    assert site.get("/admin", status=303).headers["location"].endswith("/admin/login?next=/admin")
    wrong = site.post("/admin/login", {"token": "guess"}, status=403)
    assert "令牌不对" in wrong.text and "bulletin_admin" not in wrong.cookies
    cookie = site.sign_in().cookies["bulletin_admin"]
    assert cookie.http_only and cookie.same_site == "Strict" and cookie.path == "/admin"
    assert 0 < cookie.max_age <= 8 * 3600
    page = site.get("/admin")
    assert "etag" not in page.headers and page.headers["cache-control"] == "no-store"  # never a stale 304
    soup = BeautifulSoup(page.text, "lxml")
    assert soup.h1.get_text() == "管理" and soup.select_one("form[action='/admin/upload'] input[type=file]")
    # A cookie signed with another key, or tampered with, is no session.
    site.cookie = site.cookie[:-4] + ("0000" if not site.cookie.endswith("0000") else "1111")
    assert site.get("/admin", status=303)


def test_upload_preview_confirm_replace_and_remove(admin):
    site, corpus, index, data = admin
    site.sign_in()
    before = tree_snapshot(corpus, index)
    result = site.upload("2020年第5期.md", variant_of_seed(2020, 5))
    preview_path = result.headers["location"]
    assert re.fullmatch(r"/admin/uploads/[0-9a-f]{64}", preview_path)
    soup = site.soup(preview_path)
    assert soup.h1.get_text() == "预览：2020年第5期" and "这是新的一期" in soup.get_text()
    assert [h.get_text() for h in soup.select(".preview h3")][:6] == [
        "【刊首语】", "【热点解读】", "【市局信息】", "【应用亮点】", "【区局动态】", "【它山之石】"
    ]  # fmt: skip
    rows = [[td.get_text() for td in tr.select("td")] for tr in soup.select(".admin-articles tbody tr")]
    assert len(rows) == 31 and ["石景山局：充分发挥执法记录仪在拆违工作中的作用", "石景山局", "石景山区", "15"] in rows
    warnings = soup.select(".warnings li")
    assert warnings and all(w.select_one(".line") for w in warnings[:3])
    assert soup.select(".terms li") and "收入词典" in soup.select_one(".terms").get_text()
    # Nothing is written before the confirmation.
    assert tree_snapshot(corpus, index) == before
    assert site.client.simulate_get("/api/issues/2020-05").status_code == 404

    csrf = site.csrf(preview_path)
    done = site.post(preview_path, {"csrf": csrf, "action": "confirm"}, status=200)
    link = BeautifulSoup(done.text, "lxml").find("a", string="查看这一期")["href"]
    assert link == "/issues/2020-05" and "已新增" in done.text
    assert (corpus / "2020" / "2020-05.md").read_bytes() == variant_of_seed(2020, 5)
    found = site.client.simulate_get("/api/search", params={"q": "执法记录仪", "issue": "2020-05"}).json
    assert found["total"] > 0

    # Replace: the same number with a retitled article and a revised sentence in another.
    text = (
        variant_of_seed(2020, 5)
        .decode("utf-8")
        .replace("充分发挥执法记录仪在拆违工作中的作用", "执法记录仪助力拆违")
        .replace("及时启动雨天环境管理应急预案", "及时启动暴雨环境管理应急预案")
    )
    preview_path = site.upload("2020-05.md", text.encode("utf-8")).headers["location"]
    soup = site.soup(preview_path)
    changes = soup.select_one(".changes").get_text()
    assert "将替换已有的 2020年第5期" in changes and "改标题 1 篇" in changes
    assert "石景山局：充分发挥执法记录仪在拆违工作中的作用 → 石景山局：执法记录仪助力拆违" in changes
    # The revised article is named, linked, and its changed words marked: 雨天 removed, 暴雨 added, in context.
    revised = soup.select(".revised > li")
    assert len(revised) == 1 and "正文或页码有改动 1 篇" in changes
    assert revised[0].a.get_text() == "怀柔局：快速反应 保障雨天街面环境整洁有序"
    assert revised[0].a["href"].startswith("/articles/2020-05-")
    assert [d.get_text() for d in revised[0].select("del")] == ["雨天"]
    assert [i.get_text() for i in revised[0].select("ins")] == ["暴雨"]
    assert "及时启动暴雨环境管理应急预案" in revised[0].select_one(".diff").get_text().replace("雨天", "")
    done = site.post(preview_path, {"csrf": site.csrf(preview_path), "action": "confirm"}, status=200)
    assert "已替换" in done.text
    assert site.client.simulate_get("/api/articles/2020-05-a20").json["title"] == "石景山局：执法记录仪助力拆违"

    confirm = site.soup("/admin/issues/2020-05/remove")
    assert "删除 2020年第5期？" in confirm.h1.get_text()
    removed = site.post("/admin/issues/2020-05/remove", {"csrf": site.csrf()}, status=200)
    assert "已删除 2020年第5期" in removed.text
    assert not (corpus / "2020" / "2020-05.md").exists()
    assert site.client.simulate_get("/api/issues/2020-05").status_code == 404
    assert tree_snapshot(corpus) == {k: v for k, v in before.items() if k.startswith(str(corpus))}

    entries = site.soup("/admin/audit").select(".audit tbody tr")
    actions = [tr.select("td")[1].get_text() for tr in entries]
    assert actions == ["删除", "替换", "预览", "新增", "预览", "登录"]
    assert all(tr.select("td")[2].get_text() == "成功" for tr in entries)
    replaced = [td.get_text() for td in entries[1].select("td")]
    assert replaced[3] == "令牌" and replaced[4] == "127.0.0.1"  # who (signed in with the token), from where
    assert re.fullmatch(r"2020-05 2020-05\.md [0-9a-f]{12}", replaced[5])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", replaced[0])  # Beijing time
    assert (data / "audit.log").read_text(encoding="utf-8").count("\n") == 6


def test_a_forged_form_or_no_cookie_is_refused_and_nothing_changes(admin):
    site, corpus, index, _data = admin
    site.sign_in()
    preview_path = site.upload("2020-05.md", variant_of_seed(2020, 5)).headers["location"]
    before = tree_snapshot(corpus, index)
    # Without the CSRF token (a form posted from another site carries the cookie but not the token).
    refused = site.post(preview_path, {"action": "confirm"}, status=403)
    assert "表单已失效" in refused.text
    site.post(preview_path, {"action": "confirm", "csrf": "0" * 32}, status=403)
    assert site.upload("x.md", variant_of_seed(2021, 1), csrf="", status=403)
    site.post("/admin/issues/2017-06/remove", {"csrf": "forged"}, status=403)
    site.post("/admin/rebuild", {}, status=403)
    # Without the cookie, the right token is no use either.
    csrf, site.cookie = site.csrf(), None
    site.post(preview_path, {"action": "confirm", "csrf": csrf}, status=403)
    site.post("/admin/issues/2017-06/remove", {"csrf": csrf}, status=403)
    assert tree_snapshot(corpus, index) == before


def test_a_file_that_cannot_be_read_changes_nothing(admin):
    site, corpus, index, _data = admin
    site.sign_in()
    before = tree_snapshot(corpus, index)
    failed = site.upload("broken.docx", b"PK\x03\x04 not really", status=422)
    assert "broken.docx" in failed.text and "没有改变" in failed.text
    assert "无法读取" in BeautifulSoup(failed.text, "lxml").h1.get_text()
    # An upload that is previewed and abandoned (or discarded) leaves them as they were too.
    preview_path = site.upload("2020-05.md", variant_of_seed(2020, 5)).headers["location"]
    site.post(preview_path, {"csrf": site.csrf(), "action": "discard"})
    site.get(preview_path, status=404)
    assert tree_snapshot(corpus, index) == before


def test_sign_out_revokes_the_session(admin):
    site, _, _, _ = admin
    site.sign_in()
    cookie = site.cookie
    out = site.post("/admin/logout", {"csrf": site.csrf()}, status=200)
    assert "已退出登录" in out.text
    assert out.cookies["bulletin_admin"].value == ""
    site.cookie = cookie  # the old cookie, kept by someone else, no longer works
    site.get("/admin", status=303)


@pytest.mark.slow  # a command or a rebuild in a process of its own
def test_rebuild_from_the_page_shows_progress_until_done(admin):
    site, _, _, _ = admin
    site.sign_in()
    site.post("/admin/rebuild", {"csrf": site.csrf()})

    def finished():
        soup = site.soup("/admin/rebuild")
        refresh = soup.select_one('meta[http-equiv="refresh"]')
        status = soup.select_one("[role=status], [role=alert]")
        return soup if refresh is None and status and "已完成" in status.get_text() else None

    soup = wait_for(finished, 60, "the rebuild to finish")
    assert "5 期，45 篇" in soup.select_one("[role=status]").get_text()
    assert "重建索引" in [tr.select("td")[1].get_text() for tr in site.soup("/admin/audit").select(".audit tbody tr")]


def test_vocabulary_lives_in_the_data_folder_and_a_term_can_be_accepted(admin):
    from indexer import candidate_terms
    from indexer.language.wordlists import shipped_file

    site, _corpus, _index, data = admin
    site.sign_in()
    soup = site.soup("/admin/vocabulary")
    texts = {t.find_previous("input", {"name": "name"})["value"]: t.get_text() for t in soup.select("textarea")}
    assert texts["userdict.txt"] == shipped_file("userdict.txt").read_text(encoding="utf-8")
    # A line not in the file's form is refused with its number, and nothing is written.
    bad = site.post(
        "/admin/vocabulary", {"csrf": site.csrf(), "name": "synonyms.txt", "text": "违建 拆违\n孤单\n"}, 400
    )
    assert "第 2 行" in bad.text and not (data / "vocabulary" / "synonyms.txt").exists()
    # Taking 执法城管通 (and 城管通) out of the dictionary and of the synonym groups (whose words jieba is given
    # too) makes it a candidate term of the seed issue, where it is printed 17 times; accepting it puts it back.
    taken = ("城管通 ", "执法城管通 ")
    without = "\n".join(line for line in texts["userdict.txt"].splitlines() if not line.startswith(taken))
    preview, _ = site.edit_vocabulary({"op": "file", "name": "userdict.txt", "text": without})
    assert [td.get_text() for td in preview.select(".edit-lines del")] == ["− 执法城管通 20000", "− 城管通 20000"]
    groups = "\n".join(line for line in texts["synonyms.txt"].splitlines() if "城管通" not in line)
    site.edit_vocabulary({"op": "file", "name": "synonyms.txt", "text": groups})
    lines = (data / "vocabulary" / "userdict.txt").read_text(encoding="utf-8").splitlines()
    assert not [line for line in lines if line.startswith(taken)] and len(lines) == len(without.splitlines())
    assert (data / "vocabulary" / "synonyms.txt").exists()  # seeded beside it
    from archive import read_file

    terms = {t.text: t for t in candidate_terms(read_file(SEED).issue, 50)}
    assert terms["执法城管通"].count == 17 and terms["执法城管通"].pieces == ("执法", "城管", "通")
    preview = site.soup(site.upload("2020-05.md", variant_of_seed(2020, 5)).headers["location"])
    listed = [li.select_one(".term").get_text() for li in preview.select(".terms li")]
    assert "执法城管通" in listed
    site.post("/admin/vocabulary", {"csrf": site.csrf(), "term": "执法城管通"})
    assert "\n执法城管通 2000\n" in (data / "vocabulary" / "userdict.txt").read_text(encoding="utf-8")
    assert "执法城管通" not in {t.text for t in candidate_terms(read_file(SEED).issue, 50)}
    assert "收录新词" in site.soup("/admin/audit").get_text()


def test_one_word_or_group_is_added_found_and_removed_each_shown_before_it_is_saved(admin):
    site, _corpus, _index, data = admin
    site.sign_in()
    userdict = data / "vocabulary" / "userdict.txt"

    def lines(path):
        return path.read_text(encoding="utf-8").splitlines() if path.exists() else []

    # Adding a word: the preview lists the one line added, and nothing is written until it is confirmed.
    preview = site.post(
        "/admin/vocabulary", {"csrf": site.csrf(), "op": "word", "word": "巡检宝", "frequency": "3000"}, 200
    )
    soup = BeautifulSoup(preview.text, "lxml")
    assert [i.get_text() for i in soup.select(".edit-lines ins")] == ["+ 巡检宝 3000"] and not soup.select("del")
    assert "巡检宝 3000" not in lines(userdict)
    site.edit_vocabulary({"op": "word", "word": "巡检宝", "frequency": "3000"})
    assert lines(userdict)[-1] == "巡检宝 3000"
    # The same word again with another frequency changes its line in place.
    soup, _ = site.edit_vocabulary({"op": "word", "word": "巡检宝", "frequency": "500"})
    assert [e.get_text() for e in soup.select(".edit-lines del, .edit-lines ins")] == ["− 巡检宝 3000", "+ 巡检宝 500"]
    assert lines(userdict).count("巡检宝 500") == 1 and "巡检宝 3000" not in lines(userdict)

    # A group of synonyms, typed with commas or spaces.
    soup, _ = site.edit_vocabulary({"op": "group", "words": "巡检宝，巡查宝 巡检终端"})
    assert [i.get_text() for i in soup.select(".edit-lines ins")] == ["+ 巡检宝 巡查宝 巡检终端"]
    assert lines(data / "vocabulary" / "synonyms.txt")[-1] == "巡检宝 巡查宝 巡检终端"

    # Found in both lists, each line with its number and a removal that is shown before it is saved.
    found = site.soup("/admin/vocabulary?find=巡检宝")
    rows = [[td.get_text() for td in tr.select("td")[:3]] for tr in found.select(".found tbody tr")]
    assert rows == [["领域词典", str(len(lines(userdict))), "巡检宝 500"],
                    ["同义词", str(len(lines(data / "vocabulary" / "synonyms.txt"))), "巡检宝 巡查宝 巡检终端"]]  # fmt: skip
    remove = {i["name"]: i["value"] for i in found.select(".found tbody tr")[0].select("input")}
    soup, _ = site.edit_vocabulary({k: v for k, v in remove.items() if k != "csrf"})
    assert [d.get_text() for d in soup.select(".edit-lines del")] == ["− 巡检宝 500"] and not soup.select("ins")
    assert not [line for line in lines(userdict) if line.startswith("巡检宝")]
    assert [
        tr.select("td")[0].get_text() for tr in site.soup("/admin/vocabulary?find=巡检宝").select(".found tbody tr")
    ] == ["同义词"]
    assert "两个词表里都没有含“巡检宝甲”的行" in site.soup("/admin/vocabulary?find=巡检宝甲").get_text()

    # A removal found before someone else's change no longer matches its line: refused, nothing written.
    found = site.soup("/admin/vocabulary?find=巡查宝").select_one(".found tbody tr")
    stale = {i["name"]: i["value"] for i in found.select("input") if i["name"] != "csrf"}
    site.edit_vocabulary({"op": "group", "words": "甲乙 丙丁"})  # the file changes under it
    stale["line"] = str(int(stale["line"]) + 1)
    refused = site.post("/admin/vocabulary", {"csrf": site.csrf(), **stale}, 409)
    assert "请重新查找" in refused.text
    # A preview confirmed after the file changed is refused too, and the other change is kept.
    preview = BeautifulSoup(
        site.post("/admin/vocabulary", {"csrf": site.csrf(), "op": "word", "word": "甲方"}, 200).text, "lxml"
    )
    first = {i["name"]: i.get("value", "") for i in preview.select("form.confirm input")}
    site.edit_vocabulary({"op": "word", "word": "乙方"})
    refused = site.post("/admin/vocabulary", first, 409)
    assert "已被修改" in refused.text and "乙方 2000" in lines(userdict) and "甲方 2000" not in lines(userdict)

    # Bad input is named and nothing is written.
    before = userdict.read_bytes()
    for fields, words in [({"op": "word", "word": "巡检 宝"}, "不能有空格"), ({"op": "word", "word": "宝", "frequency": "很多"}, "频次"),
                          ({"op": "group", "words": "孤单"}, "至少要有两个词"), ({"op": "word", "word": "长" * 31}, "最多 30 个字")]:  # fmt: skip
        assert words in site.post("/admin/vocabulary", {"csrf": site.csrf(), **fields}, 400).text
    assert userdict.read_bytes() == before
    # A file that is not a word list, a line number that is not one, a confirmation that skipped its preview.
    outside = {"op": "remove", "name": "../../etc/passwd", "line": "1", "entry": "root"}
    assert "没有名为" in site.post("/admin/vocabulary", {"csrf": site.csrf(), **outside}, 400).text
    assert "请重新查找" in site.post("/admin/vocabulary", {"csrf": site.csrf(), **{**remove, "line": "第一"}}, 409).text
    unpreviewed = {"confirm": "1", "name": "userdict.txt", "text": "甲 1\n"}
    assert "已被修改" in site.post("/admin/vocabulary", {"csrf": site.csrf(), **unpreviewed}, 409).text
    assert userdict.read_bytes() == before
    actions = [tr.select("td")[1].get_text() for tr in site.soup("/admin/audit").select(".audit tbody tr")]
    assert actions.count("修改词表") >= 6


@pytest.mark.slow  # a command or a rebuild in a process of its own
def test_cli_remove_and_terms(fresh, tmp_path):
    import getpass

    from indexer import AuditLog

    corpus, index = fresh
    data = tmp_path / "data"
    removed = run_cli("--data", str(data), "remove", "2018-03", "--corpus", str(corpus), "--index", str(index))
    assert removed.returncode == 0, removed.stderr
    assert "已删除 2018-03" in removed.stdout and not list(corpus.rglob("2018-03.*"))
    # The command line's writes go the one way the pages' and the API's do, audited under the system user.
    (entry,) = AuditLog(data / "audit.log").entries()
    assert (entry["action"], entry["issue"], entry["actor"]) == ("remove", "2018-03", f"{getpass.getuser()}（命令行）")
    again = run_cli("remove", "2018-03", "--corpus", str(corpus), "--index", str(index))
    assert again.returncode == 1 and "没有编号为“2018-03”的一期" in again.stderr
    listed = run_cli("terms", "2017-06", "--corpus", str(corpus), "--limit", "2")
    assert listed.returncode == 0 and listed.stdout.splitlines()[0] == "执法队\t24 次\t现切为 执法 / 队"
    assert len(listed.stdout.splitlines()) == 2
    missing = run_cli("terms", "1999-01", "--corpus", str(corpus))
    assert missing.returncode == 1 and "1999-01" in missing.stderr


def test_api_delete_removes_an_issue_with_the_token(writable, openapi):
    client, corpus, _index = writable
    refused = client.simulate_delete("/api/issues/2018-03")
    assert refused.status_code == 401
    gone = client.simulate_delete("/api/issues/2018-03", headers={"Authorization": f"Bearer {TOKEN}"})
    body = conforms(openapi, gone, "/api/issues/{id}", "delete")
    assert body["removed"] == "2018-03" and body["files"] == ["2018-03.txt"] and body["articles"] > 0
    assert client.simulate_get("/api/issues/2018-03").status_code == 404 and not list(corpus.rglob("2018-03.*"))
    assert (
        client.simulate_delete("/api/issues/2018-03", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404
    )


def test_removing_an_issue_twice_says_it_is_gone(admin):
    site, corpus, index, _data = admin
    site.sign_in()
    site.post("/admin/issues/2018-03/remove", {"csrf": site.csrf()}, status=200)
    before = tree_snapshot(corpus, index)
    again = site.post("/admin/issues/2018-03/remove", {"csrf": site.csrf()}, status=404)
    assert "没有编号为“2018-03”的一期" in again.text and "<!DOCTYPE html>" in again.text
    assert tree_snapshot(corpus, index) == before


def test_a_replacement_is_compared_article_by_article_within_bounds():
    """An article inserted ahead shifts ids but is paired by title; a long rewritten paragraph is shown
    replaced whole; past MAX_PIECES changed stretches an article's are counted, not shown."""
    import dataclasses

    from archive import Paragraph, read_file
    from indexer.admin.changes import COMPARED, MAX_PIECES, compare

    seed = list(read_file(SEED).issue.articles)
    first, second = seed[0], seed[1]
    inserted = dataclasses.replace(first, id="x-a00", title="新增的一篇", paragraphs=(Paragraph("全新内容。"),))
    long_old, long_new = "甲" * (COMPARED + 1), "乙" * (COMPARED + 1)
    many = "，".join(f"第{k}项" for k in range(MAX_PIECES + 10))
    after = [
        inserted,
        dataclasses.replace(first, id=second.id, paragraphs=(*first.paragraphs, Paragraph(long_new))),
        dataclasses.replace(second, id="x-a02", paragraphs=(Paragraph(many.replace("项", "条")),), page=99),
        *seed[2:],
    ]
    before = [
        dataclasses.replace(first, paragraphs=(*first.paragraphs, Paragraph(long_old))),
        dataclasses.replace(second, paragraphs=(Paragraph(many),)),
        *seed[2:],
    ]
    changes = compare({"articles": []}, before, after)
    assert [a["title"] for a in changes.added] == ["新增的一篇"] and not changes.removed and not changes.retitled
    revised = {r.title: r for r in changes.revised}
    assert set(revised) == {first.title, second.title}
    assert revised[first.title].paragraphs == [[("removed", long_old), ("added", long_new)]]
    paged = revised[second.title]
    assert paged.page == (second.page, 99) and paged.more > 0
    assert sum(kind in ("added", "removed") for para in paged.paragraphs for kind, _ in para) <= MAX_PIECES


def test_an_edit_of_a_whole_list_of_alike_lines_lists_just_its_changes():
    """20,000 alike lines (the most a list may hold) with ten replaced: the preview lists those ten and their
    replacements (compared line for line without junk heuristics this took minutes)."""
    from indexer.language.edits import Edit

    before = "\n".join(["城管通 2000"] * 20_000) + "\n"
    after = "\n".join(["城管通 2000"] * 19_990 + ["巡检宝 100"] * 10) + "\n"
    changes = Edit("userdict.txt", before, after).changes()
    assert [kind for kind, _, _ in changes] == ["removed"] * 10 + ["added"] * 10
    assert {line for kind, _, line in changes if kind == "added"} == {"巡检宝 100"}


def test_an_article_of_thousands_of_alike_paragraphs_is_compared_at_once():
    import dataclasses

    from archive import Paragraph, read_file
    from indexer.admin.changes import compare

    first = read_file(SEED).issue.articles[0]
    old = dataclasses.replace(first, paragraphs=(Paragraph("同一段。"),) * 20_000)
    new = dataclasses.replace(first, paragraphs=(Paragraph("同一段。"),) * 19_999 + (Paragraph("新的一段。"),))
    (revised,) = compare({"articles": []}, [old], [new]).revised
    assert revised.paragraphs == [[("removed", "同"), ("added", "新的"), ("same", "一段。")]]
