"""Keys for matching what people type against what is on file: Chinese company names and mobile
numbers. Pure functions (no database), used by the likely-duplicate check of leads and by
conversion, so "北京华为技术有限公司", "华为技术（北京）有限公司" and "华为技术有限公司" are
one company and "+86 138-0013-8000" and "13800138000" one phone.
"""

from __future__ import annotations

import re
import unicodedata

# Provinces, autonomous regions and municipalities, and the larger cities a company name often
# starts with (北京xx, 广东省深圳市xx). Compact on purpose: a missed prefix only lowers a match
# score, it never merges two companies.
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州",
    "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港",
    "澳门",
)  # fmt: skip
CITIES = (
    "深圳", "广州", "杭州", "南京", "苏州", "武汉", "成都", "西安", "厦门", "青岛", "大连",
    "宁波", "无锡", "长沙", "郑州", "济南", "沈阳", "哈尔滨", "长春", "合肥", "福州", "昆明",
    "贵阳", "南宁", "南昌", "太原", "石家庄", "兰州", "海口", "三亚", "珠海", "东莞", "佛山",
    "温州", "常州", "烟台", "呼和浩特", "乌鲁木齐", "拉萨", "银川", "西宁",
)  # fmt: skip
_REGION_SUFFIX = r"(?:壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)?"
_PROVINCE_RE = re.compile(f"^(?:{'|'.join(PROVINCES)}){_REGION_SUFFIX}")
_CITY_RE = re.compile(f"^(?:{'|'.join(CITIES)}){_REGION_SUFFIX}")
# A branch's place, left at the end once 分公司/分行 is gone: 招商银行北京分行 → 招商银行.
_TRAILING_PLACE_RE = re.compile(f"(?:{'|'.join(PROVINCES + CITIES)})(?:省|市)?$")

# Legal forms, longest first so 股份有限公司 goes before 有限公司 and 公司. Latin ones are matched
# after spaces and dots are gone ("Co., Ltd." → "coltd").
LEGAL_SUFFIXES = (
    "股份有限公司", "有限责任公司", "有限公司", "分公司", "总公司", "公司", "集团", "控股",
    "股份",
    "分行", "支行",
    "coltd", "colimited", "limited", "ltd", "incorporated", "inc", "corporation", "corp",
    "group",
)  # fmt: skip
_LEGAL_RE = re.compile(f"(?:{'|'.join(LEGAL_SUFFIXES)})$")
# A branch names its place after the parent's legal form: 华为技术有限公司北京分公司 → 华为技术.
_BRANCH_RE = re.compile(r"(?:股份有限公司|有限责任公司|有限公司|公司).*分公司$")
# Bracketed parts, usually a place or a former name: （北京）, [China], 【旗舰店】.
_BRACKETS_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕|〈[^〉]*〉|《[^》]*》")

# Names that are only a kind of organisation once the place is gone: 北京银行 and 上海银行 are
# two banks, so the place stays when nothing but one of these would be left.
GENERIC_REMAINDERS = frozenset(
    {
        "银行", "农商银行", "农村商业银行", "大学", "医院", "人民医院", "酒店", "饭店", "宾馆",
        "证券", "保险", "航空", "机场", "地铁", "电力", "燃气", "水务", "电视台", "日报",
        "科技", "实业", "投资", "贸易", "国际", "旅行社", "会展中心",
    }
)  # fmt: skip


def _strip_place(key: str) -> str:
    """Drop a leading province and/or city, unless only a generic word would be left."""
    rest = _PROVINCE_RE.sub("", key, count=1)
    rest = _CITY_RE.sub("", rest, count=1)
    if len(rest) < 2 or rest in GENERIC_REMAINDERS:
        return key
    return rest


def _strip_legal(key: str) -> str:
    key = _BRANCH_RE.sub("", key)
    while True:
        shorter = _LEGAL_RE.sub("", key)
        if shorter != key and shorter:
            # What stood before a branch suffix may be the branch's place.
            unplaced = _TRAILING_PLACE_RE.sub("", shorter)
            shorter = unplaced if len(unplaced) >= 2 else shorter
        if shorter == key or not shorter:
            return key
        key = shorter


def company_key(name: str | None) -> str:
    """The part of a company name that tells companies apart, for matching (not for display):
    half-width, lower-case, without brackets and what is in them, legal forms, a leading
    province or city, spaces and punctuation. "" when nothing is left."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = _BRACKETS_RE.sub("", text)
    # Letters, digits and CJK characters only (isalnum is true for all three).
    key = "".join(ch for ch in text if ch.isalnum())
    key = _strip_legal(key)
    key = _strip_place(key)
    # A place written after the form went when the form did; a second pass catches 集团 that
    # stood before 有限公司 and a form that stood before a place (上海锦江集团 → 锦江).
    return _strip_legal(key)


def mobile_key(number: str | None) -> str:
    """The digits of a phone number without the country code of China (+86, 0086, 86 before
    an 11-digit mobile), for an exact match. "" when no digits were given."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", number or "") if ch.isdigit())
    if digits.startswith("0086") and len(digits) > 11:
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def mobile_variants(key: str) -> list[str]:
    """How a mobile with this key is commonly stored (as typed, +86, spaced 3-4-4 or dashed):
    for an indexed IN lookup on a raw column; callers compare `mobile_key` afterwards."""
    if not key:
        return []
    forms = [key]
    if len(key) == 11:
        spaced = f"{key[:3]} {key[3:7]} {key[7:]}"
        dashed = f"{key[:3]}-{key[3:7]}-{key[7:]}"
        forms += [spaced, dashed]
    prefixed = [f"{p}{f}" for p in ("+86", "+86 ", "0086", "86", "+86-") for f in forms]
    return forms + prefixed


def email_key(email: str | None) -> str:
    return (email or "").strip().lower()
