"""Units named in article titles, and the district each belongs to.

Titles are printed as "单位：标题" (朝阳局：…, 西站分局：…, 深圳：…). The unit is
kept as printed; for filtering it is normalised to a Beijing district
(朝阳区), to the values 分局 and 市局 of their own, or, for other cities, to
a place that is not a Beijing district.
"""

from __future__ import annotations

import re

BEIJING = "北京"
BRANCH = "分局"
CITY_BUREAU = "市局"
ECONOMIC_ZONE = "经济技术开发区"

# The 16 districts, plus 崇文 and 宣武 which older issues name (merged in 2010).
DISTRICTS = (
    "东城", "西城", "朝阳", "海淀", "丰台", "石景山", "门头沟", "房山", "通州",
    "顺义", "昌平", "大兴", "怀柔", "平谷", "密云", "延庆", "崇文", "宣武",
)  # fmt: skip

# Units of the city bureau itself, as titles print them without a district.
CITY_UNITS = (
    "科技信息中心", "市局", "市城管执法局", "市城管局", "市城市管理综合行政执法局",
    "北京市城管执法局", "北京市城市管理综合行政执法局", "执法总队", "指挥中心",
    "法制处", "宣传处", "办公室", "勤务处", "督察处", "装备财务处", "科技处",
    "信息中心", "培训中心", "服务中心",
)  # fmt: skip

_TITLE_SPLIT = re.compile(r"^\s*([^：:，。！？\s]{1,16})\s*[：:]\s*(\S.*)$")


def split_title(title: str) -> tuple[str | None, str]:
    """Return ``(unit, rest)`` from a title printed as "单位：标题"."""
    match = _TITLE_SPLIT.match(title)
    if match:
        return match.group(1), match.group(2)
    for unit in sorted(CITY_UNITS, key=len, reverse=True):
        # "科技信息中心及时应对…" names its unit without a colon.
        if title.startswith(unit) and len(title) > len(unit) + 2:
            return unit, title
    return None, title


def district_of(unit: str | None) -> str | None:
    """Normalised district for a unit, or None when the unit is not in Beijing."""
    if not unit:
        return None
    name = unit.strip().removeprefix("北京市").removeprefix("北京")
    if name.endswith(BRANCH):
        return BRANCH
    if district := _district_prefix(name):
        return district
    if name.startswith(("开发区", "经济技术开发区", "亦庄")):
        return ECONOMIC_ZONE
    if name in CITY_UNITS or name.startswith(("市", "城管执法局")) or unit in CITY_UNITS:
        return CITY_BUREAU
    return None


def place_of(unit: str | None, district: str | None) -> str | None:
    """Where the article happened: 北京 for Beijing units, else the city as printed."""
    if district:
        return BEIJING
    if unit:
        return unit.removesuffix("市") if len(unit) > 2 else unit
    return None


def normalise_district(value: str) -> str | None:
    """Map what staff type (怀柔, 怀柔区, 怀柔局, 西站分局, 市局) to a district value."""
    value = value.strip()
    if not value:
        return None
    if value in (BRANCH, CITY_BUREAU, ECONOMIC_ZONE):
        return value
    return district_of(value)


def _district_prefix(name: str) -> str | None:
    for district in DISTRICTS:
        if name.startswith(district):
            return district + "区"
    return None
