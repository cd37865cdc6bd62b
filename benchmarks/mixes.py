"""The query mixes of the benchmark, and the articles file both engines are fed.

- ``QUERY_MIX``: a fixed warm mix (words, sub-words, pairs, phrases, filters, date sort, browse), asked again
  and again;
- ``piece_mix``: the cold mix staff's typing looks like: pieces of article titles, 2–4 characters long and
  often not whole words (局利, 视频监, 保障工), 40 % of them two pieces, a quarter with a district or a date
  filter, none asked twice;
- ``meaning_mix``: queries that take the steps of understanding a query (an everyday word for an official
  term, a filter typed among the words, words typed apart that no article has together, pinyin mixed with
  characters, a shape slip, a question), each class named so its cost is reported apart.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

QUERY_MIX: list[dict[str, str]] = [
    {"q": "执法记录仪"},
    {"q": "视频监控"},
    {"q": "城管通"},
    {"q": "记录仪"},
    {"q": "小广告"},
    {"q": "执法记录仪 怀柔"},
    {"q": "共享单车 西站"},
    {"q": '"视频监控系统"'},
    {"q": '"门前三包"'},
    {"q": "执法", "district": "朝阳"},
    {"q": "视频", "section": "区局动态"},
    {"q": "扬尘", "from": "2010-01-01", "to": "2012-12-31"},
    {"q": "执法记录仪", "sort": "date"},
    {"q": "", "district": "海淀"},
    {"q": "", "section": "它山之石"},
    {"q": "网络安全", "from": "2015-01-01"},
]

DISTRICTS = ["朝阳", "海淀", "西城", "东城", "丰台", "怀柔", "通州", "昌平", "大兴", "房山"]
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")

MEANING_MIX: dict[str, list[str]] = {
    "everyday word": ["牛皮癣", "摊贩 整治", "煤气 检查", "渣土车 撒漏", "黑车", "乱贴乱画"],
    "typed filter": ["怀柔区 执法", "视频监控 西城区", "2015年 共享单车", "区局动态 视频监控", "朝阳 扬尘"],
    "words apart": ["执法记录仪 火星", "共享单车 潜水艇", "视频监控 恐龙 城管"],
    "mixed pinyin": ["城管tong", "执法jilu", "shipin监控"],
    "shape slip": ["执法记录仪器", "视频监空", "共享单东"],
    "question": ["怎么整治共享单车乱停放", "如何加强扬尘监测", "执法记录仪有什么用"],
}


def write_articles(corpus: Path, target: Path) -> Path:
    """Every article of ``corpus`` as one JSON object a line (id, issue, date, section, unit, district, title,
    page, body): what the FTS5 peer builds from, and where the mixes take their titles."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from archive.corpus import Corpus
    from indexer.storage.build import parse_all

    target.mkdir(parents=True, exist_ok=True)
    path = target / "articles.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for parsed in parse_all(Corpus(corpus).files()):
            issue = parsed.issue
            for a in issue.articles:
                row = {"id": a.id, "issue": a.issue_id, "date": issue.date.isoformat(), "section": a.section, "unit": a.unit or "",
                       "district": a.district or "", "title": a.title, "page": a.page, "body": a.text}  # fmt: skip
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def titles(articles: Path) -> list[str]:
    with articles.open(encoding="utf-8") as f:
        return [json.loads(line)["title"] for line in f]


def piece_mix(titles: list[str], count: int = 400, seed: int = 27) -> list[dict[str, str]]:
    """``count`` distinct searches made of random pieces of titles (see the module's description)."""
    rng = random.Random(seed)
    seen: set[tuple] = set()
    out: list[dict[str, str]] = []
    while len(out) < count:
        pieces = [_piece(rng, titles) for _ in range(2 if rng.random() < 0.4 else 1)]
        params = {"q": " ".join(pieces)}
        roll = rng.random()
        if roll < 0.125:
            params["district"] = rng.choice(DISTRICTS)
        elif roll < 0.25:
            year = rng.randint(1990, 2016)
            params["from" if rng.random() < 0.5 else "to"] = f"{year}-01-01"
        key = tuple(sorted(params.items()))
        if key not in seen:
            seen.add(key)
            out.append(params)
    return out


def _piece(rng: random.Random, titles: list[str]) -> str:
    while True:
        title = rng.choice(titles)
        size = rng.randint(2, 4)
        if len(title) < size:
            continue
        start = rng.randrange(len(title) - size + 1)
        piece = title[start : start + size]
        if _CJK.match(piece):
            return piece


def meaning_mix() -> list[tuple[str, dict[str, str]]]:
    return [(kind, {"q": q}) for kind, queries in MEANING_MIX.items() for q in queries]
