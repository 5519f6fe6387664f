"""Crafted pairs: true duplicates that differ by legal form, bracket width, a city, traditional
characters or a +86 mobile; brand-sharing entities that are not the same; names of different
places (different organisations) and of the same place; a group and its company."""

from __future__ import annotations

import pytest

from guanxi.accounts.normalise import (
    account_forms,
    contact_forms,
    credit_code_clean,
    initials_of,
    person_pinyin,
    pinyin_of,
)
from guanxi.duplicates.matching import (
    PLACES_DIFFER_SCORE,
    THRESHOLD,
    AccountFacts,
    ContactFacts,
    explain,
    group_and_member,
    score_accounts,
    score_contacts,
)

VALID_CODE = "91110000802100433B"
OTHER_CODE = "91310000MA1FL0PX9D"


def facts(pk: int, name: str, code: str = "", **keys: str) -> AccountFacts:
    f = account_forms(name)
    return AccountFacts(pk, name, f["name_key"], f["key_pinyin"], code, **keys)


def person(pk: int, name: str, account: int = 1, mobile: str = "", email: str = ""):
    f = contact_forms(name, mobile)
    return ContactFacts(pk, account, name, f["name_pinyin"], f["mobile_key"], email)


@pytest.mark.parametrize(
    "a, b",
    [
        ("华彩医药有限公司", "华彩医药"),  # legal form
        ("华彩医药（上海）有限公司", "华彩医药(上海)有限公司"),  # bracket width
        ("上海华彩医药有限公司", "华彩医药有限公司"),  # a leading city
        ("華彩醫藥有限公司", "华彩医药有限公司"),  # traditional characters
        ("华彩医药股份有限公司", "华彩医药有限责任公司"),
        ("上海華彩醫藥（集團）股份有限公司", "华彩医药有限公司"),  # all of it at once
    ],
)
def test_true_duplicates_score_high(a, b):
    # Nothing but the names: no phone, address or city shared.
    score, reasons = score_accounts(facts(1, a), facts(2, b))
    assert score >= 90, (score, reasons)


@pytest.mark.parametrize(
    "a, b",
    [
        ("华彩医药有限公司", "华才医药有限公司"),  # same pinyin, one character apart
        ("华采医药有限公司", "华彩医药有限公司"),
        ("华彩信息技术有限公司", "华才信息技术有限公司"),  # long names: 83 % alike by letters
        ("上海华彩医药", "北京华才医药"),
    ],
)
def test_names_that_only_sound_alike_stay_out_of_the_queue(a, b):
    score, reasons = score_accounts(facts(1, a), facts(2, b))
    assert score < THRESHOLD, (score, reasons)
    assert "same_pinyin" in [c for c, _p in reasons]  # sound-alikes, scored down


@pytest.mark.parametrize(
    "keys_a, keys_b, reason",
    [
        ({"phone": "021-6888 1234"}, {"phone": "02168881234"}, "same_phone"),
        ({"phone": "+86 138 0013 8000"}, {"phone": "13800138000"}, "same_phone"),
        ({"address": "浦東新區 張江路 88號"}, {"address": "浦东新区张江路88号"}, "same_address"),
    ],
)
def test_sound_alike_names_with_a_shared_key_are_candidates(keys_a, keys_b, reason):
    a, b = facts(1, "华彩医药有限公司", **keys_a), facts(2, "华才医药有限公司", **keys_b)
    score, reasons = score_accounts(a, b)
    assert score == 85 and reason in [c for c, _p in reasons]


def test_sound_alike_names_in_the_same_city_only_just_reach_the_queue(english):
    a = facts(1, "华彩医药", city="上海市")
    b = facts(2, "华才医药", city="上海")
    score, reasons = score_accounts(a, b)
    assert score == THRESHOLD
    assert "same city" in explain(reasons) and "sound the same (huacaiyiyao)" in explain(reasons)
    other = score_accounts(facts(1, "华彩医药", city="上海"), facts(2, "华才医药", city="北京"))
    assert other[0] < THRESHOLD


def test_a_different_phone_is_no_shared_key():
    a = facts(1, "华彩医药", phone="021-68881234", address="张江路88号")
    b = facts(2, "华才医药", phone="021-68881235", address="张江路90号")
    assert score_accounts(a, b)[0] < THRESHOLD


@pytest.mark.parametrize(
    "a, b",
    [
        ("华彩集团", "华彩医药有限公司"),  # a group and its subsidiary
        ("华彩控股有限公司", "华彩医药有限公司"),
        ("华彩医药有限公司", "华信医药有限公司"),
        ("北京银行", "上海银行"),
    ],
)
def test_different_entities_score_low(a, b):
    score, _reasons = score_accounts(facts(1, a), facts(2, b))
    assert score < THRESHOLD


def test_group_and_member_is_explained():
    score, reasons = score_accounts(facts(1, "华彩集团"), facts(2, "华彩医药有限公司"))
    assert reasons[0][0] == "group_and_member"


def test_credit_code_decides():
    same = score_accounts(facts(1, "甲公司", VALID_CODE), facts(2, "完全不同", VALID_CODE))
    assert same[0] == 100
    different = score_accounts(facts(1, "华彩医药", VALID_CODE), facts(2, "华彩医药", OTHER_CODE))
    assert different[0] == 0


def test_credit_code_check_digit():
    assert credit_code_clean("9111 0000 8021 00433b") == VALID_CODE
    assert credit_code_clean("91110000802100433A") is None
    assert credit_code_clean("") == ""


def test_explanation_names_what_was_removed(english):
    _score, reasons = score_accounts(facts(1, "华彩医药有限公司"), facts(2, "华彩医药"))
    assert "有限公司" in explain(reasons)
    assert "100 % alike" in explain(reasons)


def test_contacts_same_mobile_with_plus86():
    a = person(1, "曾小华", mobile="+86 138-0013-8000")
    b = person(2, "曾小华", account=2, mobile="１３８００１３８０００")
    score, reasons = score_contacts(a, b)
    assert score == 100
    assert reasons[0][0] == "same_mobile"


def test_contacts_same_name_elsewhere_without_contact_details_are_not_duplicates():
    score, _ = score_contacts(person(1, "王芳", account=1), person(2, "王芳", account=2))
    assert score < THRESHOLD


def test_pinyin_forms():
    assert pinyin_of("华彩医药") == "huacaiyiyao"
    assert initials_of("华彩医药") == "hcyy"
    assert person_pinyin("曾小华") == "zengxiaohua"
    assert person_pinyin("单田芳") == "shantianfang"
    assert person_pinyin("区志强") == "ouzhiqiang"
    assert person_pinyin("解晓东") == "xiexiaodong"


# --- Places: the key drops a leading place; two names of two places are two organisations ----


@pytest.mark.parametrize(
    "a, b",
    [
        ("深圳市财政局", "青岛市财政局"),  # the demo's queue paired these at 100 %
        ("苏州市第一人民医院", "沈阳市第一人民医院"),
        ("苏州市发展和改革委员会", "上海市发展和改革委员会"),
        ("青岛黄海假期旅行社", "深圳黄海假期旅行社"),
        ("广东华彩医药有限公司", "青岛华彩医药有限公司"),  # a province against another's city
        ("北京华彩医药有限公司", "华彩医药（上海）有限公司"),  # the place in brackets
    ],
)
def test_names_of_different_places_are_different_organisations(a, b, english):
    score, reasons = score_accounts(facts(1, a), facts(2, b))
    assert score <= PLACES_DIFFER_SCORE < THRESHOLD, (score, reasons)
    assert reasons[0][0] == "different_places"
    assert "different places" in explain(reasons)


@pytest.mark.parametrize(
    "a, b",
    [
        ("山东华彩医药有限公司", "青岛华彩医药有限公司"),  # Qingdao is in Shandong
        ("广东省深圳市财政局", "深圳市财政局"),
        ("深圳财政局", "深圳市财政局"),
        ("华彩医药（上海）有限公司", "上海华彩医药有限公司"),
    ],
)
def test_names_of_the_same_place_stay_duplicates(a, b):
    score, reasons = score_accounts(facts(1, a), facts(2, b))
    assert score >= 90, (score, reasons)


def test_a_generic_body_without_its_place_is_not_the_same(english):
    score, reasons = score_accounts(facts(1, "财政局"), facts(2, "深圳市财政局"))
    assert score < THRESHOLD
    assert reasons[0] == ("place_is_identity", {"name": "财政局"})
    assert "only a kind of body" in explain(reasons)


def test_an_exact_key_ties_names_of_different_places():
    a, b = facts(1, "深圳市财政局", VALID_CODE), facts(2, "青岛市财政局", VALID_CODE)
    assert score_accounts(a, b)[0] == 100
    a = facts(1, "深圳市财政局", phone="0755-6501 2722")
    b = facts(2, "青岛市财政局", phone="075565012722")
    score, reasons = score_accounts(a, b)
    assert score >= THRESHOLD
    assert {"different_places", "same_phone"} <= {c for c, _p in reasons}


@pytest.mark.parametrize(
    "a, b, group",
    [
        ("华彩医药集团股份有限公司", "华彩医药（青岛）有限公司", 1),
        ("华东会展", "华东会展集团", 2),
        ("华彩集团", "华彩医药有限公司", 1),
        ("华为技术有限公司北京分公司", "华为技术有限公司", 2),
        ("华彩医药有限公司", "华彩医药", None),  # one company typed twice
        ("深圳市财政局", "青岛市财政局", None),
        ("华彩医药有限公司", "华信科技有限公司", None),
    ],
)
def test_group_and_member(a, b, group):
    found = group_and_member(facts(1, a), facts(2, b))
    assert (found[0].id if found else None) == group
