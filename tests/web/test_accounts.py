"""Named staff accounts: passwords, sign-in, lock-out and throttling, roles, session time-outs, the token on a
fresh install, the command line's `bulletin user`, and the audit trail's chain."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from conftest import PASSWORD, TOKEN, AdminSite, variant_of_seed

from bulletin.cli import main
from indexer.admin.accounts import (
    ADDRESS_FAILURES,
    IDLE_SECONDS,
    LOCK_SECONDS,
    SESSION_SECONDS,
    AccountError,
    Accounts,
    check_password,
)
from indexer.admin.audit import AuditLog


def audit(data) -> list[dict]:
    return [json.loads(line) for line in (data / "audit.log").read_text(encoding="utf-8").splitlines()]


def add_user(data, name, role="editor", password=PASSWORD):
    result = CliRunner().invoke(main, ["--data", str(data), "user", "add", name, "--role", role], input=password + "\n")
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize(
    "password", ["Short1!", "alllowercaseletters", "ALLUPPER123", "nodigits-but-long", "张三Abc12345", "x" * 200]
)
def test_weak_passwords_are_refused_with_the_rule(password):
    with pytest.raises(AccountError) as info:
        check_password(password, "张三")
    assert "至少三类" in str(info.value) or "用户名" in str(info.value)


def test_strong_enough_passwords_are_taken():
    for password in ("Abcdefgh12", "abcdefgh1!", "天安门-Square-2017", PASSWORD):
        check_password(password, "张三")


def test_cli_adds_lists_disables_and_resets_accounts_reading_the_password_from_stdin(tmp_path):
    data = tmp_path / "data"
    weak = CliRunner().invoke(main, ["--data", str(data), "user", "add", "张三"], input="password\n")
    assert weak.exit_code == 1 and "密码太弱" in weak.output
    assert "已新增编辑“张三”" in add_user(data, "张三").output
    add_user(data, "李四", "admin")
    listed = CliRunner().invoke(main, ["--data", str(data), "user", "list"]).output.splitlines()
    assert listed == ["张三\t编辑\t正常", "李四\t管理员\t正常"]
    assert CliRunner().invoke(main, ["--data", str(data), "user", "disable", "张三"]).exit_code == 0
    reset = CliRunner().invoke(main, ["--data", str(data), "user", "password", "李四"], input="New-passw0rd\n")
    assert reset.exit_code == 0
    again = CliRunner().invoke(main, ["--data", str(data), "user", "add", "李四"], input=PASSWORD + "\n")
    assert again.exit_code == 1 and "已存在" in again.output
    nobody = CliRunner().invoke(main, ["--data", str(data), "user", "disable", "王五"])
    assert nobody.exit_code == 1 and "没有用户“王五”" in nobody.output
    records = audit(data)
    assert [(r["action"], r["target"], r["outcome"]) for r in records] == [
        ("user-add", "张三", "failed"), ("user-add", "张三", "ok"), ("user-add", "李四", "ok"),
        ("user-disable", "张三", "ok"), ("user-password", "李四", "ok"), ("user-add", "李四", "failed"),
        ("user-disable", "王五", "failed"),
    ]  # fmt: skip
    assert all(r["actor"].endswith("（命令行）") for r in records)
    assert "密码太弱" in records[0]["detail"]
    assert PASSWORD not in (data / "audit.log").read_text(encoding="utf-8")  # no password is ever recorded
    assert Accounts(data / "accounts.sqlite3").sign_in("李四", "New-passw0rd", "x").outcome == "ok"
    assert (data / "accounts.sqlite3").stat().st_mode & 0o777 == 0o600


def test_a_named_account_signs_in_and_its_actions_and_failures_are_audited_under_its_name(admin):
    site, corpus, _, data = admin
    add_user(data, "张三")
    login = site.get("/admin/login")
    assert 'name="password"' in login.text and 'name="token"' not in login.text  # the token no longer signs in
    site.sign_in("张三", "wrong-Passw0rd", status=403)
    site.sign_in("张三")
    preview = site.upload("2020-05.md", variant_of_seed(2020, 5)).headers["location"]
    site.post(preview, {"csrf": site.csrf(preview), "action": "confirm"}, status=200)
    site.post("/admin/logout", {"csrf": site.csrf()}, status=200)
    records = [r for r in audit(data) if r["action"] != "user-add"]
    assert [(r["action"], r["actor"], r["outcome"]) for r in records] == [
        ("sign-in", "张三", "failed"), ("sign-in", "张三", "ok"), ("preview", "张三", "ok"),
        ("add", "张三", "ok"), ("sign-out", "张三", "ok"),
    ]  # fmt: skip
    assert all(r["address"] == "127.0.0.1" and r["time"].endswith("+08:00") for r in records)
    assert (corpus / "2020" / "2020-05.md").exists()


def test_six_wrong_passwords_lock_the_account_even_against_the_right_one(admin):
    site, _, _, data = admin
    add_user(data, "张三")
    for attempt in range(5):
        refused = site.sign_in("张三", f"Wrong-{attempt}-passw0rd", status=403)
    assert "已被锁定" in refused.text and "15 分钟" in refused.text
    assert "已被锁定" in site.sign_in("张三", "Wrong-6-passw0rd", status=403).text
    assert "已被锁定" in site.sign_in("张三", PASSWORD, status=403).text  # the sixth try, right, still refused
    assert [r["action"] for r in audit(data)].count("lock") == 1
    accounts = Accounts(data / "accounts.sqlite3")
    import time

    assert accounts.sign_in("张三", PASSWORD, "10.0.0.9", now=time.time() + LOCK_SECONDS + 1).outcome == "ok"


def test_forty_wrong_sign_ins_from_one_address_are_throttled_and_others_are_not(admin):
    site, _, _, data = admin
    add_user(data, "张三")
    add_user(data, "李四")
    statuses = [site.sign_in("张三" if i % 2 else "nobody", f"Guess-{i}-passw0rd", status=None).status_code
                for i in range(40)]  # fmt: skip
    assert statuses[:ADDRESS_FAILURES] == [403] * ADDRESS_FAILURES
    assert set(statuses[ADDRESS_FAILURES:]) == {429}
    throttled = site.sign_in("李四", PASSWORD, status=429)  # even the right password waits
    assert "失败次数过多" in throttled.text and 0 < int(throttled.headers["retry-after"]) <= 15 * 60
    elsewhere = AdminSite(site.client, address="10.0.0.2")
    elsewhere.sign_in("李四")  # another address is not held back
    records = audit(data)
    assert sum(r["action"] == "sign-in" and r["outcome"] == "failed" for r in records) == ADDRESS_FAILURES
    assert sum(r["action"] == "throttle" for r in records) == 1  # the attacker does not fill the trail


def test_forty_wrong_bearer_tokens_are_throttled(writable):
    client, *_ = writable
    statuses = [
        client.simulate_post("/api/reindex", headers={"Authorization": f"Bearer guess-{i}"}).status_code
        for i in range(40)
    ]
    assert statuses[:ADDRESS_FAILURES] == [401] * ADDRESS_FAILURES and set(statuses[ADDRESS_FAILURES:]) == {429}
    right = client.simulate_get("/api/reindex", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 429 and right.json["title"] == "尝试过多" and "retry-after" in right.headers


def test_editors_cannot_edit_the_vocabulary_read_the_audit_or_manage_accounts(admin):
    site, _, _, data = admin
    add_user(data, "张三", "editor")
    site.sign_in("张三")
    home = site.get("/admin").text
    assert "/admin/vocabulary" not in home and "张三（编辑）" in home
    for path in ("/admin/vocabulary", "/admin/audit", "/admin/users"):
        refused = site.get(path, status=403)
        assert "没有权限" in refused.text and "需要管理员" in refused.text
    site.post("/admin/vocabulary", {"csrf": site.csrf(), "name": "synonyms.txt", "text": "甲 乙"}, status=403)
    site.get("/admin/rebuild")  # editors rebuild


def test_the_token_signs_in_only_until_the_first_account_exists(admin):
    site, _, _, data = admin
    site.sign_in()  # the token, on a fresh install
    csrf = site.csrf("/admin/users")
    fields = {"csrf": csrf, "action": "add", "name": "管理员甲", "role": "admin"}
    weak = site.post("/admin/users", {**fields, "password": "weak", "password2": "weak"}, status=400)
    assert "密码太弱" in weak.text
    done = site.post("/admin/users", {**fields, "password": PASSWORD, "password2": PASSWORD}, status=200)
    assert "请用新账户重新登录" in done.text
    assert site.get("/admin", status=303)  # the token's session ended with the first account
    wrong = site.post("/admin/login", {"token": TOKEN}, status=403)
    assert "用户名或密码不对" in wrong.text
    site.sign_in("管理员甲")
    assert "管理员甲（管理员）" in site.get("/admin/users").text
    assert [(r["action"], r["actor"], r.get("target")) for r in audit(data)][1] == ("user-add", "令牌", "管理员甲")


def test_disabling_an_account_or_resetting_its_password_ends_its_sessions(admin):
    site, _, _, data = admin
    add_user(data, "管理员甲", "admin")
    add_user(data, "张三")
    boss, clerk = site, AdminSite(site.client, address="10.0.0.3")
    boss.sign_in("管理员甲")
    clerk.sign_in("张三")
    clerk.get("/admin")
    boss.post("/admin/users", {"csrf": boss.csrf(), "action": "password", "name": "张三", "password": "Another-0ne!"},
              status=200)  # fmt: skip
    clerk.get("/admin", status=303)
    clerk.sign_in("张三", "Another-0ne!")
    boss.post("/admin/users", {"csrf": boss.csrf(), "action": "disable", "name": "张三"}, status=200)
    clerk.get("/admin", status=303)
    assert "账户已停用" in clerk.sign_in("张三", "Another-0ne!", status=403).text
    myself = boss.post("/admin/users", {"csrf": boss.csrf(), "action": "disable", "name": "管理员甲"}, status=400)
    assert "不能停用自己" in myself.text


def test_sessions_end_after_30_idle_minutes_and_after_8_hours(tmp_path):
    accounts = Accounts(tmp_path / "accounts.sqlite3")
    accounts.add("张三", "editor", PASSWORD)
    start = 1_000_000.0
    session = accounts.open_session("张三", "editor", "x", now=start)
    assert accounts.session(session.id, now=start + IDLE_SECONDS - 5) is not None
    assert accounts.session(session.id, now=start + 2 * IDLE_SECONDS - 10) is not None  # each use restarts it
    assert accounts.session(session.id, now=start + 3 * IDLE_SECONDS) is None  # idle past 30 minutes
    busy = accounts.open_session("张三", "editor", "x", now=start)
    for minute in range(0, SESSION_SECONDS // 60, 20):
        assert accounts.session(busy.id, now=start + minute * 60) is not None
    assert accounts.session(busy.id, now=start + SESSION_SECONDS + 60) is None  # used all day: 8 hours at most


def test_the_audit_chain_finds_an_edit_a_deletion_an_insertion_and_a_cut_tail(tmp_path):
    from indexer import Actor

    log = AuditLog(tmp_path / "audit.log")
    for number in range(6):
        log.record("remove", Actor("张三", "10.0.0.1"), issue=f"2017-0{number + 1}")
    assert log.verify() == (6, [])
    lines = log.path.read_text(encoding="utf-8").splitlines(keepends=True)

    def problems(changed: list[str]) -> list[str]:
        log.path.write_text("".join(changed), encoding="utf-8")
        return log.verify()[1]

    edited = [*lines[:2], lines[2].replace("张三", "李四"), *lines[3:]]
    assert any("第 3 行" in p and "被改动" in p for p in problems(edited))
    assert any("第 3 行" in p and "删除" in p for p in problems(lines[:2] + lines[3:]))
    assert any("末尾的记录被删除" in p for p in problems(lines[:-1]))
    assert any("被删除、插入或调换" in p for p in problems([*lines[:2], lines[3], lines[2], *lines[4:]]))
    assert problems(lines) == []


def test_bulletin_verify_reports_a_tampered_audit_trail(fresh, tmp_path):
    corpus, index = fresh
    data = tmp_path / "data"
    add_user(data, "张三")
    add_user(data, "李四")
    args = ["--data", str(data), "verify", "--corpus", str(corpus), "--index", str(index)]
    clean = CliRunner().invoke(main, args)
    assert clean.exit_code == 0 and "哈希链完整" in clean.output
    log = data / "audit.log"
    log.write_text(re.sub("李四", "王五", log.read_text(encoding="utf-8")), encoding="utf-8")
    tampered = CliRunner().invoke(main, args)
    assert tampered.exit_code == 1 and "第 2 行" in tampered.output and "被改动" in tampered.output


def test_an_admin_downloads_a_backup_from_the_pages_and_an_editor_cannot(admin, tmp_path):
    from indexer.storage.backup import read_backup

    site, corpus, _, data = admin
    add_user(data, "李四", "admin")
    add_user(data, "张三", "editor")
    site.sign_in("李四")
    home, removal = site.soup("/admin"), site.soup("/admin/issues/2017-06/remove")
    assert home.select_one("form[action='/admin/backup'] button").get_text() == "下载备份"
    assert removal.select_one("form[action='/admin/backup'] button").get_text() == "先下载备份"
    got = site.post("/admin/backup", {"csrf": site.csrf()}, status=200)
    assert got.headers["content-type"] == "application/gzip"
    assert re.search(r'attachment; filename="?bulletin-backup-[\w-]+\.tar\.gz', got.headers["content-disposition"])
    kept = tmp_path / "kept.tar.gz"
    kept.write_bytes(got.content)
    files = read_backup(kept)  # every file checked against the manifest
    assert "corpus/2017/2017-06.md" in files and "data/accounts.sqlite3" in files
    assert files["corpus/2017/2017-06.md"] == (corpus / "2017" / "2017-06.md").read_bytes()
    assert [r["actor"] for r in audit(data) if r["action"] == "backup"] == ["李四"]
    editor = AdminSite(site.client)
    editor.sign_in("张三")
    assert "/admin/backup" not in editor.get("/admin").text + editor.get("/admin/issues/2017-06/remove").text
    refused = editor.post("/admin/backup", {"csrf": editor.csrf()}, status=403)
    assert "需要管理员" in refused.text
