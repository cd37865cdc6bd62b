"""Units as printed, normalised to districts, 分局, 市局, or a place elsewhere."""

from __future__ import annotations

import pytest

from archive.units import district_of, normalise_district, place_of, split_title


@pytest.mark.parametrize(
    ("title", "unit"),
    [
        ("朝阳局：利用科技装备做好保障工作", "朝阳局"),
        ("西站分局：利用科技手段管理共享单车", "西站分局"),
        ("深圳：依托科技创新 打造新型智慧城市", "深圳"),
        ("科技信息中心及时应对处置防范“永恒之蓝”病毒", "科技信息中心"),
        ("国家陆续出台政策文件推进政府数据开放工作", None),
        ("燕山分局:强化人防技控", "燕山分局"),
    ],
)
def test_unit_from_title_prefix(title, unit):
    assert split_title(title)[0] == unit


@pytest.mark.parametrize(
    ("unit", "district"),
    [
        ("朝阳局", "朝阳区"), ("石景山局", "石景山区"), ("门头沟局", "门头沟区"),
        ("西站分局", "分局"), ("燕山分局", "分局"), ("科技信息中心", "市局"), ("执法总队", "市局"),
        ("密云县局", "密云区"), ("北京市海淀区城管执法局", "海淀区"), ("深圳", None), ("上海市", None),
    ],
)  # fmt: skip
def test_district_of_unit(unit, district):
    assert district_of(unit) == district


@pytest.mark.parametrize("typed", ["怀柔", "怀柔区", "怀柔局", " 怀柔区 "])
def test_filter_values_staff_type(typed):
    assert normalise_district(typed) == "怀柔区"


def test_special_district_values():
    assert normalise_district("分局") == "分局" and normalise_district("市局") == "市局"
    assert normalise_district("火星") is None


def test_place():
    assert place_of("朝阳局", "朝阳区") == "北京"
    assert place_of("上海市", None) == "上海"
    assert place_of("深圳", None) == "深圳"
