"""jieba's prefix dictionary in 6 MB instead of 70, for the processes that serve searches.

jieba keeps every word of its dictionary and every prefix of one in a dict: half a million strings, about
70 MB in each server worker. A worker cuts only queries and the odd article, so it holds the same mapping as
two sorted arrays (a 64-bit hash of each key, its frequency) looked up by binary search, with the words added
since (the domain dictionary) in a small dict. jieba's own code still does the cutting, unchanged: it only
asks the mapping ``in``, ``[]`` and ``get``, and sets words, so a cut is the same as with the dict.

The arrays are written once beside jieba's cache, by a child process (the full dict never enters a server's
memory), and written again when jieba's cache changes.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
from pathlib import Path

import jieba
import numpy as np

from archive.corpus import write_atomic

LEAN_FILE = "jieba-lean.npz"
_MISSING = object()


def key(word: str) -> int:
    """A word's 64-bit key: a hash of its UTF-8 bytes (Python's own hash is per process, and equal for 'BP'
    and '偂', whose internal bytes are the same)."""
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


class LeanFreq:
    """What jieba's ``Tokenizer.FREQ`` is asked for, over sorted arrays: word → frequency (0 for a prefix)."""

    def __init__(self, keys: np.ndarray, freqs: np.ndarray) -> None:
        self._keys, self._freqs = keys, freqs
        self._size = len(keys)
        self._added: dict[str, int] = {}

    def _find(self, word: str) -> object:
        found = self._added.get(word, _MISSING)
        if found is not _MISSING:
            return found
        h = key(word)
        i = int(self._keys.searchsorted(h))
        if i < self._size and self._keys[i] == h:
            return int(self._freqs[i])
        return _MISSING

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


def load(folder: Path, cache_file: str) -> tuple[LeanFreq, int]:
    """The lean mapping and jieba's total frequency, from ``folder`` (written first if missing or stale)."""
    path = folder / LEAN_FILE
    for _ in range(2):
        cache = folder / cache_file
        if path.exists() and cache.exists():
            with np.load(path, allow_pickle=False) as data:
                if str(data["source"]) == _signature(cache):
                    return LeanFreq(data["keys"], data["freqs"]), int(data["total"])
        _write_in_child(folder, cache_file)
    raise RuntimeError(f"无法在 {folder} 写入分词词典的精简形式；请检查该目录可写。")


def _write_in_child(folder: Path, cache_file: str) -> None:
    child = multiprocessing.get_context("fork").Process(target=_write, args=(folder, cache_file))
    child.start()
    child.join()


def _write(folder: Path, cache_file: str) -> None:
    """In a child process: load jieba's full dictionary (writing its cache if need be) and write the arrays."""
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
    out = io.BytesIO()
    source = np.array(_signature(folder / cache_file))
    np.savez(out, keys=keys, freqs=freqs.astype(np.uint32), total=np.int64(tokenizer.total), source=source)
    write_atomic(folder / LEAN_FILE, out.getvalue())
