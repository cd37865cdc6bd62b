"""The command line speaks Chinese throughout, takes its folders either side of the command, and a server says
where it is, how its first build goes, and leaves no socket another server could lose."""

from __future__ import annotations

import json
import signal
import time
import urllib.request

import click
import pytest
from click.testing import CliRunner
from conftest import free_port, make_corpus, start_cli

from bulletin.cli import main

ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message", "[OPTIONS]", "COMMAND [ARGS]", "Error:", "Try '")


def every_command(group: click.Group, path: tuple[str, ...] = ()):
    yield path
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from every_command(command, (*path, name))
        else:
            yield (*path, name)


@pytest.mark.parametrize("path", list(every_command(main)), ids=lambda p: " ".join(p) or "bulletin")
def test_every_help_is_in_chinese(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    assert "用法：" in result.output and "显示本帮助并退出" in result.output
    assert not [word for word in ENGLISH if word in result.output], result.output


def test_mistakes_are_told_in_chinese():
    wrong = CliRunner().invoke(main, ["search", "城管通", "--nope"])
    assert wrong.exit_code == 2 and "错误：没有选项 '--nope'" in wrong.output and "查看帮助" in wrong.output
    unknown = CliRunner().invoke(main, ["serch", "城管通"])
    assert "错误：没有命令 'serch'" in unknown.output and "'search'" in unknown.output
    assert not [word for word in ENGLISH if word in wrong.output + unknown.output]


def test_the_folders_are_taken_before_or_after_the_command(built):
    _, index = built
    after = CliRunner().invoke(main, ["search", "城管通", "--index", str(index), "--json"])
    before = CliRunner().invoke(main, ["--index", str(index), "search", "城管通", "--json"])
    assert after.exit_code == before.exit_code == 0, before.output
    assert json.loads(after.output)["total"] == json.loads(before.output)["total"] > 0
    both = CliRunner().invoke(main, ["--index", "/nonexistent", "search", "城管通", "--index", str(index)])
    assert both.exit_code == 0, both.output  # the command's own wins


@pytest.mark.slow
def test_a_first_serve_shows_its_build_its_admin_address_and_keeps_no_shared_socket(tmp_path):
    corpus = make_corpus(tmp_path / "corpus")
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    env = {"HOME": str(home), "XDG_RUNTIME_DIR": str(home), "BULLETIN_ADMIN_TOKEN": "a-token-for-this-test"}
    server = start_cli("serve", "--port", str(port), "--workers", "1", "--corpus", str(corpus),
                       "--index", str(tmp_path / "index"), env=env)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not answer")
        assert not list(home.rglob("*.ctl")), "a control socket every server of this user would share"
    finally:
        server.send_signal(signal.SIGTERM)
        _, err = server.communicate(timeout=60)
    said = err.decode("utf-8", "replace")
    assert "还没有索引" in said and "建立索引：共" in said and "完成。" in said
    assert f"管理页面：http://127.0.0.1:{port}/admin" in said
