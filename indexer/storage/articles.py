"""The articles of a part, each stored once: its title, its body and the rest of it as a small record.

``articles.bin`` holds, for each article in the order written, its title and body as UTF-8 text and its record
(JSON: everything else an ``Article`` has, its paragraphs as their kinds and lengths), one after another;
``articles.json`` says where each starts, with the articles' ids and each issue's rows. A generation reads
every title and body once when it opens (to fold them for matching, ``Articles.texts``); a hit reads one
article's title and body, and an article page its whole record, with one ``pread`` each.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from archive import Article, Paragraph

BIN, META = "articles.bin", "articles.json"
_OFFSET = np.dtype("<u8")
Writer = Callable[[Path, bytes], None]
# What the record keeps of an Article besides its title and text.
_FIELDS = ("id", "issue_id", "ordinal", "section", "unit", "district", "place", "page", "source", "editorial",
           "toc_title", "line", "source_page")  # fmt: skip


def write(folder: Path, articles: Sequence[Article], *, replace: Writer) -> None:
    """Write ``articles`` into ``folder`` (``replace`` writes a file atomically)."""
    chunks: list[bytes] = []
    for article in articles:
        record = {name: getattr(article, name) for name in _FIELDS}
        record["paragraphs"] = [[p.kind, len(p.text)] for p in article.paragraphs]
        chunks += [article.title.encode(), article.text.encode(), json.dumps(record, ensure_ascii=False).encode()]
    offsets = np.concatenate([[0], np.cumsum([len(c) for c in chunks], dtype=np.int64)]).astype(_OFFSET)
    replace(folder / BIN, offsets.tobytes() + b"".join(chunks))
    issues: dict[str, list[int]] = {}
    for row, article in enumerate(articles):
        issues.setdefault(article.issue_id, [row, row])[1] = row + 1
    meta = {"ids": [a.id for a in articles], "issues": issues, "offsets": len(offsets)}
    replace(folder / META, json.dumps(meta, ensure_ascii=False).encode("utf-8"))


class Articles:
    """One part's articles, read on request (a file descriptor and the offsets are all it holds)."""

    def __init__(self, folder: Path):
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        self.ids: list[str] = meta["ids"]
        self.issues: dict[str, list[int]] = meta["issues"]
        self.fd = os.open(folder / BIN, os.O_RDONLY)
        count = meta["offsets"]
        self.offsets = np.frombuffer(os.pread(self.fd, count * _OFFSET.itemsize, 0), dtype=_OFFSET)
        self.base = count * _OFFSET.itemsize

    @staticmethod
    def issues_of(folder: Path) -> dict[str, list[int]]:
        """The issues whose articles a part holds, with their rows, without opening it."""
        return json.loads((folder / META).read_text(encoding="utf-8"))["issues"]

    def _chunks(self, first: int, last: int) -> list[str]:
        """Chunks ``first`` up to ``last`` (three a row: title, body, record), decoded, with one read."""
        where = self.offsets[first : last + 1].tolist()
        data = os.pread(self.fd, where[-1] - where[0], self.base + where[0])
        return [data[a - where[0] : b - where[0]].decode() for a, b in pairwise(where)]

    def texts(self) -> tuple[list[str], list[str]]:
        """Every article's title and body, in row order (read once, when a generation opens)."""
        chunks = self._chunks(0, 3 * len(self.ids))
        return chunks[0::3], chunks[1::3]

    def shown(self, row: int) -> tuple[str, str]:
        """A hit's title and body (the ``_chunks`` of a row but its record, in fewer steps: a page reads 20)."""
        start, body, end = self.offsets[3 * row : 3 * row + 3].tolist()
        data = os.pread(self.fd, end - start, self.base + start)
        return data[: body - start].decode(), data[body - start :].decode()

    def article(self, row: int) -> Article:
        """The whole article of ``row``."""
        title, body, record = self._chunks(3 * row, 3 * row + 3)
        data: dict[str, Any] = json.loads(record)
        paragraphs, at = [], 0
        for kind, length in data.pop("paragraphs"):
            paragraphs.append(Paragraph(body[at : at + length], kind))
            at += length + 1  # the line break between paragraphs
        return Article(title=title, paragraphs=tuple(paragraphs), **data)

    def close(self) -> None:
        os.close(self.fd)
