"""jieba's and pypinyin's dictionaries in a few MB instead of 120, for the processes that serve searches.

jieba keeps every word of its dictionary and every prefix of one in a dict: half a million strings, about
70 MB in each server worker. A worker cuts only queries and the odd article, so it holds the same mapping as
two sorted arrays (a 64-bit hash of each key, its frequency) looked up by binary search, with the words added
since (the domain dictionary) in a small dict. jieba's own code still does the cutting, unchanged: it only
asks the mapping ``in``, ``[]`` and ``get``, and sets words, so a cut is the same as with the dict.

The arrays are written beside jieba's cache by a fresh interpreter (``write``; the full dict never enters
a server's memory), started by every full build where they are missing or were made from another jieba
cache or pypinyin, and by a server that finds them so.

pypinyin's phrase table (47,000 phrases as JSON lists, 45 MB with the prefix set its segmenter trains on
them) is needed by a worker only to read a query's slip aloud. A server imports pypinyin without it (its
documented ``PYPINYIN_NO_PHRASES``: 12 MB) and keeps each phrase's toneless reading, as pypinyin itself
reads it, and the phrases and their prefixes as hashed arrays: a text is cut as pypinyin's segmenter cuts
it, a phrase reads as stored, anything else character by character, as pypinyin does (``LeanReadings``).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import jieba
import numpy as np

from archive.corpus import write_atomic

LEAN_FILE = "jieba-lean.npz"
PINYIN_FILE = "pypinyin-lean.npz"
_MISSING = object()


def key(word: str) -> int:
    """A word's 64-bit key: a hash of its UTF-8 bytes (Python's own hash is per process, and equal for 'BP'
    and '偂', whose internal bytes are the same)."""
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


class _Hashed:
    """Words as sorted 64-bit keys (``key``), each with a row."""

    def __init__(self, keys: np.ndarray) -> None:
        self._keys = keys

    def row(self, word: str) -> int | None:
        h = key(word)
        i = int(self._keys.searchsorted(h))
        return i if i < len(self._keys) and self._keys[i] == h else None

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.row(word) is not None


class LeanFreq:
    """What jieba's ``Tokenizer.FREQ`` is asked for, over sorted arrays: word → frequency (0 for a prefix)."""

    def __init__(self, keys: np.ndarray, freqs: np.ndarray) -> None:
        self._words, self._freqs = _Hashed(keys), freqs
        self._size = len(keys)
        self._added: dict[str, int] = {}

    def _find(self, word: str) -> object:
        found = self._added.get(word, _MISSING)
        if found is not _MISSING:
            return found
        row = self._words.row(word)
        return _MISSING if row is None else int(self._freqs[row])

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
        return self._size + len(self._added)


def _signature(cache: Path) -> str:
    stat = cache.stat()
    return f"{jieba.__version__} {stat.st_size} {stat.st_mtime_ns}"


def _source(path: Path) -> str | None:
    """The ``source`` a written file was made from (read alone: ``np.load`` reads an archive's arrays lazily)."""
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as data:
        return str(data["source"])


def _stale(folder: Path, cache_file: str) -> list[str]:
    """Which of the compact files are missing or were made from another jieba cache or pypinyin."""
    cache = folder / cache_file
    stale = []
    if not cache.exists() or _source(folder / LEAN_FILE) != _signature(cache):
        stale.append(LEAN_FILE)
    if _source(folder / PINYIN_FILE) != metadata.version("pypinyin"):
        stale.append(PINYIN_FILE)
    return stale


def prepare(folder: Path, cache_file: str) -> subprocess.Popen | None:
    """Start writing the compact files that are missing or stale, in a fresh interpreter (with the whole of
    jieba and pypinyin, whatever this process holds); None when there is nothing to write. A full build
    starts it, so that a server started after it finds them."""
    if not _stale(folder, cache_file):
        return None
    folder.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYPINYIN_")}
    # This package importable by the new interpreter however this one found it (installed, or a checkout).
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH"))))
    command = "import sys; from indexer.language.dictionary import write; write(*sys.argv[1:])"
    return subprocess.Popen(
        [sys.executable, "-c", command, str(folder), cache_file],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _written(folder: Path, cache_file: str, name: str) -> None:
    """Write the compact files if ``name`` is stale, and wait; a clear error if that fails."""
    if name not in _stale(folder, cache_file):
        return
    writer = prepare(folder, cache_file)
    _, errors = writer.communicate() if writer else (None, b"")
    if name in _stale(folder, cache_file):
        raise RuntimeError(
            f"无法在 {folder} 写入{'分词' if name == LEAN_FILE else '拼音'}词典的精简形式"
            f"（{errors.decode(errors='replace').strip()[-300:]}）；请检查该目录可写。"
        )


def load(folder: Path, cache_file: str) -> tuple[LeanFreq, int]:
    """The lean mapping and jieba's total frequency, from ``folder`` (written first if missing or stale)."""
    _written(folder, cache_file, LEAN_FILE)
    with np.load(folder / LEAN_FILE, allow_pickle=False) as data:
        return LeanFreq(data["keys"], data["freqs"]), int(data["total"])


def write(folder: str, cache_file: str) -> None:
    """In a fresh interpreter: write the compact files that are stale, from jieba's own dictionary (writing
    its cache if need be) and the whole of pypinyin."""
    root = Path(folder)
    stale = _stale(root, cache_file)
    if LEAN_FILE in stale:
        _write_jieba(root, cache_file)
    if PINYIN_FILE in stale:
        _write_readings(root)


def _write_jieba(folder: Path, cache_file: str) -> None:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir, tokenizer.cache_file = str(folder), cache_file
    tokenizer.initialize()
    freq = tokenizer.FREQ
    keys = np.fromiter((key(w) for w in freq), dtype=np.int64, count=len(freq))
    freqs = np.fromiter(freq.values(), dtype=np.int64, count=len(freq))
    order = np.argsort(keys, kind="stable")
    keys, freqs = keys[order], freqs[order]
    if len(np.unique(keys)) != len(keys):  # never seen: 64-bit hashes of 500,000 words
        raise RuntimeError("分词词典的散列有冲突。")
    source = np.array(_signature(folder / cache_file))
    _save(folder / LEAN_FILE, keys=keys, freqs=freqs.astype(np.uint32), total=np.int64(tokenizer.total), source=source)


def _write_readings(folder: Path) -> None:
    """Each phrase's toneless reading as pypinyin gives it, and every prefix of a phrase (what pypinyin's
    segmenter is trained on)."""
    from pypinyin import lazy_pinyin
    from pypinyin.constants import PHRASES_DICT

    phrases = sorted(PHRASES_DICT, key=key)
    readings = [" ".join(lazy_pinyin(p)) for p in phrases]
    keys = np.array([key(p) for p in phrases], dtype=np.int64)
    if (np.diff(keys) <= 0).any():
        raise RuntimeError("拼音词表的散列有冲突。")
    prefixes = np.unique(np.array([key(p[:i]) for p in phrases for i in range(1, len(p) + 1)], dtype=np.int64))
    _save(
        folder / PINYIN_FILE,
        prefixes=prefixes,
        phrases=keys,
        starts=np.cumsum([0, *map(len, readings)]),
        blob=np.array("".join(readings)),
        source=np.array(metadata.version("pypinyin")),
    )


def _save(path: Path, **arrays: np.ndarray) -> None:
    out = io.BytesIO()
    np.savez(out, **arrays)
    write_atomic(path, out.getvalue())


class LeanReadings:
    """pypinyin's toneless reading of a text, from pypinyin imported without its phrase table and the table's
    readings kept as arrays. Used as pypinyin's ``lazy_pinyin(text)`` is."""

    def __init__(self, pypinyin: Any, prefixes: np.ndarray, phrases: np.ndarray, starts: np.ndarray, blob: str):
        from pypinyin.seg.simpleseg import simple_seg

        self._pypinyin, self._simple_seg = pypinyin, simple_seg
        self._prefixes, self._phrases, self._starts, self._blob = _Hashed(prefixes), _Hashed(phrases), starts, blob

    def _cut(self, text: str) -> Iterator[str]:
        """Forward maximum matching over the phrases, as pypinyin's ``mmseg.seg`` (strict: only phrases are
        words) cuts: the longest phrase reached through phrase prefixes, else one character."""
        remain = text
        while remain:
            longest = 0
            for end in range(1, len(remain) + 1):
                word = remain[:end]
                if word not in self._prefixes:
                    break
                if word in self._phrases:
                    longest = end
            else:
                if not longest:  # all of it a prefix, no phrase in it: pypinyin gives its characters
                    yield from remain
                    return
            if longest:
                yield remain[:longest]
                remain = remain[longest:]
            else:
                yield remain[0]
                remain = remain[1:]

    def lazy_pinyin(self, text: str) -> list[str]:
        out: list[str] = []
        for chunk in self._simple_seg(text):
            words = self._cut(chunk) if self._pypinyin.constants.RE_HANS.match(chunk) else [chunk]
            for word in words:
                row = self._phrases.row(word)
                if row is None:
                    out.extend(self._pypinyin.lazy_pinyin(word))
                else:
                    out.extend(self._blob[self._starts[row] : self._starts[row + 1]].split(" "))
        return out


def load_readings(folder: Path, cache_file: str) -> LeanReadings:
    """pypinyin without its phrase table (imported here, in this process) and the table's readings as arrays
    from ``folder`` (written first if missing or stale)."""
    _written(folder, cache_file, PINYIN_FILE)
    pypinyin = _without_phrases()
    with np.load(folder / PINYIN_FILE, allow_pickle=False) as data:
        return LeanReadings(pypinyin, data["prefixes"], data["phrases"], data["starts"], str(data["blob"]))


def _without_phrases() -> Any:
    os.environ["PYPINYIN_NO_PHRASES"] = "1"
    try:
        import pypinyin
    finally:
        del os.environ["PYPINYIN_NO_PHRASES"]  # not for the processes this one starts
    if pypinyin.constants.PHRASES_DICT:
        raise RuntimeError("pypinyin was imported with its phrase table before the lean one was asked for")
    return pypinyin
