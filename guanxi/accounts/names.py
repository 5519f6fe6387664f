"""Keys for matching what people type against what is on file: Chinese company names and mobile
numbers. Pure functions (no database), used by the likely-duplicate check of leads and by
conversion, so "北京华为技术有限公司", "华为技术（北京）有限公司" and "华为技术有限公司" are
one company and "+86 138-0013-8000" and "13800138000" one phone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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
#: The province of each city above: 山东华彩 and 青岛华彩 may be one company, 广东华彩 and
#: 青岛华彩 are not.
CITY_PROVINCE = {
    "深圳": "广东", "广州": "广东", "珠海": "广东", "东莞": "广东", "佛山": "广东",
    "杭州": "浙江", "宁波": "浙江", "温州": "浙江", "南京": "江苏", "苏州": "江苏",
    "无锡": "江苏", "常州": "江苏", "武汉": "湖北", "成都": "四川", "西安": "陕西",
    "厦门": "福建", "福州": "福建", "青岛": "山东", "济南": "山东", "烟台": "山东",
    "大连": "辽宁", "沈阳": "辽宁", "长沙": "湖南", "郑州": "河南", "哈尔滨": "黑龙江",
    "长春": "吉林", "合肥": "安徽", "昆明": "云南", "贵阳": "贵州", "南宁": "广西",
    "南昌": "江西", "太原": "山西", "石家庄": "河北", "兰州": "甘肃", "海口": "海南",
    "三亚": "海南", "呼和浩特": "内蒙古", "乌鲁木齐": "新疆", "拉萨": "西藏", "银川": "宁夏",
    "西宁": "青海",
}  # fmt: skip
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


# --- The place a name names -------------------------------------------------------------------
# The matching key drops a place (`company_key`), which is right when one name leaves it out or
# both agree (上海华彩医药 / 华彩医药), and wrong when the two name different places: 深圳市财政局
# and 青岛市财政局 are two bodies. The duplicate check compares the places the key dropped.

_PLACE_RE = re.compile(f"(?:{'|'.join(PROVINCES + CITIES)})")
_LEADING_PLACES_RE = re.compile(
    f"^(?:({'|'.join(PROVINCES)}){_REGION_SUFFIX})?(?:({'|'.join(CITIES)}){_REGION_SUFFIX})?"
)
_WHOLE_PLACE_RE = re.compile(f"^({_PLACE_RE.pattern}){_REGION_SUFFIX}$")
_BRACKETED_RE = re.compile(r"[(\[【〔〈《]([^)\]】〕〉》]*)[)\]】〕〉》]")
_BRANCH_PLACE_RE = re.compile(f"({_PLACE_RE.pattern})(?:省|市)?(?:分公司|分行|支行)$")

# What is left of a public body or an institution once its place is gone names a kind of body
# (财政局, 第一人民医院, 发展和改革委员会), not one: the place is its identity.
_PUBLIC_BODY_RE = re.compile(
    r"(?:局|委员会|委|厅|办公室|人民政府|政府|法院|检察院|管委会|人大常委会|政协)$"
)
_INSTITUTION_RE = re.compile(
    r"^(?:第[一二三四五六七八九十]+|中心|人民|中医|中西医结合|妇幼保健|妇女儿童|儿童|口腔|肿瘤"
    r"|传染病|精神卫生|职业技术|职业|技师|师范|实验|外国语|第[一二三四五六七八九十]+中|会展业"
    r"|广播)*(?:医院|学院|大学|中学|小学|学校|幼儿园|电视台|图书馆|博物馆|协会|学会|商会)$"
)


@dataclass(frozen=True)
class Place:
    """The province and city a company name names (at its start, in brackets or before 分公司),
    the province read from the city when only the city is named; "" for none."""

    province: str = ""
    city: str = ""

    def __bool__(self) -> bool:
        return bool(self.province or self.city)

    def differs(self, other: Place) -> bool:
        """Both name a place and the places are not the same (two cities, two provinces)."""
        if self.city and other.city:
            return self.city != other.city
        return bool(self.province and other.province and self.province != other.province)

    @property
    def label(self) -> str:
        return self.city or self.province


def company_place(name: str | None) -> Place:
    """The place a company name names: 广东省深圳市腾讯 → (广东, 深圳), 华为技术（北京）有限公司
    → (北京, ""), 招商银行股份有限公司青岛分行 → (山东, 青岛)."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    plain = "".join(ch for ch in _BRACKETS_RE.sub("", text) if ch.isalnum())
    found: list[str] = []
    leading = _LEADING_PLACES_RE.match(plain)
    if leading:
        found += [p for p in leading.groups() if p]
    for inside in _BRACKETED_RE.findall(text):
        whole = _WHOLE_PLACE_RE.match("".join(ch for ch in inside if ch.isalnum()))
        if whole:
            found.append(whole.group(1))
    branch = _BRANCH_PLACE_RE.search(plain)
    if branch:
        found.append(branch.group(1))
    city = next((p for p in found if p in CITY_PROVINCE), "")
    province = next((p for p in found if p in PROVINCES), CITY_PROVINCE.get(city, ""))
    return Place(province, city)


def places_differ(a: str | None, b: str | None) -> bool:
    """Two company names that name different places (深圳市财政局, 青岛市财政局)."""
    return company_place(a).differs(company_place(b))


def generic_body(key: str) -> bool:
    """A matching key that names only a kind of body or institution (财政局, 第一人民医院):
    such names are told apart by their place alone."""
    return (
        key in GENERIC_REMAINDERS
        or bool(_PUBLIC_BODY_RE.search(key))
        or bool(_INSTITUTION_RE.match(key))
    )


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
