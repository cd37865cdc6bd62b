"""jieba's and pypinyin's dictionaries as memory-mapped tries, for the processes that serve searches.

jieba keeps every word of its dictionary and every prefix of one in a dict: half a million strings, about
60 MB in each server process. A server cuts only queries and the odd article, so its processes ask jieba's
dictionary through ``LeanFreq``: a marisa-trie of jieba's words and their frequencies, mapped from a file (its
pages shared by every process that maps it), with the words added since (the domain dictionary) in a small
dict. jieba's own code still cuts: it asks the mapping ``in``, ``[]`` and ``get`` (a prefix of a word is in it
with frequency 0, as in jieba's dict) and sets words, so a cut is the same as with the dict.

pypinyin's phrase table (47,000 phrases, 45 MB with the prefix set its segmenter is trained on) is needed by a
server only to read a query's slip aloud. A server imports pypinyin without it (its documented
``PYPINYIN_NO_PHRASES``) and reads phrases from a trie of each phrase's toneless reading, as pypinyin itself
reads it; a text is cut as pypinyin's segmenter cuts it (``LeanReadings``).

Both tries are written beside jieba's cache by a process of its own (spawned, so that the whole of jieba's
and pypinyin's tables never enter a server's memory), started by every full build where they are missing or
were made from another jieba cache or pypinyin.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import jieba
import marisa_trie

from archive.corpus import write_atomic

LEAN_FILE = "jieba-words.marisa"
PINYIN_FILE = "pypinyin-phrases.marisa"
_MISSING = object()


class LeanFreq:
    """What jieba's ``Tokenizer.FREQ`` is asked for, over a trie: word → frequency (0 for a prefix)."""

    def __init__(self, trie: marisa_trie.RecordTrie) -> None:
        self._trie = trie
        self._added: dict[str, int] = {}

    def _find(self, word: str) -> object:
        found = self._added.get(word, _MISSING)
        if found is not _MISSING:
            return found
        records = self._trie.get(word)
        if records:
            return records[0][0]
        return 0 if next(self._trie.iterkeys(word), None) is not None else _MISSING

    def get(self, word: str, default: object = None) -> object:
        found = self._find(word)
        return default if found is _MISSING else found

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._find(word) is not _MISSING

    def __getitem__(self, word: str) -> int:
        found = self._find(word)
        if found is _MISSING:
            raise KeyError(word)
        return found  # type: ignore[return-value]

    def __setitem__(self, word: str, freq: int) -> None:
        self._added[word] = freq

    def __len__(self) -> int:
        return len(self._trie) + len(self._added)


def _signature(cache: Path) -> str:
    stat = cache.stat()
    return f"{jieba.__version__} {stat.st_size} {stat.st_mtime_ns}"


def _about(path: Path) -> dict[str, Any]:
    """What a trie was made from (its sidecar), or nothing."""
    try:
        return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _stale(folder: Path, cache_file: str) -> list[str]:
    """Which of the tries are missing or were made from another jieba cache or pypinyin."""
    cache = folder / cache_file
    stale = []
    made = {
        name: _about(folder / name).get("source") if (folder / name).exists() else None
        for name in (LEAN_FILE, PINYIN_FILE)
    }
    if not cache.exists() or made[LEAN_FILE] != _signature(cache):
        stale.append(LEAN_FILE)
    if made[PINYIN_FILE] != metadata.version("pypinyin"):
        stale.append(PINYIN_FILE)
    return stale


def prepare(folder: Path, cache_file: str) -> multiprocessing.process.BaseProcess | None:
    """Start writing the tries that are missing or stale, in a spawned process (with the whole of jieba and
    pypinyin, whatever this process holds); None when there is nothing to write. A full build starts it, so
    that a server started after it finds them."""
    if not _stale(folder, cache_file):
        return None
    folder.mkdir(parents=True, exist_ok=True)
    writer = multiprocessing.get_context("spawn").Process(target=write, args=(str(folder), cache_file), daemon=True)
    writer.start()
    return writer


def _written(folder: Path, cache_file: str, name: str) -> None:
    """Write the tries if ``name`` is stale, and wait; a clear error if that fails."""
    if name not in _stale(folder, cache_file):
        return
    writer = prepare(folder, cache_file)
    if writer is not None:
        writer.join()
    if name in _stale(folder, cache_file):
        kind = "分词" if name == LEAN_FILE else "拼音"
        raise RuntimeError(f"无法在 {folder} 写入{kind}词典的精简形式；请检查该目录可写。")


def load(folder: Path, cache_file: str) -> tuple[LeanFreq, int]:
    """The lean mapping and jieba's total frequency, from ``folder`` (written first if missing or stale)."""
    _written(folder, cache_file, LEAN_FILE)
    trie = marisa_trie.RecordTrie("<I").mmap(str(folder / LEAN_FILE))
    return LeanFreq(trie), int(_about(folder / LEAN_FILE)["total"])


def write(folder: str, cache_file: str) -> None:
    """In a process of its own: write the tries that are stale, from jieba's own dictionary (writing its cache
    if need be) and the whole of pypinyin."""
    os.environ.pop("PYPINYIN_NO_PHRASES", None)
    root = Path(folder)
    stale = _stale(root, cache_file)
    if LEAN_FILE in stale:
        _write_jieba(root, cache_file)
    if PINYIN_FILE in stale:
        _write_readings(root)


def _save(path: Path, trie: Any, **about: Any) -> None:
    """Write ``trie`` and what it was made from, each atomically."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    trie.save(str(tmp))
    os.replace(tmp, path)
    write_atomic(path.with_suffix(".json"), json.dumps(about).encode("utf-8"))


def _write_jieba(folder: Path, cache_file: str) -> None:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir, tokenizer.cache_file = str(folder), cache_file
    tokenizer.initialize()
    # jieba's dict holds its words and, with frequency 0, every prefix of one: the trie holds the words with a
    # frequency, and answers a prefix of one from its keys; an entry of frequency 0 that is no such prefix is
    # kept as it is.
    counted = [(w, (f,)) for w, f in tokenizer.FREQ.items() if f]
    prefixes = marisa_trie.Trie(w for w, _ in counted)
    zero = [(w, (0,)) for w, f in tokenizer.FREQ.items() if not f and next(prefixes.iterkeys(w), None) is None]
    _save(folder / LEAN_FILE, marisa_trie.RecordTrie("<I", counted + zero), total=tokenizer.total,
          source=_signature(folder / cache_file))  # fmt: skip


def _write_readings(folder: Path) -> None:
    """Each phrase's toneless reading as pypinyin gives it."""
    from pypinyin import lazy_pinyin
    from pypinyin.constants import PHRASES_DICT

    phrases = [(p, " ".join(lazy_pinyin(p)).encode()) for p in PHRASES_DICT]
    _save(folder / PINYIN_FILE, marisa_trie.BytesTrie(phrases), source=metadata.version("pypinyin"))


class LeanReadings:
    """pypinyin's toneless reading of a text, from pypinyin imported without its phrase table and the table's
    readings kept in a trie. Used as pypinyin's ``lazy_pinyin(text)`` is."""

    def __init__(self, pypinyin: Any, phrases: marisa_trie.BytesTrie):
        from pypinyin.seg.simpleseg import simple_seg

        self._pypinyin, self._simple_seg, self._phrases = pypinyin, simple_seg, phrases

    def _cut(self, text: str) -> Iterator[str]:
        """Forward maximum matching over the phrases, as pypinyin's ``mmseg.seg`` (strict: only phrases are
        words) cuts: the longest phrase at each place, else one character; a rest that is all a phrase's
        prefix with no phrase in it, character by character."""
        remain = text
        while remain:
            longest = max(map(len, self._phrases.prefixes(remain)), default=0)
            if not longest and next(self._phrases.iterkeys(remain), None) is not None:
                yield from remain
                return
            size = longest or 1
            yield remain[:size]
            remain = remain[size:]

    def lazy_pinyin(self, text: str) -> list[str]:
        out: list[str] = []
        for chunk in self._simple_seg(text):
            words = self._cut(chunk) if self._pypinyin.constants.RE_HANS.match(chunk) else [chunk]
            for word in words:
                reading = self._phrases.get(word)
                if reading:
                    out.extend(reading[0].decode().split(" "))
                else:
                    out.extend(self._pypinyin.lazy_pinyin(word))
        return out


def load_readings(folder: Path, cache_file: str) -> LeanReadings:
    """pypinyin without its phrase table (imported here, in this process) and the table's readings from the
    trie in ``folder`` (written first if missing or stale)."""
    _written(folder, cache_file, PINYIN_FILE)
    pypinyin = _without_phrases()
    return LeanReadings(pypinyin, marisa_trie.BytesTrie().mmap(str(folder / PINYIN_FILE)))


def _without_phrases() -> Any:
    os.environ["PYPINYIN_NO_PHRASES"] = "1"
    try:
        import pypinyin
    finally:
        del os.environ["PYPINYIN_NO_PHRASES"]  # not for the processes this one starts
    if pypinyin.constants.PHRASES_DICT:
        raise RuntimeError("pypinyin was imported with its phrase table before the lean one was asked for")
    return pypinyin
