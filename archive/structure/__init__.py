"""Reading an issue's structure from its blocks: the masthead (``masthead``), the contents (``contents``), the
sections and articles (``segment``), with what page breaks split joined again (``repair``).
"""

from .segment import parse_blocks

__all__ = ["parse_blocks"]
