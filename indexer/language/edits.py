"""Edits of the word lists one term at a time: add a word with its frequency, add a synonym group, find the
lines holding a word, remove one, or replace a whole file; each an ``Edit`` whose changed lines are shown
before it is saved, and saved only onto the file it was made from (``base``), so two people's edits never
silently undo each other.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from .wordlists import MAX_WORD, VOCABULARY_FILES, check_word_list, vocabulary_file

DICTIONARY, SYNONYMS = VOCABULARY_FILES
FIND_LIMIT = 50  # lines a search of the word lists lists
SHOWN_CHANGES = 200  # changed lines an edit shows
TERM_FREQUENCY = 2000  # a word added without a frequency: enough for jieba to keep it whole


class StaleEdit(ValueError):
    """The file changed between an edit's preview and its confirmation."""


@dataclass(frozen=True)
class Found:
    """A line of a word list that holds the word looked for."""

    name: str
    number: int
    line: str


@dataclass(frozen=True)
class Edit:
    """A word list as it is (``before``) and as it would be (``after``)."""

    name: str
    before: str
    after: str

    @property
    def base(self) -> str:
        return digest(self.before)

    @property
    def label(self) -> str:
        return "领域词典" if self.name == DICTIONARY else "同义词"

    def changes(self) -> list[tuple[str, int, str]]:
        """The lines removed and added, as ("removed" | "added", line number in its version, text)."""
        out: list[tuple[str, int, str]] = []
        old, new = self.before.splitlines(), self.after.splitlines()
        # autojunk (the default) keeps a file of 20,000 alike lines from taking quadratic time; the lines shown
        # still turn the old file into the new.
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
            if op == "equal":
                continue
            out += [("removed", i + 1, old[i]) for i in range(i1, i2)]
            out += [("added", j + 1, new[j]) for j in range(j1, j2)]
        return out

    @property
    def none(self) -> bool:
        return self.before == self.after


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current(name: str) -> str:
    if name not in VOCABULARY_FILES:
        raise ValueError(f"没有名为“{name}”的词表；词表有 {'、'.join(VOCABULARY_FILES)}。")
    return vocabulary_file(name).read_text(encoding="utf-8", errors="replace")


def _checked(name: str, before: str, after: str) -> Edit:
    check_word_list(name, after)
    return Edit(name, before, after)


def _appended(text: str, line: str) -> str:
    return (text.rstrip("\n") + "\n" if text.strip() else text) + line + "\n"


def _word(word: str, what: str) -> str:
    word = word.strip()
    if not word:
        raise ValueError(f"请填写{what}。")
    if any(c.isspace() or c == "#" for c in word):
        raise ValueError(f"{what}“{word[:MAX_WORD]}”里不能有空格或“#”：一次添加一个词。")
    return word


def adding_word(word: str, frequency: str = "") -> Edit:
    """Add ``word`` to the dictionary, or change its frequency where it is already there."""
    word = _word(word, "词语")
    frequency = frequency.strip() or str(TERM_FREQUENCY)
    if not (frequency.isdigit() and 0 < int(frequency) < 10**9):
        raise ValueError(f"频次“{frequency[:12]}”应为 1 到 999999999 之间的整数，如 2000。")
    before = current(DICTIONARY)
    lines = before.splitlines()
    for k, line in enumerate(lines):
        if line.split("#", 1)[0].split()[:1] == [word]:
            lines[k] = f"{word} {frequency}"
            return _checked(DICTIONARY, before, "\n".join(lines) + "\n")
    return _checked(DICTIONARY, before, _appended(before, f"{word} {frequency}"))


def adding_group(words: str) -> Edit:
    """Add a synonym group (words separated by spaces or commas)."""
    members = list(dict.fromkeys(w for w in words.replace("，", " ").replace(",", " ").replace("、", " ").split()))
    if len(members) < 2:
        raise ValueError("一组同义词至少要有两个词，用空格隔开，如“牛皮癣 非法小广告”。")
    for member in members:
        _word(member, "同义词")
    before = current(SYNONYMS)
    line = " ".join(members)
    if line in (existing.strip() for existing in before.splitlines()):
        return Edit(SYNONYMS, before, before)
    return _checked(SYNONYMS, before, _appended(before, line))


def removing(name: str, number: str, line: str) -> Edit:
    """Remove line ``number`` of ``name``, which must still read ``line``."""
    before = current(name)
    lines = before.splitlines()
    at = int(number) - 1 if number.isdigit() else -1
    if not 0 <= at < len(lines) or lines[at] != line:
        raise StaleEdit("这一行已经不在原处（词表在查找之后被修改过）。请重新查找后再删除。")
    return _checked(name, before, "\n".join(lines[:at] + lines[at + 1 :]) + "\n")


def replacing(name: str, text: str) -> Edit:
    """The whole file ``name`` replaced by ``text`` (the editor for many changes at once)."""
    before = current(name)
    after = text.replace("\r\n", "\n")
    return _checked(name, before, after if after.endswith("\n") or not after else after + "\n")


def asked(fields: Mapping[str, str]) -> Edit:
    """The edit a form asks for: ``op`` word (``word``, ``frequency``), group (``words``), remove (``name``,
    ``line``, ``entry``), else the whole file (``name``, ``text``)."""
    op = fields.get("op", "file")
    if op == "word":
        return adding_word(fields.get("word", ""), fields.get("frequency", ""))
    if op == "group":
        return adding_group(fields.get("words", ""))
    if op == "remove":
        return removing(fields.get("name", ""), fields.get("line", ""), fields.get("entry", ""))
    return replacing(fields.get("name", ""), fields.get("text", ""))


def find(word: str) -> list[Found]:
    """The lines of both word lists holding ``word`` (as a word or inside one), comments aside."""
    word = word.strip().lower()
    if not word:
        return []
    found: list[Found] = []
    for name in VOCABULARY_FILES:
        for number, line in enumerate(current(name).splitlines(), 1):
            words = line.split("#", 1)[0].split()
            if name == DICTIONARY:
                words = words[:1]
            if any(word in w.lower() for w in words):
                found.append(Found(name, number, line))
                if len(found) >= FIND_LIMIT:
                    return found
    return found
