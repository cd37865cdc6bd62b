"""The word lists staff grow: the domain dictionary (``userdict.txt``) and the synonym groups
(``synonyms.txt``), plain text files in the data folder's ``vocabulary/`` (seeded from the shipped ones in
``indexer/data``, and read from those until then), backed up with the corpus. Read, checked and written here;
re-read when a file changes. Stop and question words are part of the code (``analysis``).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from archive.corpus import write_atomic

VOCABULARY_FILES = ("userdict.txt", "synonyms.txt")
_vocabulary_dir: Path | None = None  # None: the shipped files, read only


def use_vocabulary(folder: Path | None) -> None:
    """Read the vocabulary from ``folder`` (a data folder's ``vocabulary/``) from now on, in this process."""
    global _vocabulary_dir
    _vocabulary_dir = Path(folder) if folder is not None else None


@lru_cache(maxsize=16)
def shipped_file(name: str) -> Path:
    return Path(str(resources.files("indexer").joinpath("data", name)))


def vocabulary_file(name: str) -> Path:
    """The file in use: the data folder's once it exists, else the shipped one."""
    if _vocabulary_dir is not None and (_vocabulary_dir / name).exists():
        return _vocabulary_dir / name
    return shipped_file(name)


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
    if name not in VOCABULARY_FILES:
        raise ValueError(f"没有名为“{name}”的词表；词表有 {'、'.join(VOCABULARY_FILES)}。")
    if _vocabulary_dir is None:
        raise ValueError("没有设置数据目录（BULLETIN_DATA），词表不能修改。")
    text = text.replace("\r\n", "\n")
    (parse_userdict if name == "userdict.txt" else parse_synonyms)(text)
    seed_vocabulary()
    write_atomic(_vocabulary_dir / name, (text if text.endswith("\n") else text + "\n").encode("utf-8"))
    return _vocabulary_dir / name


def parse_userdict(text: str) -> tuple[tuple[str, int], ...]:
    """``word [frequency]`` a line, ``#`` comments; ValueError names the first line that is not."""
    words = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        word, _, freq = line.partition(" ")
        freq = freq.strip()
        if freq and not freq.isdigit():
            raise ValueError(f"词典第 {number} 行“{line}”：应为“词语 频次”，频次是整数，如“城管通 2000”。")
        words.append((word, int(freq or 1000)))
    return tuple(words)


def parse_synonyms(text: str) -> dict[str, tuple[str, ...]]:
    """A group a line, members separated by spaces; a word in several groups has all their members (in the
    file's order). ValueError names a line with one member only."""
    groups: dict[str, dict[str, None]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        members = tuple(line.split("#", 1)[0].split())
        if len(members) == 1:
            raise ValueError(f"同义词第 {number} 行“{members[0]}”只有一个词：一行写一组，至少两个词，用空格隔开。")
        for member in members:
            groups.setdefault(member.lower(), {}).update(dict.fromkeys(members))
    return {member: tuple(group) for member, group in groups.items()}


def signature(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=4)
def _read(signature: tuple[str, int, int]) -> str:
    return Path(signature[0]).read_text(encoding="utf-8")


def domain_words() -> tuple[tuple[str, int], ...]:
    """The domain dictionary: field terms and the parts that also stand alone."""
    return parse_userdict_cached(signature(vocabulary_file("userdict.txt")))


@lru_cache(maxsize=4)
def parse_userdict_cached(signature: tuple[str, int, int]) -> tuple[tuple[str, int], ...]:
    return parse_userdict(_read(signature))


def synonyms() -> dict[str, tuple[str, ...]]:
    """Each synonym group member (lower-cased) mapped to its whole group (re-read when the file changes)."""
    return _parse_synonyms_cached(signature(vocabulary_file("synonyms.txt")))


@lru_cache(maxsize=4)
def _parse_synonyms_cached(signature: tuple[str, int, int]) -> dict[str, tuple[str, ...]]:
    return parse_synonyms(_read(signature))
