"""The word lists staff grow: the domain dictionary (``userdict.txt``) and the synonym groups
(``synonyms.txt``), plain text files in the data folder's ``vocabulary/`` (seeded from the shipped ones in
``indexer/data``, and read from those until then), backed up with the corpus. Read, checked and written here;
re-read when a file changes. Stop and question words are part of the code (``analysis``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from importlib import resources
from pathlib import Path

from archive.corpus import write_atomic

log = logging.getLogger(__name__)

VOCABULARY_FILES = ("userdict.txt", "synonyms.txt")
# What a word list may hold. A dictionary word costs jieba memory with the square of its length (every prefix
# is kept), and a synonym group is searched whole, so both are bounded, as are the files themselves; a file
# written from the admin page, restored from a backup or edited by hand is held to the same limits.
MAX_WORD = 30  # characters of a dictionary word or a synonym
MAX_GROUP = 50  # words of a synonym line
MAX_UNION = 100  # words a synonym stands for, over all the lines it is on
MAX_LINE = 1000  # characters of a line
MAX_LINES = 20_000
MAX_FILE_BYTES = 1024 * 1024
_vocabulary_dir: Path | None = None  # None: the shipped files, read only
_held: ContextVar[dict[str, tuple[str, int, int]] | None] = ContextVar("held_states", default=None)


def use_vocabulary(folder: Path | None) -> None:
    """Read the vocabulary from ``folder`` (a data folder's ``vocabulary/``) from now on, in this process."""
    global _vocabulary_dir
    _vocabulary_dir = Path(folder) if folder is not None else None


@lru_cache(maxsize=16)
def shipped_file(name: str) -> Path:
    return Path(str(resources.files("indexer").joinpath("data", name)))


def vocabulary_file(name: str) -> Path:
    """The file in use: the data folder's once it exists, else the shipped one (``state``)."""
    return Path(state(name)[0])


def seed_vocabulary() -> None:
    """Copy the shipped files into the data folder where it has none yet (the first run)."""
    if _vocabulary_dir is None:
        return
    _vocabulary_dir.mkdir(parents=True, exist_ok=True)
    for name in VOCABULARY_FILES:
        target = _vocabulary_dir / name
        if not target.exists():
            write_atomic(target, shipped_file(name).read_bytes())


def write_vocabulary(name: str, text: str) -> Path:
    """Check ``text`` as the file ``name`` and write it into the data folder (a reindex applies the
    dictionary; synonyms apply at once). Raises ValueError naming the line that is not in the file's form."""
    if _vocabulary_dir is None:
        raise ValueError("没有设置数据目录（BULLETIN_DATA），词表不能修改。")
    text = text.replace("\r\n", "\n")
    check_word_list(name, text)
    seed_vocabulary()
    write_atomic(_vocabulary_dir / name, (text if text.endswith("\n") else text + "\n").encode("utf-8"))
    return _vocabulary_dir / name


def check_word_list(name: str, text: str) -> None:
    """ValueError, naming the file and the line or the limit, unless ``text`` is the word list ``name`` within
    its limits."""
    if name not in VOCABULARY_FILES:
        raise ValueError(f"没有名为“{name}”的词表；词表有 {'、'.join(VOCABULARY_FILES)}。")
    (parse_userdict if name == "userdict.txt" else parse_synonyms)(text)


def _lines(text: str, label: str):
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise ValueError(f"{label}有 {size / 1024:.0f} KB，最多 {MAX_FILE_BYTES // 1024} KB。请删去不用的词后再保存。")
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise ValueError(f"{label}有 {len(lines)} 行，最多 {MAX_LINES} 行。请删去不用的词后再保存。")
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_LINE:
            _word(max(line.split(), key=len, default=""), label, number)  # one long word is named as such
            raise ValueError(f"{label}第 {number} 行有 {len(line)} 个字符，一行最多 {MAX_LINE} 个。请拆成几行。")
        yield number, line


def _word(word: str, label: str, number: int) -> str:
    if len(word) > MAX_WORD:
        raise ValueError(f"{label}第 {number} 行的词“{word[:12]}…”有 {len(word)} 个字，一个词最多 {MAX_WORD} 个字。")
    return word


def parse_userdict(text: str) -> tuple[tuple[str, int], ...]:
    """``word [frequency]`` a line, ``#`` comments; ValueError names the first line that is not, or the limit
    the file is past."""
    words = []
    for number, line in _lines(text, "词典"):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        word, _, freq = line.partition(" ")
        freq = freq.strip()
        if freq and not (freq.isdigit() and len(freq) <= 9):
            raise ValueError(f"词典第 {number} 行“{line[:40]}”：应为“词语 频次”，频次是整数，如“城管通 2000”。")
        words.append((_word(word, "词典", number), int(freq or 1000)))
    return tuple(words)


def parse_synonyms(text: str) -> dict[str, tuple[str, ...]]:
    """A group a line, members separated by spaces; a word in several groups has all their members (in the
    file's order). ValueError names a line with one member only, or the limit the file is past."""
    groups: dict[str, dict[str, None]] = {}
    for number, line in _lines(text, "同义词"):
        members = tuple(_word(w, "同义词", number) for w in line.split("#", 1)[0].split())
        if len(members) == 1:
            raise ValueError(f"同义词第 {number} 行“{members[0]}”只有一个词：一行写一组，至少两个词，用空格隔开。")
        if len(members) > MAX_GROUP:
            raise ValueError(
                f"同义词第 {number} 行有 {len(members)} 个词，一组最多 {MAX_GROUP} 个。请只留真正同义的词。"
            )
        for member in members:
            group = groups.setdefault(member.lower(), {})
            group.update(dict.fromkeys(members))
            if len(group) > MAX_UNION:
                raise ValueError(
                    f"同义词第 {number} 行：“{member}”所在的各组合起来超过 {MAX_UNION} 个词。请把它留在少数几组里。"
                )
    return {member: tuple(group) for member, group in groups.items()}


def signature(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


@contextmanager
def held() -> Iterator[None]:
    """Within, each file's ``state`` is read once: a search asks for it several times (each query word cut,
    each synonym looked up), and the files are the same from its start to its end."""
    if _held.get() is not None:  # a search inside a search: the outer one's states
        yield
        return
    token = _held.set({})
    try:
        yield
    finally:
        _held.reset(token)


def state(name: str) -> tuple[str, int, int]:
    """The ``signature`` of the file in use, the data folder's once it exists, else the shipped one, with one
    stat: every search asks, so that an edit made through another worker is seen at once (once a search,
    inside ``held``)."""
    states = _held.get()
    if states is None:
        return _state(name)
    found = states.get(name)
    if found is None:
        found = states[name] = _state(name)
    return found


def _state(name: str) -> tuple[str, int, int]:
    if _vocabulary_dir is not None:
        path = os.path.join(_vocabulary_dir, name)
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            pass
        else:
            return path, stat.st_mtime_ns, stat.st_size
    return _shipped_state(name)


@lru_cache(maxsize=16)
def _shipped_state(name: str) -> tuple[str, int, int]:
    return signature(shipped_file(name))


@lru_cache(maxsize=4)
def _read(signature: tuple[str, int, int]) -> str:
    if signature[2] > MAX_FILE_BYTES:  # not read at all: the check below names the limit
        return "\n" * (MAX_LINES + 1)
    return Path(signature[0]).read_bytes().decode("utf-8", "replace")


def _checked(signature: tuple[str, int, int], parse):
    """The file parsed; one past its limits or out of form (edited by hand) is logged and the shipped one used
    instead, so that search goes on (``bulletin verify`` names it)."""
    try:
        return parse(_read(signature))
    except ValueError as exc:
        log.error("词表 %s 不可用（%s），暂用随软件提供的词表。", signature[0], exc)
        return parse(shipped_file(Path(signature[0]).name).read_text(encoding="utf-8"))


def vocabulary_problems() -> list[str]:
    """What is wrong with the word lists in use (empty when nothing is)."""
    problems = []
    for name in VOCABULARY_FILES:
        current = state(name)
        try:
            check_word_list(name, _read(current))
        except ValueError as exc:
            problems.append(f"{current[0]}：{exc}")
    return problems


def domain_words() -> tuple[tuple[str, int], ...]:
    """The domain dictionary: field terms and the parts that also stand alone."""
    return parse_userdict_cached(state("userdict.txt"))


@lru_cache(maxsize=4)
def parse_userdict_cached(signature: tuple[str, int, int]) -> tuple[tuple[str, int], ...]:
    return _checked(signature, parse_userdict)


def synonyms() -> dict[str, tuple[str, ...]]:
    """Each synonym group member (lower-cased) mapped to its whole group (re-read when the file changes)."""
    return _parse_synonyms_cached(state("synonyms.txt"))


@lru_cache(maxsize=4)
def _parse_synonyms_cached(signature: tuple[str, int, int]) -> dict[str, tuple[str, ...]]:
    return _checked(signature, parse_synonyms)
