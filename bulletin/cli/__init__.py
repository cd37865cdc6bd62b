"""The ``bulletin`` command: a thin shell over archive, indexer and api."""

from .chinese import install

install()  # before any command is built: click's own words in Chinese

from .commands import main  # noqa: E402

__all__ = ["main"]
