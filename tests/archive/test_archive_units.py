"""Units as printed, and the area each is filed under: a district, a branch's area, 全市, or none elsewhere."""

from __future__ import annotations

import pytest

from archive.units import AREAS, area_named, area_of, normalise_area, place_of, split_title


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
    ("unit", "area"),
    [
        ("朝阳局", "朝阳区"), ("石景山局", "石景山区"), ("门头沟局", "门头沟区"),
        ("西站分局", "西站地区"), ("燕山分局", "燕山地区"), ("北京西站地区分局", "西站地区"),
        ("天安门地区分局", "天安门地区"), ("科技信息中心", "全市"), ("执法总队", "全市"), ("市局", "全市"),
        ("密云县局", "密云区"), ("北京市海淀区城管执法局", "海淀区"), ("崇文局", "东城区"), ("宣武区", "西城区"),
        ("亦庄", "经济技术开发区"), ("深圳", None), ("上海市", None),
    ],
)  # fmt: skip
def test_area_of_unit(unit, area):
    assert area_of(unit) == area
    assert area is None or area in AREAS


@pytest.mark.parametrize("typed", ["怀柔", "怀柔区", "怀柔局", " 怀柔区 "])
def test_filter_values_staff_type(typed):
    assert normalise_area(typed) == "怀柔区"


@pytest.mark.parametrize(
    ("typed", "area"),
    [("西站", "西站地区"), ("西站分局", "西站地区"), ("燕山地区", "燕山地区"), ("全市", "全市"), ("市局", "全市"),
     ("科技信息中心", "全市"), ("开发区", "经济技术开发区"), ("火星", None), ("分局", None)],
)  # fmt: skip
def test_areas_staff_type(typed, area):
    assert normalise_area(typed) == area


@pytest.mark.parametrize("word", ["大兴机场", "朝阳群众", "通州区行政执法", "西站共享单车", "海淀公园", "西站"])
def test_a_place_inside_an_area_is_not_the_area_as_a_word(word):
    # A word typed into the query is an area only as a whole (西站 alone is also the station); the filter box
    # stays lenient.
    assert area_named(word) is None


def test_place():
    assert place_of("朝阳局", "朝阳区") == "北京"
    assert place_of("上海市", None) == "上海"
    assert place_of("深圳", None) == "深圳"
