"""What the commands share: the folders they work on, progress bars, errors, the audited writes."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click
from tqdm import tqdm

from indexer import Admin, Workspace, use_vocabulary

from ..settings import DEFAULT_CORPUS, DEFAULT_INDEX, ENV, data_beside

CORPUS_HELP = f"语料库目录（默认 ./{DEFAULT_CORPUS}，或环境变量 {ENV['corpus_dir']}）"
INDEX_HELP = f"索引目录（默认 ./{DEFAULT_INDEX}，或环境变量 {ENV['index_dir']}）"
DATA_HELP = f"数据目录：词表、账户、操作记录（默认为索引目录旁的 data，即 ./var/data，或环境变量 {ENV['data_dir']}）"


def _resolved(setting: str, default: str | None):
    """A folder option's value: given after the command, else before it (``bulletin --index DIR search``),
    else the environment's, else the default."""

    def resolve(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
        if value is None:
            value = ctx.meta.get("data") if param.name == "data" else ctx.find_root().params.get(param.name)
        if value is None and (os.environ.get(ENV[setting]) or default):
            value = Path(os.environ.get(ENV[setting]) or default)
        if param.name == "data":
            ctx.meta["data"] = value
        elif param.name == "index" and ctx.parent is not None:
            use_vocabulary(data_dir(value) / "vocabulary")
        return value

    return resolve


def folder_option(name: str, setting: str, default: str | None, help_text: str, **extra):
    """A folder option of ``bulletin`` itself and of each command that works on the folder: given either side
    of the command's name, the command's wins."""
    return click.option(
        name,
        default=None,
        type=click.Path(file_okay=False, path_type=Path),
        callback=_resolved(setting, default),
        help=help_text,
        **extra,
    )


def data_dir(index: Path | None) -> Path:
    """``--data`` (or BULLETIN_DATA), else the folder beside the index the command works on."""
    given = click.get_current_context().meta.get("data")
    return given or data_beside(index or Path(DEFAULT_INDEX))


corpus_option = folder_option("--corpus", "corpus_dir", DEFAULT_CORPUS, CORPUS_HELP)
data_option = folder_option("--data", "data_dir", None, DATA_HELP, is_eager=True, expose_value=False)


def index_option(command):
    """``--index``, with ``--data`` beside it (the data folder follows the index unless named)."""
    return data_option(folder_option("--index", "index_dir", DEFAULT_INDEX, INDEX_HELP)(command))


def progress(**kwargs):
    """A progress bar at a terminal; elsewhere (a service's log) a line every few seconds."""
    if sys.stderr.isatty():
        return tqdm(file=sys.stderr, leave=False, **kwargs)
    return _Lines(kwargs.get("total") or 0, kwargs.get("desc", ""), kwargs.get("unit", ""))


class _Lines:
    """Progress as lines in a log: where the work is, every ``EVERY`` seconds and at the end."""

    EVERY = 3.0

    def __init__(self, total: int, desc: str, unit: str):
        self.total, self.desc, self.unit, self.done, self.said = total, desc, unit, 0, time.monotonic()

    def __enter__(self) -> _Lines:
        click.echo(f"{self.desc}：共 {self.total} {self.unit}……", err=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            click.echo(f"{self.desc}：{self.done}/{self.total} {self.unit}，完成。", err=True)

    def update(self, n: int = 1) -> None:
        self.done += n
        if time.monotonic() - self.said >= self.EVERY:
            self.said = time.monotonic()
            click.echo(f"{self.desc}：{self.done}/{self.total} {self.unit}", err=True)


def fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


def admin(corpus: Path | None, index: Path | None, token: str | None = None) -> Admin:
    """The writes of the archive in these folders and the data folder given to ``bulletin``, audited."""
    return Admin(Workspace(corpus or Path(DEFAULT_CORPUS), index or Path(DEFAULT_INDEX), data_dir(index)), token)
