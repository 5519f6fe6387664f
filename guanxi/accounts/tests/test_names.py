"""Matching keys for company names and mobiles (pure functions, no database)."""

import pytest

from guanxi.accounts.names import (
    CITIES,
    CITY_PROVINCE,
    PROVINCES,
    Place,
    company_key,
    company_place,
    email_key,
    generic_body,
    mobile_key,
    mobile_variants,
    places_differ,
)


@pytest.mark.parametrize(
    "name, key",
    [
        ("华为技术有限公司", "华为技术"),
        ("北京华为技术有限公司", "华为技术"),
        ("华为技术（北京）有限公司", "华为技术"),
        ("华为技术(北京)有限公司", "华为技术"),
        ("华为技术有限公司北京分公司", "华为技术"),
        ("上海锦江国际酒店集团股份有限公司", "锦江国际酒店"),
        ("上海市锦江集团", "锦江"),
        ("广东省深圳市腾讯计算机系统有限公司", "腾讯计算机系统"),
        ("深圳市腾讯计算机系统有限责任公司", "腾讯计算机系统"),
        ("招商银行股份有限公司北京分行", "招商银行"),
        ("ＡＢＣ　会展 有限公司", "abc会展"),
        ("【旗舰店】携程旅行网", "携程旅行网"),
        ("Huawei Technologies Co., Ltd.", "huaweitechnologies"),
        ("Marriott International, Inc.", "marriottinternational"),
        ("  ", ""),
        (None, ""),
    ],
)
def test_company_key(name, key):
    assert company_key(name) == key


@pytest.mark.parametrize("a, b", [("北京银行", "上海银行"), ("北京大学", "南京大学")])
def test_a_place_before_a_generic_word_keeps_two_organisations_apart(a, b):
    assert company_key(a) != company_key(b)
    assert company_key("北京银行股份有限公司") == company_key("北京银行")


@pytest.mark.parametrize(
    "number, key",
    [
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("0086-138-0013-8000", "13800138000"),
        ("86 13800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("010-6512 3456", "01065123456"),
        ("", ""),
        (None, ""),
    ],
)
def test_mobile_key(number, key):
    assert mobile_key(number) == key


def test_every_mobile_variant_has_the_same_key():
    variants = mobile_variants("13800138000")
    assert "138 0013 8000" in variants and "+8613800138000" in variants
    assert {mobile_key(v) for v in variants} == {"13800138000"}
    assert mobile_variants("") == []


def test_email_key():
    assert email_key("  Wang.Li@Example.COM ") == "wang.li@example.com"


@pytest.mark.parametrize(
    "name, province, city",
    [
        ("深圳市财政局", "广东", "深圳"),
        ("广东省深圳市腾讯计算机系统有限公司", "广东", "深圳"),
        ("北京华为技术有限公司", "北京", ""),
        ("华为技术（北京）有限公司", "北京", ""),
        ("华为技术有限公司青岛分公司", "山东", "青岛"),
        ("华彩医药（集团）有限公司", "", ""),  # a bracket that names no place
        ("华彩医药有限公司", "", ""),
        (None, "", ""),
    ],
)
def test_company_place(name, province, city):
    assert company_place(name) == Place(province, city)


def test_places_differ_only_when_both_name_one():
    assert places_differ("深圳市财政局", "青岛市财政局")
    assert places_differ("广东华彩医药", "青岛华彩医药")  # a province and another's city
    assert not places_differ("山东华彩医药", "青岛华彩医药")
    assert not places_differ("上海华彩医药有限公司", "华彩医药有限公司")  # one lacks it


def test_every_city_has_its_province():
    assert set(CITY_PROVINCE) == set(CITIES)
    assert set(CITY_PROVINCE.values()) <= set(PROVINCES)


@pytest.mark.parametrize(
    "key, generic",
    [("财政局", True), ("第一人民医院", True), ("发展和改革委员会", True), ("职业技术学院", True),
     ("会展业协会", True), ("华彩医药", False), ("华彩医院", False), ("北京银行", False)],
)  # fmt: skip
def test_generic_body(key, generic):
    assert generic_body(key) is generic
