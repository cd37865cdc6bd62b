"""The forgiving-search classes, judged on the first issue: shared by the tests and eval_search.py.

Each case is (typed, wanted): wanted is the text the first hit must contain, or the article ids one of
which must be the first hit. A passage case is made from an article's own text, pasted the way a
browser or a word processor hands it over.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _data() -> dict:
    return json.loads((HERE / "judged_forgiving.json").read_text(encoding="utf-8"))


def judged() -> dict[str, list[tuple[str, str | list[str]]]]:
    """The classes judged by their first hit (initials, judged by the word offered, apart)."""
    skip = ("controls", "initials")
    return {
        kind: [tuple(case) for case in cases] for kind, cases in _data().items() if kind[0] != "_" and kind not in skip
    }


def unseen() -> dict[str, list[tuple[str, list[str]]]]:
    """The classes judged on an issue written after the rules, on other subjects (tests/fixtures/unseen-2017-12.md)."""
    data = json.loads((HERE / "judged_unseen.json").read_text(encoding="utf-8"))
    return {kind: [tuple(case) for case in cases] for kind, cases in data.items() if kind[0] != "_"}


UNSEEN_FIXTURE = HERE.parent / "tests" / "fixtures" / "unseen-2017-12.md"


def initials() -> list[tuple[str, str]]:
    """Pinyin initials and the archive word they should be offered as (您是不是要找)."""
    return [tuple(case) for case in _data()["initials"]]


def controls() -> dict[str, list[str]]:
    """Real words that are never corrected: some the archive has, some it has not."""
    return _data()["controls"]


def mangle(text: str, seed: int) -> str:
    """What pasting does to a passage: other punctuation and spacing, line breaks, a few characters off."""
    text = text.replace("，", ", ").replace("。", ".\n").replace("：", ":").replace("“", '"').replace("”", '"')
    chars = list(text)
    cjk = [i for i, c in enumerate(chars) if "\u4e00" <= c <= "\u9fff"]
    for n in range(3):
        chars[cjk[(seed * 7 + n * 31) % len(cjk)]] = "某"
    spaced = "".join(chars)
    return " ".join(spaced[i : i + 37] for i in range(0, len(spaced), 37))


def passages(articles, issue: str) -> list[tuple[str, list[str]]]:
    """Eight pasted passages (60 to 1,000 characters) of the issue's articles, each with its source."""
    longest = sorted((a for a in articles if a.issue_id == issue and not a.editorial), key=lambda a: -len(a.text))
    sizes = (1000, 600, 450, 300, 200, 120, 80, 60)  # the longest article gives the longest passage
    pairs = zip(longest, sizes, strict=False)
    return [(mangle(a.text[100 : 100 + size], n), [a.id]) for n, (a, size) in enumerate(pairs)]


def answered(hits: list, wanted: str | list[str], articles_by_id: dict) -> bool:
    """True when the first hit is an article a person typing the query wanted."""
    if not hits:
        return False
    first = hits[0]
    if isinstance(wanted, list):
        return first.id in wanted
    article = articles_by_id[first.id]
    return wanted in article.title or wanted in article.text
