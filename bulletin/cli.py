"""The ``bulletin`` command: a thin shell over archive, indexer and api."""

from __future__ import annotations

import dataclasses
import html
import json
import re
import sys
from pathlib import Path

import click
from tqdm import tqdm

from archive import ArchiveError, read_file
from archive.corpus import Corpus
from archive.report import summary
from indexer import Archive, IndexerError, QueryError, index_ready, ingest, reindex

CORPUS_HELP = "语料库目录（默认 ./corpus，或环境变量 BULLETIN_CORPUS）"
INDEX_HELP = "索引目录（默认 ./var/index，或环境变量 BULLETIN_INDEX）"
_MARK = re.compile(r"<mark>(.*?)</mark>")


def _folder_option(name: str, envvar: str, default: str, help_text: str):
    return click.option(
        name,
        envvar=envvar,
        default=default,
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=help_text,
    )


corpus_option = _folder_option("--corpus", "BULLETIN_CORPUS", "corpus", CORPUS_HELP)
index_option = _folder_option("--index", "BULLETIN_INDEX", "var/index", INDEX_HELP)


def _progress(**kwargs):
    return tqdm(file=sys.stderr, leave=False, disable=None, **kwargs)


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """《北京城管科技信息动态》检索库。"""


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
        report = reindex(corpus, index, progress=_progress)
    except (ArchiveError, IndexerError) as exc:
        raise _fail(exc) from None
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
        report = ingest(files, corpus, index, progress=_progress)
    except (ArchiveError, IndexerError) as exc:
        raise _fail(exc) from None
    for label, ids in (("新增", report.added), ("替换", report.replaced), ("未变（已是最新）", report.unchanged)):
        if ids:
            click.echo(f"{label}：{'，'.join(ids)}")
    if report.added or report.replaced:
        click.echo(f"已写入 {report.articles} 篇，用时 {report.seconds:.1f} 秒（{report.generation}）。")


@main.command("search")
@click.argument("query", nargs=-1)
@click.option("--district", help="区域，如 怀柔、怀柔区、怀柔局、分局、市局")
@click.option("--section", help="栏目，如 区局动态 或 【区局动态】")
@click.option("--from", "date_from", help="起始日期：2017、2017-06 或 2017-06-10")
@click.option("--to", "date_to", help="截止日期：2017、2017-06 或 2017-06-10")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--limit", "per_page", type=int, default=10, show_default=True, help="每页条数（最多 100）")
@click.option("--json", "as_json", is_flag=True, help="输出与 /api/search 相同的 JSON")
@index_option
def search_command(query, district, section, date_from, date_to, sort, page, per_page, as_json, index) -> None:
    """检索文章。词之间为“且”；支持 "短语"、OR、-排除、title:标题。"""
    text = " ".join(query)
    try:
        result = Archive(index).search(text, district, section, date_from, date_to, sort, page, per_page)
    except QueryError as exc:
        raise click.BadParameter(exc.message, param_hint=f"--{exc.param}" if exc.param != "q" else "QUERY") from None
    except IndexerError as exc:
        raise _fail(exc) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    shown = f"“{text}”" if text else "全部文章"
    click.echo(f"{shown}：共 {result.total} 篇，第 {result.page}/{result.pages} 页（用时 {result.took_ms} 毫秒）")
    if result.relaxed:
        click.echo("没有完全连续的匹配，下面是同时含有各个词的文章。")
    for number, hit in enumerate(result.hits, start=(result.page - 1) * result.per_page + 1):
        click.echo(f"{number:>3}. {click.style(hit.title, bold=True)}")
        meta = " · ".join(x for x in (hit.unit, hit.section, f"{hit.issue} 第{hit.page}页", hit.date) if x)
        click.echo(f"     {meta}  {hit.url}")
        snippet = _MARK.sub(lambda m: click.style(m.group(1), reverse=True), hit.snippet)
        click.echo(f"     {html.unescape(snippet)}")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=8000, show_default=True, type=int, help="端口")
@click.option("--workers", type=int, help="gunicorn 工作进程数（默认 2）")
@corpus_option
@index_option
def serve_command(host: str, port: int, workers: int | None, corpus: Path, index: Path) -> None:
    """在 gunicorn 下提供检索服务和网页；还没有索引时先从语料库建立。"""
    from api import create_app, settings_from_env
    from api.server import run

    try:
        if not index_ready(index):
            click.echo(f"还没有索引，正在从 {corpus} 建立……", err=True)
            reindex(corpus, index, progress=_progress)
        Archive(index).verify()
    except (ArchiveError, IndexerError) as exc:
        raise _fail(exc) from None
    settings = dataclasses.replace(settings_from_env(), corpus_dir=corpus, index_dir=index)
    click.echo(f"检索服务：http://{host}:{port}/", err=True)
    run(create_app(Archive(index), settings), host, port, workers)


if __name__ == "__main__":
    main()
