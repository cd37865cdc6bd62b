"""The ``bulletin`` command: a thin shell over archive, indexer and api."""

from .commands import main

__all__ = ["main"]
