"""A deterministic synthetic archive shaped like the real bulletin.

    python3 benchmarks/synth.py 20000 /tmp/synth-20k

Issues of 30 articles (an editorial and 29 articles) in the real sections, with the real units and
districts, one issue a month going back from 2017年第6期, written as Markdown issue files with a table of
contents that `bulletin reindex` reads like any other. Paragraphs are recombined from the sentences of
corpus/, with numbers, places and domain terms varied so that posting lists are not all the same.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive import read_file  # noqa: E402
from archive.corpus import Corpus  # noqa: E402

SECTIONS = [("热点解读", 1), ("市局信息", 2), ("应用亮点", 13), ("区局动态", 12), ("它山之石", 1)]
UNITS = [
    "东城局", "西城局", "朝阳局", "海淀局", "丰台局", "石景山局", "门头沟局", "房山局", "通州局", "顺义局",
    "昌平局", "大兴局", "怀柔局", "平谷局", "密云局", "延庆局", "西站分局", "燕山分局",
]  # fmt: skip
CITY_UNITS = ["科技信息中心", "指挥中心", "执法总队", "法制处"]
CITIES = ["深圳", "上海", "杭州", "广州", "成都", "南京", "武汉", "厦门"]
TERMS = [
    "执法记录仪", "执法城管通", "车载取证设备", "视频监控系统", "800M数字集群", "门前三包", "非法小广告",
    "违法建设", "共享单车", "网格化管理", "大数据平台", "指挥调度中心", "扬尘监测", "渣土运输", "露天烧烤",
    "智慧城管", "移动执法终端", "无人机巡查", "热线举报系统", "电子地图", "视频会议系统", "网络安全",
]  # fmt: skip
ARTICLES_PER_ISSUE = 30
MONTHLY_ISSUES = (2017 - 1949) * 12 + 6  # 1949年第1期 … 2017年第6期


def sentences() -> list[str]:
    out = []
    for path in Corpus(ROOT / "corpus").files():
        for article in read_file(path).issue.articles:
            for paragraph in article.paragraphs:
                if paragraph.kind == "text":
                    out.extend(s + "。" for s in re.split(r"。", paragraph.text) if len(s) > 8)
    return out


def vary(sentence: str, rng: random.Random) -> str:
    """Swap numbers, units and terms so the vocabulary spreads like years of real issues."""
    sentence = re.sub(r"\d+", lambda m: str(rng.randint(1, 999)), sentence)
    for unit in UNITS:
        if unit in sentence:
            sentence = sentence.replace(unit, rng.choice(UNITS))
    for term in TERMS:
        if term in sentence and rng.random() < 0.6:
            sentence = sentence.replace(term, rng.choice(TERMS))
    return sentence


def article(rng: random.Random, pool: list[str], unit: str) -> tuple[str, list[str]]:
    term, other = rng.sample(TERMS, 2)
    verb = rng.choice(["利用", "发挥", "推进", "加强", "升级", "启用", "规范", "完善"])
    goal = rng.choice(["做好环境秩序保障工作", "提升执法效能", "加强专项整治", "服务群众诉求", "保障重大活动"])
    title = f"{unit}：{verb}{term} {goal}"
    paragraphs = []
    for _ in range(rng.randint(2, 5)):
        body = "".join(vary(rng.choice(pool), rng) for _ in range(rng.randint(1, 4)))
        paragraphs.append(body.replace(rng.choice(TERMS), other, 1))
    return title, paragraphs


def issue_text(index: int, rng: random.Random, pool: list[str], per_year: int = 12) -> tuple[str, str]:
    """The Markdown text of synthetic issue ``index`` (0 = 2017年第6期, going back a month each; with more than
    12 issues a year, 0 = the last of 2017, going back an issue each)."""
    if per_year == 12:
        month = 6 - index
        year = 2017 + (month - 1) // 12
        number = (month - 1) % 12 + 1
        day = dt.date(year, number, 10)
    else:
        year, number = 2017 - index // per_year, per_year - index % per_year
        day = dt.date(year, 1, 1) + dt.timedelta(days=(number - 1) * 365 // per_year)
    planned = []
    for section, count in SECTIONS:
        for _ in range(count):
            if section == "它山之石":
                unit = rng.choice(CITIES)
            elif section in ("热点解读", "市局信息"):
                unit = rng.choice(CITY_UNITS)
            else:
                unit = rng.choice(UNITS)
            planned.append((section, *article(rng, pool, unit)))
    page, toc, body = 2, ["【刊首语】\t2"], ["## 【刊首语】", "", vary(rng.choice(pool), rng), ""]
    current = None
    for section, title, paragraphs in planned:
        if section != current:
            current = section
            toc.append(f"【{section}】\t{page + 1}")
            body += [f"## 【{section}】", ""]
        page += rng.randint(0, 1)
        toc.append(f"{title}\t{page + 1}")
        body += [f"### {title}", ""]
        for paragraph in paragraphs:
            body += [paragraph, ""]
    head = ["# 北京城管科技信息动态", "", f"{year}年第{number}期", "", "北京市城管执法局科技信息中心", "",
            f"{day.year}年{day.month}月{day.day}日", ""]  # fmt: skip
    return f"{year}-{number:02d}", "\n".join(head + toc + [""] + body) + "\n"


def generate(articles: int, target: Path, seed: int = 20170610) -> Path:
    """Write ``articles`` articles (rounded up to whole issues) as issue files under ``target``."""
    rng = random.Random(seed)
    pool = sentences()
    issues = -(-articles // ARTICLES_PER_ISSUE)
    # Monthly back to 1949 (the earliest year an issue may carry) holds 24,000 articles; past that, more a year.
    per_year = 12 if issues <= MONTHLY_ISSUES else -(-issues // (2017 - 1949 + 1))
    for index in range(issues):
        issue_id, text = issue_text(index, rng, pool, per_year)
        path = target / issue_id[:4] / f"{issue_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target


def extra_issue(target: Path, seed: int = 1) -> Path:
    """One more issue, newer than any generated one, for the ingest benchmark."""
    rng = random.Random(seed)
    _, text = issue_text(0, rng, sentences())
    text = text.replace("2017年第6期", "2030年第1期").replace("2017年6月10日", "2030年1月10日")
    path = target / "2030-01.md"
    path.write_text(text, encoding="utf-8")
    return path


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
