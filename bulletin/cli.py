"""The ``bulletin`` command: a thin shell over archive, indexer and api."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from archive import ArchiveError, read_file
from archive.corpus import Corpus
from archive.report import summary

CORPUS_HELP = "语料库目录（默认 ./corpus，或环境变量 BULLETIN_CORPUS）"


def corpus_option(func):
    return click.option(
        "--corpus",
        envvar="BULLETIN_CORPUS",
        default="corpus",
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=CORPUS_HELP,
    )(func)


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


if __name__ == "__main__":
    main()
