"""``bulletin user``: staff accounts, kept in the data folder's accounts.sqlite3."""

from __future__ import annotations

import sys
import time

import click

from indexer import ROLES, AccountError, Actor

from .options import admin, fail


@click.group("user")
def user_group() -> None:
    """管理工作人员账户（保存在数据目录的 accounts.sqlite3 中）。"""


def _password(name: str) -> str:
    """The new password: asked twice at a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        return click.prompt(f"“{name}”的新密码", hide_input=True, confirmation_prompt="再输一次")
    return sys.stdin.readline().rstrip("\r\n")


def _staff_change(change, done: str) -> None:
    """Make ``change`` (a call of the staff's, with the person at the command line) and say ``done``."""
    try:
        change(admin(None, None).staff, Actor.operating_system_user())
    except AccountError as exc:
        raise fail(exc) from None
    click.echo(done)


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(list(ROLES)), default="editor", show_default=True,
              help="editor（编辑：收录、删除、重建）或 admin（管理员：另可改词表、看记录、管账户）")  # fmt: skip
def user_add(name: str, role: str) -> None:
    """新增账户；密码从终端输入两次，或从标准输入读一行（如 echo 'Passw0rd!x' | bulletin user add 张三）。"""
    password = _password(name)
    _staff_change(lambda staff, actor: staff.add_user(name, role, password, actor), f"已新增{ROLES[role]}“{name}”。")


@user_group.command("list")
def user_list() -> None:
    """列出所有账户及其角色、状态。"""
    users = admin(None, None).staff.users()
    if not users:
        click.echo("还没有账户。用 bulletin user add 用户名 --role admin 新增。")
    now = time.time()
    for user in users:
        state = "已停用" if user.disabled else "已锁定" if user.locked_until > now else "正常"
        click.echo(f"{user.name}\t{user.role_label}\t{state}")


@user_group.command("disable")
@click.argument("name")
def user_disable(name: str) -> None:
    """停用账户（其会话立即结束）。"""
    _staff_change(lambda staff, actor: staff.set_disabled(name, True, actor), f"已停用“{name}”。")


@user_group.command("enable")
@click.argument("name")
def user_enable(name: str) -> None:
    """重新启用账户（并解除锁定）。"""
    _staff_change(lambda staff, actor: staff.set_disabled(name, False, actor), f"已启用“{name}”。")


@user_group.command("password")
@click.argument("name")
def user_password(name: str) -> None:
    """重设账户密码（并解除锁定、结束其会话）；密码的读法同 user add。"""
    password = _password(name)
    _staff_change(lambda staff, actor: staff.set_password(name, password, actor), f"已重设“{name}”的密码。")


@user_group.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(list(ROLES)))
def user_role(name: str, role: str) -> None:
    """修改账户的角色：editor 或 admin。"""
    _staff_change(lambda staff, actor: staff.set_role(name, role, actor), f"“{name}”现在是{ROLES[role]}。")
