"""Chinese text analysis: jieba words for ranking, character pairs for recall.

Two kinds of token are indexed for every text field:

* words: jieba's precise segmentation with the domain dictionary, stop words
  removed. A query that is a whole word of the article (城管通 standing alone)
  scores higher than one found inside a longer word (执法城管通); nothing
  depends on it for being found. Precise mode, not search mode, because search
  mode emits parts of longer words and so blurs exactly that difference.
* pairs: each Chinese character of the folded text with the one after it, and
  ASCII words (WannaCry, 800M, PM2.5) whole (``engine.grams``). Any contiguous
  piece of an article's text has all its pairs, so it is found whatever the
  dictionary says (城管通 inside 执法城管通); an exact substring test then keeps
  only the articles where the characters are contiguous, so results are not
  flooded by articles that merely share characters.

jieba is given the domain dictionary's words and the synonym groups' (so that a
query is cut into the terms staff use); ``is_word`` says what is a real word.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import re
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jieba

from .folding import normalise
from .wordlists import parse_userdict_cached, state, synonyms

CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_CJK = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in CJK_RANGES)
_RUNS = re.compile(rf"([{_CJK}]+)|([A-Za-z0-9]+(?:\.[0-9]+)*)")
_lock = threading.Lock()
_ready = False
_lean = False  # serve with jieba's dictionary as arrays (``dictionary``); set before the first ``init``


def cache_dir() -> Path:
    """Where jieba keeps its prefix-dictionary cache: the project's own folder, not /tmp."""
    base = os.environ.get("BULLETIN_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "bulletin-archive"
    )
    return Path(base)


JIEBA_CACHE = "jieba.cache"


def prepare_lean() -> multiprocessing.process.BaseProcess | None:
    """Start writing, in the background, the compact dictionaries a server reads (``dictionary.prepare``)
    where they are missing: a full build does, so that the first server after it starts as fast as the next."""
    from . import dictionary

    return dictionary.prepare(cache_dir(), JIEBA_CACHE)


def lean_dictionary() -> None:
    """From now on, in this process, keep jieba's dictionary and pypinyin's phrase readings as compact arrays
    (``dictionary``): a server's workers cut only queries and single articles and read only slips aloud, and
    hold about 100 MB less each. Cuts and readings are the same."""
    global _lean
    _lean = True


def is_lean() -> bool:
    """True in a process that keeps the libraries' dictionaries compact (``lean_dictionary``)."""
    return _lean


def init(*, full: bool = False) -> None:
    """Load jieba once per process, silently, with the domain dictionary as it is now on disk; with ``full``,
    as jieba's own dict even in a lean process (a build's processes cut whole archives)."""
    global _ready, _lean
    if full and _lean:
        with _lock:
            _lean = _ready = False
            jieba.dt.initialized = False
            _reset_domain_words()
    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                folder = cache_dir()
                folder.mkdir(parents=True, exist_ok=True)
                jieba.dt.tmp_dir = str(folder)
                jieba.dt.cache_file = JIEBA_CACHE
                if _lean:
                    from . import dictionary

                    jieba.dt.FREQ, jieba.dt.total = dictionary.load(folder, jieba.dt.cache_file)
                    jieba.dt.initialized = True
                else:
                    jieba.dt.initialize()
                _ready = True
    _sync_domain_words()


_loaded_words: dict[str, int] = {}  # what jieba was given, and from which file state
_loaded_signature: tuple[str | int, ...] | None = None


def added_words() -> dict[str, int]:
    """The words this process has given jieba (the domain dictionary's, and the synonym groups' it lacked), with
    their frequencies."""
    return dict(_loaded_words)


def _reset_domain_words() -> None:
    global _loaded_words, _loaded_signature
    _loaded_words, _loaded_signature = {}, None


# A word of the synonym groups that jieba does not know is given this frequency, so that a query is cut into
# the terms staff use (渣土车 撒漏, not 渣土 车 撒 漏).
SYNONYM_FREQ = 2000
_SYNONYM_WORD = re.compile(rf"^[{_CJK}]{{2,8}}$")


def _sync_domain_words() -> None:
    """Bring jieba's words in line with the dictionary file and the synonym groups (a word taken out is given
    no frequency)."""
    global _loaded_words, _loaded_signature
    userdict = state("userdict.txt")
    current = (*userdict, *state("synonyms.txt"))
    if current == _loaded_signature:
        return
    with _lock:
        wanted = dict(parse_userdict_cached(userdict))
        for word in synonyms():
            known = word in _loaded_words or jieba.dt.FREQ.get(word)  # ours from before, or jieba's own
            if word not in wanted and _SYNONYM_WORD.match(word) and (word in _loaded_words or not known):
                wanted[word] = SYNONYM_FREQ
        for word in set(_loaded_words) - set(wanted):
            jieba.del_word(word)
        for word, freq in wanted.items():
            if _loaded_words.get(word) != freq:
                jieba.add_word(word, freq)
        _loaded_words, _loaded_signature = wanted, current
        _inner_words.cache_clear()


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    text = resources.files("indexer").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def question_words() -> frozenset[str]:
    """Words of a question that an article need not contain (如何, 怎么, 哪些, 吗…)."""
    text = resources.files("indexer").joinpath("data/questionwords.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def is_word(text: str) -> bool:
    """True for a real word, whether or not the archive uses it: a word of the domain dictionary, or of
    jieba's that is not a numeral or quantity (亿个, 三年) or a person's name, which jieba lists by the
    hundred thousand and which a slip easily makes."""
    if not _ready:
        init()
    return bool(jieba.dt.FREQ.get(text)) and text not in _not_words()


# jieba's parts of speech that mark what is no real word for a slip to be taken as.
_NOT_WORD_TAGS = frozenset({"m", "mq", "q", "nr", "nrt", "nrfg"})


@lru_cache(maxsize=1)
def _not_words() -> frozenset[str]:
    """The words jieba's dictionary tags as numerals, quantities or persons' names."""
    path = Path(jieba.__file__).parent / "dict.txt"
    with path.open(encoding="utf-8") as lines:
        return frozenset(w for w, _, tag in (line.split() for line in lines) if tag in _NOT_WORD_TAGS)


def load_words() -> None:
    """Read what ``is_word`` needs now (a forking master does, so that its workers share it)."""
    _not_words()


def words(text: str) -> list[str]:
    """jieba words (precise mode) and lower-cased ASCII words, stop words removed."""
    return segment(text, vocabulary=False)[0]


def pieces(text: str) -> list[str]:
    """``text`` cut into jieba's words with nothing dropped (they join back into ``text``): what a comparison
    of two versions of a paragraph compares."""
    init()
    return list(jieba.cut(text, HMM=False))


def vocabulary_words(text: str) -> set[str]:
    """The Chinese words of ``text`` a query may mean: jieba's words and the dictionary words inside them
    (小广告 inside 非法小广告), and two adjacent words together (勒索病毒 from 勒索 + 病毒)."""
    return segment(text)[1]


def segment(text: str, *, vocabulary: bool = True) -> tuple[list[str], set[str]]:
    """``words(text)`` and ``vocabulary_words(text)`` from one jieba cut (a build needs both); without
    ``vocabulary``, the words only (a query, an article's related ones)."""
    init()
    stops = stop_words()
    runs = [m.groups() for m in _RUNS.finditer(normalise(text))]
    cuts = iter(_cut_runs([run for run, _ in runs if run]))
    out: list[str] = []
    found: set[str] = set()
    for _, ascii_word in runs:
        if ascii_word:
            out.append(ascii_word.lower())
            continue
        precise = next(cuts)
        kept = [w for w in precise if w not in stops]
        out.extend(kept)
        if not vocabulary:
            continue
        found.update(w for w in kept if len(w) > 1)
        for word in precise:
            if len(word) > 2:
                found.update(_inner_words(word))
        found.update(
            a + b for a, b in itertools.pairwise(precise) if a not in stops and b not in stops and len(a + b) <= 6
        )
    return out, found


@lru_cache(maxsize=1 << 16)
def _inner_words(word: str) -> tuple[str, ...]:
    """The dictionary words of two and three characters inside ``word``, as jieba's search mode finds them
    (remembered: a build meets the same words often; forgotten when the dictionary changes)."""
    freq = jieba.dt.FREQ
    return tuple(
        g
        for size in (2, 3)
        if len(word) > size
        for i in range(len(word) - size + 1)
        if freq.get(g := word[i : i + size])
    )


def _cut_runs(runs: list[str]) -> list[list[str]]:
    """Each run's jieba words, from one cut of them all: a line break ends a block for jieba, so each run is
    cut exactly as it would be alone, at one call a text instead of one a run."""
    out: list[list[str]] = [[]]
    if not runs:
        return []
    for token in jieba.cut("\n".join(runs), HMM=False):
        if token == "\n":
            out.append([])
        else:
            out[-1].append(token)
    return out


def ascii_words(text: str) -> list[str]:
    """The ASCII words of ``text`` (WannaCry, 800M, PM2.5), lower-cased, as its spacing separates them."""
    return [m.group(2).lower() for m in _RUNS.finditer(normalise(text)) if m.group(2)]


def has_text(text: str) -> bool:
    return _RUNS.search(normalise(text)) is not None
