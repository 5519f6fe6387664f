"""The stored search forms of a name (pinyin, initials, the matching key) and the checks on the
统一社会信用代码. Pure functions (no database) on top of `accounts.names`, so the models, the
services, the importer, the demo, the duplicate finder and the search all compute the same forms:

- company names: traditional → simplified (OpenCC's t2s table), then `names.company_key`
  (brackets, legal forms such as 有限公司/集团/控股, a leading province or city, punctuation and
  spaces gone): 「上海華彩醫藥（集團）有限公司」 → 华彩医药;
- pinyin without tones or spaces ("huacaiyiyao") and initials ("hcyy") of a name, person names
  with their surname read as a surname (曾 zeng, 单 shan, 区 ou, 解 xie …), which pypinyin's
  phrase tables do not do;
- the 18-character unified social credit code, validated with its check digit (python-stdnum).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from opencc import OpenCC
from pypinyin import Style, lazy_pinyin
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from guanxi.accounts.names import Place, company_key, company_place, email_key, mobile_key

__all__ = [
    "company_key", "email_key", "mobile_key", "simplified", "company_name_key",
    "pinyin_of", "initials_of", "person_pinyin", "person_initials", "credit_code_clean",
    "account_forms", "contact_forms",
]  # fmt: skip

_T2S = OpenCC("t2s")

# Surnames read otherwise than the character's most common reading (多音字姓氏), and the
# two-character surnames; a person's name starts with one of these.
SURNAMES = {
    "曾": "zeng", "单": "shan", "区": "ou", "解": "xie", "仇": "qiu", "朴": "piao", "查": "zha",
    "盖": "ge", "乐": "yue", "缪": "miao", "覃": "qin", "秘": "bi", "繁": "po", "员": "yun",
    "种": "chong", "折": "she", "隗": "wei", "宓": "mi", "召": "shao", "阚": "kan",
    "重": "chong", "黑": "he", "尉": "yu", "翟": "zhai", "句": "gou", "沈": "shen", "长": "chang",
    "柏": "bai", "贾": "jia", "藏": "zang", "万俟": "moqi", "尉迟": "yuchi", "长孙": "zhangsun",
    "单于": "chanyu", "澹台": "tantai", "令狐": "linghu", "欧阳": "ouyang", "司马": "sima",
    "诸葛": "zhuge", "上官": "shangguan", "皇甫": "huangfu", "公孙": "gongsun",
}  # fmt: skip

#: Field lengths the stored forms are cut to (the models' max_length).
KEY_LEN, PINYIN_LEN, INITIALS_LEN = 200, 400, 100


def simplified(text: str | None) -> str:
    """Half-width (NFKC) and simplified characters."""
    return _T2S.convert(unicodedata.normalize("NFKC", text or ""))


def company_name_place(name: str | None) -> Place:
    """The place a company name names, traditional characters read as simplified (廣州 is 广州)."""
    return company_place(simplified(name))


def company_name_key(name: str | None) -> str:
    """The matching key of a company name, traditional characters read as simplified."""
    return company_key(simplified(name))


@lru_cache(maxsize=65_536)
def _syllables(text: str) -> tuple[str, ...]:
    """Lower-case pinyin syllables of the Chinese characters and the runs of letters and
    digits in between ("ABC科技" → ("abc", "ke", "ji")); punctuation and spaces dropped.
    Cached: pypinyin's phrase segmentation is the costly step of every stored form, and names
    repeat (people's names above all) across an import or a rebuild."""
    out = []
    for bit in lazy_pinyin(simplified(text).lower(), style=Style.NORMAL, errors="default"):
        word = "".join(ch for ch in bit if ch.isascii() and ch.isalnum())
        if word:
            out.append(word)
    return tuple(out)


def _joined(syllables: tuple[str, ...]) -> str:
    return "".join(syllables)[:PINYIN_LEN]


def _initials(syllables: tuple[str, ...]) -> str:
    return "".join(s[0] for s in syllables)[:INITIALS_LEN]


def pinyin_of(text: str | None) -> str:
    """ "华彩医药" → "huacaiyiyao"."""
    return _joined(_syllables(text or ""))


def initials_of(text: str | None) -> str:
    """ "华彩医药" → "hcyy" (a run of Latin letters keeps its first letter only)."""
    return _initials(_syllables(text or ""))


@lru_cache(maxsize=65_536)
def _person_syllables(name: str) -> tuple[str, ...]:
    name = simplified(name).strip()
    for size in (2, 1):
        head = name[:size]
        if len(name) > size and head in SURNAMES:
            return (SURNAMES[head], *_syllables(name[size:]))
    return _syllables(name)


def person_pinyin(name: str | None) -> str:
    """A person's name with the surname read as a surname: "曾小华" → "zengxiaohua"."""
    return _joined(_person_syllables(name or ""))


def person_initials(name: str | None) -> str:
    return _initials(_person_syllables(name or ""))


def credit_code_clean(value: str | None) -> str | None:
    """The 统一社会信用代码 compacted (half-width, upper-case, no spaces or dashes) when its
    check digit is right; "" for no code; None when it is not a valid code."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        return ""
    try:
        return uscc.validate(text)
    except StdnumError:
        return None


def account_forms(name: str | None) -> dict[str, str]:
    """The stored search forms of an account's name (the fields of the same names)."""
    key = company_name_key(name)
    of_name, of_key = _syllables(name or ""), _syllables(key)
    return {
        "name_key": key[:KEY_LEN],
        "name_pinyin": _joined(of_name),
        "key_pinyin": _joined(of_key),
        "key_initials": _initials(of_key),
        "name_initials": _initials(of_name),
    }


def contact_forms(name: str | None, mobile: str | None) -> dict[str, str]:
    """The stored search forms of a contact (the fields of the same names)."""
    syllables = _person_syllables(name or "")
    return {
        "name_pinyin": _joined(syllables),
        "name_initials": _initials(syllables),
        "mobile_key": mobile_key(mobile)[:20],
    }
