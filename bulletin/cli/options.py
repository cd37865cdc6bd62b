"""What the commands share: the folders they work on, progress bars, errors, the audited writes."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from indexer import Admin, Workspace, use_vocabulary

from ..settings import DEFAULT_CORPUS, DEFAULT_INDEX, ENV, data_beside

CORPUS_HELP = f"语料库目录（默认 ./{DEFAULT_CORPUS}，或环境变量 {ENV['corpus_dir']}）"
INDEX_HELP = f"索引目录（默认 ./{DEFAULT_INDEX}，或环境变量 {ENV['index_dir']}）"
DATA_HELP = f"数据目录：词表、账户、操作记录（默认为索引目录旁的 data，即 ./var/data；或环境变量 {ENV['data_dir']}）"


def folder_option(name: str, setting: str, default: str | None, help_text: str, **extra):
    return click.option(
        name,
        envvar=ENV[setting],
        default=default,
        show_default=default is not None,
        type=click.Path(file_okay=False, path_type=Path),
        help=help_text,
        **extra,
    )


def data_dir(index: Path | None) -> Path:
    """``bulletin --data`` (or BULLETIN_DATA), else the folder beside the index the command works on."""
    given = click.get_current_context().find_root().params.get("data")
    return given or data_beside(index or Path(DEFAULT_INDEX))


def _follow_index(ctx: click.Context, param: click.Parameter, index: Path) -> Path:
    use_vocabulary(data_dir(index) / "vocabulary")
    return index


corpus_option = folder_option("--corpus", "corpus_dir", DEFAULT_CORPUS, CORPUS_HELP)
index_option = folder_option("--index", "index_dir", DEFAULT_INDEX, INDEX_HELP, callback=_follow_index)


def progress(**kwargs):
    return tqdm(file=sys.stderr, leave=False, disable=None, **kwargs)


def fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


def admin(corpus: Path | None, index: Path | None) -> Admin:
    """The writes of the archive in these folders and the data folder given to ``bulletin``, audited."""
    return Admin(Workspace(corpus or Path(DEFAULT_CORPUS), index or Path(DEFAULT_INDEX), data_dir(index)))
