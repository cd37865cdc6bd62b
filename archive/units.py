"""Units named in article titles, and the area each one's articles are filed under.

Titles are printed as "单位：标题" (朝阳局：…, 西站分局：…, 深圳：…). The unit is kept as printed; its area is
one of ``AREAS``: a Beijing district (朝阳区), the area a branch of the city bureau serves (西站地区, 燕山地区),
the economic-technological development zone, or 全市 for the city bureau's own units. A unit elsewhere (深圳)
has no area; its place is its city. This one table serves the facet, the filters (typed into the filter box
or into the query) and the upload preview alike.
"""

from __future__ import annotations

import re

BEIJING = "北京"
CITYWIDE = "全市"
ECONOMIC_ZONE = "经济技术开发区"

# The 16 districts.
DISTRICTS = (
    "东城", "西城", "朝阳", "海淀", "丰台", "石景山", "门头沟", "房山", "通州",
    "顺义", "昌平", "大兴", "怀柔", "平谷", "密云", "延庆",
)  # fmt: skip
# Districts that older issues name, merged into today's in 2010.
FORMER_DISTRICTS = {"崇文": "东城", "宣武": "西城"}
# Areas served by a branch (分局) of the city bureau that are not districts.
BRANCH_AREAS = ("西站", "燕山", "天安门")
ZONE_NAMES = ("经济技术开发区", "开发区", "亦庄")
AREAS: tuple[str, ...] = (
    *(d + "区" for d in DISTRICTS),
    *(a + "地区" for a in BRANCH_AREAS),
    ECONOMIC_ZONE,
    CITYWIDE,
)

# Units of the city bureau itself, as titles print them without a district.
CITY_UNITS = (
    "科技信息中心", "市局", "市城管执法局", "市城管局", "市城市管理综合行政执法局",
    "北京市城管执法局", "北京市城市管理综合行政执法局", "执法总队", "指挥中心",
    "法制处", "宣传处", "办公室", "勤务处", "督察处", "装备财务处", "科技处",
    "信息中心", "培训中心", "服务中心",
)  # fmt: skip
# What staff call the city level as a whole.
CITYWIDE_NAMES = (CITYWIDE, "市级", "市局", "全局")

_TITLE_SPLIT = re.compile(r"^\s*([^：:，。！？\s]{1,16})\s*[：:]\s*(\S.*)$")
_NAMES = "|".join(sorted((*DISTRICTS, *FORMER_DISTRICTS), key=len, reverse=True))
_UNIT = "局|分局|城管局|城管执法局|城管执法监察局|城市管理综合行政执法局"
# An area as a whole word: a name with the suffixes units and staff give it (怀柔, 怀柔区, 怀柔局, 密云县局,
# 海淀区城管执法局; a branch's area only with its suffix, 西站分局, 西站地区, 北京西站地区分局, since 西站
# alone is also the station), nothing after.
_NAMED = re.compile(
    rf"^(?:北京市?)?(?:({_NAMES})(?:区|县)?(?:{_UNIT})?|({'|'.join(BRANCH_AREAS)})(?:地区|(?:地区)?分局))$"
)


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


def area_of(unit: str | None) -> str | None:
    """The area a unit's articles are filed under, or None when the unit is not in Beijing."""
    if not unit:
        return None
    unit = unit.strip()
    if unit in CITY_UNITS:
        return CITYWIDE
    name = unit.removeprefix("北京市").removeprefix("北京")
    if (named := area_named(unit)) is not None:
        return named
    for district in DISTRICTS:
        if name.startswith(district):
            return district + "区"
    for former, today in FORMER_DISTRICTS.items():
        if name.startswith(former):
            return today + "区"
    for area in BRANCH_AREAS:
        if name.startswith(area):
            return area + "地区"
    if name.startswith(ZONE_NAMES):
        return ECONOMIC_ZONE
    if name in CITY_UNITS or name.startswith(("市", "城管执法局")):
        return CITYWIDE
    if name.endswith("分局") and len(name) > 2:
        return name.removesuffix("分局").removesuffix("地区") + "地区"  # a branch serving an area of its own
    return None


def area_named(word: str) -> str | None:
    """The area ``word`` names as a whole (怀柔, 怀柔区, 怀柔局, 西站分局, 全市, 科技信息中心), else None.

    Stricter than ``area_of``: 大兴机场 begins with a district's name but names a place in it, so a word
    typed into the query box is taken for an area only when it is one of these forms."""
    word = word.strip()
    if word in AREAS:
        return word
    if word in CITYWIDE_NAMES or word in CITY_UNITS:
        return CITYWIDE
    if word in ZONE_NAMES or word in (z + "管委会" for z in ZONE_NAMES):
        return ECONOMIC_ZONE
    match = _NAMED.match(word)
    if match is None:
        return None
    if match.group(2):
        return match.group(2) + "地区"
    return FORMER_DISTRICTS.get(match.group(1), match.group(1)) + "区"


def place_of(unit: str | None, area: str | None) -> str | None:
    """Where the article happened: 北京 for Beijing units, else the city as printed."""
    if area:
        return BEIJING
    if unit:
        return unit.removesuffix("市") if len(unit) > 2 else unit
    return None


def normalise_area(value: str) -> str | None:
    """Map what staff type into the filter box (怀柔, 怀柔区, 怀柔局, 西站分局, 西站, 全市, 市局) to an area."""
    value = value.strip()
    if not value:
        return None
    if value in BRANCH_AREAS:
        return value + "地区"
    return area_named(value) or area_of(value)
