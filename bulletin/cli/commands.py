"""The ``bulletin`` command: a thin shell over archive, indexer and api."""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import click

from archive import ArchiveError, read_file
from archive.corpus import Corpus
from archive.report import summary
from indexer import (
    PARAMS,
    Actor,
    IndexerError,
    QueryError,
    SearchRequest,
    SearchService,
    candidate_terms,
    recover_if_idle,
    repair,
    use_vocabulary,
    verify,
)

from ..settings import Settings
from .chinese import name_parts
from .options import admin, corpus_option, data_dir, fail, index_option, progress
from .users import user_group

CLI_PER_PAGE = 10
# A search parameter's name on the command line, where it differs.
_OPTION = {"q": "QUERY", "per_page": "--limit"}
_MARK = re.compile(r"<mark>(.*?)</mark>")


def _search_options(command):
    """The search parameters as options, from their declarations (``PARAMS``); the query is the argument."""
    for param in reversed(PARAMS):
        if param.name == "q":
            continue
        names = (_OPTION.get(param.name, f"--{param.name}"), param.name)
        if param.kind == "flag":
            option = click.option(*names, is_flag=True, help=param.help)
        elif param.kind == "choice":
            choices = [c for c in param.schema["enum"] if c]
            option = click.option(*names, type=click.Choice(choices), default=param.schema["default"],
                                  show_default=True, help=param.help)  # fmt: skip
        elif param.kind == "number":
            default = CLI_PER_PAGE if param.name == "per_page" else param.schema["default"]
            option = click.option(*names, type=int, default=default, show_default=True, help=param.help)
        else:
            option = click.option(*names, help=param.help)
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@corpus_option
@index_option
def main(corpus: Path, index: Path) -> None:
    """《北京城管科技信息动态》检索库。--corpus、--index、--data 写在命令名之前或之后都可以。"""
    use_vocabulary(data_dir(index) / "vocabulary")


main.add_command(user_group)


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出解析结果")
@corpus_option
def check(files: tuple[Path, ...], as_json: bool, corpus: Path) -> None:
    """解析简报文件并报告结果，不写入任何东西。不给文件时检查整个语料库。"""
    paths = list(files) or Corpus(corpus).files()
    if not paths:
        raise click.ClickException(f"语料库 {corpus} 中没有简报文件。请指定文件，或用 --corpus 指向语料库。")
    results, failed = [], 0
    for path in paths:
        try:
            parsed = read_file(path)
        except ArchiveError as exc:
            failed += 1
            click.echo(f"错误：{exc}", err=True)
            continue
        if as_json:
            results.append({**parsed.issue.to_dict(), "warnings": [w.__dict__ for w in parsed.warnings]})
        else:
            click.echo("\n".join(summary(parsed)))
    if as_json and results:
        payload = results[0] if len(paths) == 1 else results
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    if failed:
        click.echo(f"{failed} 个文件未能解析。", err=True)
        sys.exit(1)


@main.command("reindex")
@corpus_option
@index_option
def reindex_command(corpus: Path, index: Path) -> None:
    """从语料库完整重建索引，建好后原子切换；建立期间检索照常可用。"""
    try:
        report = admin(corpus, index).reindex(Actor.operating_system_user(), progress=progress)
    except (ArchiveError, IndexerError) as exc:
        raise fail(exc) from None
    click.echo(
        f"索引已重建：{report.issues} 期，{report.articles} 篇，用时 {report.seconds:.1f} 秒"
        f"（{report.generation}，解析警告 {report.warnings} 条，可用 bulletin check 查看）。"
    )


@main.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@corpus_option
@index_option
def ingest_command(files: tuple[Path, ...], corpus: Path, index: Path) -> None:
    """把新的一期（或修订的一期）收入语料库并更新索引。"""
    try:
        report = admin(corpus, index).ingest_files(list(files), Actor.operating_system_user(), progress=progress)
    except (ArchiveError, IndexerError) as exc:
        raise fail(exc) from None
    for label, ids in (("新增", report.added), ("替换", report.replaced), ("未变（已是最新）", report.unchanged)):
        if ids:
            click.echo(f"{label}：{'，'.join(ids)}")
    if report.added or report.replaced:
        click.echo(f"已写入 {report.articles} 篇，用时 {report.seconds:.1f} 秒（{report.generation}）。")


@main.command("remove")
@click.argument("issue")
@corpus_option
@index_option
def remove_command(issue: str, corpus: Path, index: Path) -> None:
    """删除一期：从索引中去掉它的文章，并删除语料库中的文件（ISSUE 如 2017-06）。"""
    try:
        report = admin(corpus, index).remove(issue, Actor.operating_system_user())
    except (ArchiveError, IndexerError) as exc:
        raise fail(exc) from None
    click.echo(f"已删除 {report.issue}：索引中去掉 {report.articles} 篇，语料库中删除 {len(report.files)} 个文件。")


@main.command("terms")
@click.argument("issue")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="至多列出几个")
@corpus_option
def terms_command(issue: str, limit: int, corpus: Path) -> None:
    """列出一期的候选新词：多次整体出现、但词典会切开的词。ISSUE 是期号（如 2017-06）或一个简报文件。"""
    path = Path(issue)
    files = [path] if path.is_file() else Corpus(corpus).files_of(issue)
    if not files:
        raise click.ClickException(f"语料库 {corpus} 中没有“{issue}”这一期。请给出期号（如 2017-06）或文件路径。")
    try:
        parsed = read_file(files[-1])
    except ArchiveError as exc:
        raise fail(exc) from None
    terms = candidate_terms(parsed.issue, limit)
    if not terms:
        click.echo(f"{parsed.issue.label}：没有候选新词。")
    for term in terms:
        click.echo(f"{term.text}\t{term.count} 次\t现切为 {' / '.join(term.pieces)}")


@main.command("search")
@click.argument("query", nargs=-1)
@_search_options
@click.option("--json", "as_json", is_flag=True, help="输出与 /api/search 相同的 JSON")
@index_option
def search_command(query: tuple[str, ...], as_json: bool, index: Path, **params: object) -> None:
    """检索文章。词之间为“且”；支持 "短语"、OR、-排除、title:标题。"""
    text = " ".join(query)
    try:
        flags = {p.name: "1" if params.get(p.name) else "" for p in PARAMS if p.kind == "flag"}
        request = SearchRequest.from_params({"q": text, **params, **flags})
        recover_if_idle(index)
        result = SearchService(index).search(request)
    except QueryError as exc:
        raise click.BadParameter(exc.message, param_hint=_OPTION.get(exc.param, f"--{exc.param}")) from None
    except IndexerError as exc:
        raise fail(exc) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    shown = f"“{text}”" if text else "全部文章"
    click.echo(f"{shown}：共 {result.total} 篇，第 {result.page}/{result.pages} 页（用时 {result.took_ms} 毫秒）")
    understood = result.understood
    for notice in understood.notices:
        click.echo(notice)
    if understood.guessed:
        click.echo(f"仍然搜索“{understood.typed}”：加 --exact。")
    if understood.suggestion:
        click.echo(f"您是不是要找：{understood.suggestion}")
    for number, hit in enumerate(result.hits, start=(result.page - 1) * result.per_page + 1):
        click.echo(f"{number:>3}. {click.style(hit.title, bold=True)}")
        meta = " · ".join(x for x in (hit.unit, hit.section, f"{hit.issue} 第{hit.page}页", hit.date) if x)
        click.echo(f"     {meta}  {hit.url}")
        snippet = _MARK.sub(lambda m: click.style(m.group(1), reverse=True), hit.snippet)
        click.echo(f"     {html.unescape(snippet)}")


_SETTLED = {
    "completed": "上次被中断的收录已完成（语料库和索引已一致）。",
    "rolled back": "上次被中断的收录已撤销（语料库和索引恢复原样）。",
}


@main.command("verify")
@click.option("--repair", "mend", is_flag=True, help="不一致时从语料库重建索引")
@corpus_option
@index_option
def verify_command(mend: bool, corpus: Path, index: Path) -> None:
    """核对语料库与索引是否一致（每个文件都已索引，索引中每期都有文件，校验和相符），以及操作记录的哈希链是否完整、词表是否可用。"""
    records = admin(corpus, index).verify_records()
    for problem in records:
        click.echo(f"记录有误：{problem}", err=True)
    try:
        before = verify(corpus, index)
    except (ArchiveError, IndexerError) as exc:
        raise fail(exc) from None
    if before.recovered:
        click.echo(_SETTLED[before.recovered])
    for problem in before.problems:
        click.echo(f"不一致：{problem.message}", err=True)
    if before.ok:
        click.echo(f"一致：语料库 {before.files} 个文件，索引 {before.indexed} 期。")
        if records:
            sys.exit(1)
        click.echo("操作记录的哈希链完整，词表可用。")
        return
    if not mend:
        click.echo(f"共 {len(before.problems)} 处不一致。运行 bulletin verify --repair 从语料库重建索引。", err=True)
        sys.exit(1)
    try:
        _, after = repair(corpus, index)
    except (ArchiveError, IndexerError) as exc:
        raise fail(exc) from None
    for problem in after.problems if after else []:
        click.echo(f"仍不一致：{problem.message}", err=True)
    if after is not None and not after.ok:
        sys.exit(1)
    click.echo("已从语料库修复，现已一致。")


@main.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
@corpus_option
def backup_command(dest: Path, corpus: Path) -> None:
    """把语料库、词表和账户（不含可重建的索引）连同校验和清单备份为一个 .tar.gz；DEST 为文件夹时自动命名。"""
    try:
        report = admin(corpus, None).backup(dest, Actor.operating_system_user())
    except IndexerError as exc:
        raise fail(exc) from None
    click.echo(f"已备份：{report.issues} 期和 {report.files - report.issues} 个词表、账户文件 → {report.path}"
               f"（{report.bytes / 1024:.0f} KB）。")  # fmt: skip


@main.command("restore")
@click.argument("archive", type=click.Path(path_type=Path))
@corpus_option
@index_option
def restore_command(archive: Path, corpus: Path, index: Path) -> None:
    """从备份恢复语料库、词表和账户并重建索引；先核对清单中每个文件的校验和，有误则什么都不替换。"""
    try:
        report = admin(corpus, index).restore(archive, Actor.operating_system_user())
    except (ArchiveError, IndexerError) as exc:
        raise fail(exc) from None
    click.echo(f"已从 {archive} 恢复：{report.issues} 期，校验和全部相符；索引已从恢复的语料库重建。")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=8000, show_default=True, type=int, help="端口")
@click.option("--workers", type=click.IntRange(min=1), help="gunicorn 工作进程数（默认每个 CPU 核一个）")
@corpus_option
@index_option
def serve_command(host: str, port: int, workers: int | None, corpus: Path, index: Path) -> None:
    """在 gunicorn 下提供检索服务和网页；还没有索引时先从语料库建立。"""
    from ..app import create_app, prepare
    from ..server import run

    try:
        settings = Settings.from_env(corpus_dir=corpus, index_dir=index, data_dir=data_dir(index))
        service = prepare(settings, progress=progress, announce=lambda m: click.echo(m, err=True))
    except (ArchiveError, IndexerError, ValueError) as exc:
        raise fail(exc) from None
    click.echo(f"检索服务：http://{host}:{port}/", err=True)
    if admin(corpus, index, settings.admin_token).staff.enabled():
        click.echo(f"管理页面：http://{host}:{port}/admin", err=True)
    else:
        click.echo("管理页面未开启：设置 BULLETIN_ADMIN_TOKEN，或用 bulletin user add 新增账户。", err=True)
    run(create_app(service, settings), host, port, workers)


name_parts(main)

if __name__ == "__main__":
    main()
