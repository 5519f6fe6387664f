"""How alike two accounts or two contacts are: a score 0–100 and the reasons, as codes with
parameters (translated when shown, `explain`). Pure: it reads the stored search forms handed to
it, never the database, so the finder, the on-entry check and the benchmark score the same way.

Accounts: the same 统一社会信用代码 is the same legal entity (100); two different valid codes are
two entities (0), whatever the names say. Otherwise the names' matching keys (legal forms,
brackets, a leading city, traditional characters gone: `accounts.normalise`) are compared with
rapidfuzz's ratio. Names that only sound alike (the same pinyin of the key, other characters:
华彩 / 华才) are as often two companies as one typed twice, so the sound alone stays below the
threshold (`SOUND_ALIKE_SCORE`); a shared key besides — the same phone, the same address — makes
them a candidate (85), the same city alone just reaches the threshold. A group and a
member of it (华彩集团 vs 华彩医药有限公司: one key is the other's start plus more) share a brand
but are two legal entities: scored low, and the queue offers "link as subsidiary".

The key leaves out a leading place, which is noise only when one name lacks it or both agree:
two names that name different places (深圳市财政局 / 青岛市财政局, 上海华彩 / 北京华彩) are two
organisations unless the same phone ties them, so they stay far below the threshold
(`PLACES_DIFFER_SCORE`). A name that is only a kind of body once its place is gone (财政局,
第一人民医院) is the same as another only when both name the same place.

Contacts: the same mobile or e-mail with alike names, or the same name (by pinyin, so 曾 / 曽
and traditional forms agree) at the same account.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from guanxi.accounts.names import (
    LEGAL_SUFFIXES,
    Place,
    generic_body,
    mobile_key,
)
from guanxi.accounts.normalise import company_name_place, simplified

#: From this score on a pair is a candidate (stored, warned about on entry).
THRESHOLD = 80
#: The score of a group and a member of it: below the threshold, never "the same".
GROUP_SCORE = 40
#: Names that sound the same with nothing else shared: below the threshold (not queued).
SOUND_ALIKE_SCORE = 70
#: … with the same phone or address (a strong key), or only the same city (a weak one).
SOUND_ALIKE_WITH_KEY, SOUND_ALIKE_SAME_CITY = 85, THRESHOLD
#: At most this when the names name different places (深圳市财政局 / 青岛市财政局).
PLACES_DIFFER_SCORE = 20
#: At most this when the name is only a kind of body (财政局) and not both name the same place.
GENERIC_BODY_SCORE = 50
_CHINESE_FORMS = tuple(s for s in LEGAL_SUFFIXES if not s.isascii())

Reason = tuple[str, dict]


@dataclass(frozen=True)
class AccountFacts:
    id: int
    name: str
    name_key: str
    key_pinyin: str
    credit_code: str = ""
    phone: str = ""
    city: str = ""
    address: str = ""
    parent_id: int | None = None

    @classmethod
    def of(cls, row: Any) -> AccountFacts:
        """The facts of an account read already (a model instance or alike)."""
        return cls(
            row.pk, row.name, row.name_key, row.key_pinyin, row.credit_code, row.phone,
            row.city, row.address, row.parent_id,
        )  # fmt: skip


@dataclass(frozen=True)
class ContactFacts:
    id: int
    account_id: int
    name: str
    name_pinyin: str
    mobile_key: str = ""
    email: str = ""

    @classmethod
    def of(cls, row: Any) -> ContactFacts:
        return cls(row.pk, row.account_id, row.name, row.name_pinyin, row.mobile_key, row.email)


def _removed(a: str, b: str) -> str:
    """The legal forms found in either name (what the comparison left out), for the
    explanation: "有限公司, 集团"."""
    found = []
    for name in (simplified(a), simplified(b)):
        for form in _CHINESE_FORMS:
            if form in name and not any(form in f for f in found):
                found.append(form)
    return ", ".join(found)


def _is_group_pair(a: AccountFacts, b: AccountFacts) -> bool:
    short, long_ = sorted((a, b), key=lambda f: len(f.name_key))
    if short.name_key == long_.name_key:
        return False
    return long_.name_key.startswith(short.name_key)


_GROUP_WORDS = ("集团", "控股", "总公司")
_BRANCH_WORDS = ("分公司", "分行", "支行")


def group_and_member(a: AccountFacts, b: AccountFacts) -> tuple[AccountFacts, AccountFacts] | None:
    """(group, member) when two accounts look like a group and one of its companies, so "link
    as subsidiary" makes sense: one name a group (集团, 控股) whose brand the other's holds
    (华彩医药集团 / 华彩医药（青岛）有限公司), a branch and its head office (…青岛分公司), or a
    brand and a longer name starting with it (华彩 / 华彩医药); None for any other pair."""
    if not a.name_key or not b.name_key:
        return None
    if _is_group_pair(a, b):
        group, member = sorted((a, b), key=lambda f: (len(f.name_key), f.id))
        return group, member
    for group, member in ((a, b), (b, a)):
        named, member_named = simplified(group.name), simplified(member.name)
        is_group = any(w in named for w in _GROUP_WORDS)
        in_group = any(w in member_named for w in _GROUP_WORDS)
        if is_group and not in_group and group.name_key in member.name_key:
            return group, member
        branch = member_named.endswith(_BRANCH_WORDS) and not named.endswith(_BRANCH_WORDS)
        if branch and member.name_key.startswith(group.name_key):
            return group, member
    return None


def score_accounts(a: AccountFacts, b: AccountFacts) -> tuple[int, list[Reason]]:
    if a.credit_code and b.credit_code:
        if a.credit_code == b.credit_code:
            return 100, [("same_credit_code", {"code": a.credit_code})]
        return 0, [("different_credit_codes", {})]
    if _linked(a, b):
        # A group and its company, or two companies of one group, linked already: not a pair
        # to review again (the trial's queue listed every two of a group's five branches).
        return 0, [("already_linked", {})]
    if not a.name_key or not b.name_key:
        return 0, []
    score, reasons = _score_names(a, b)
    return _placed(a, b, score, reasons)


def _placed(a: AccountFacts, b: AccountFacts, score: int, reasons: list[Reason]):
    """The names' score held down where their places tell them apart (module docstring);
    the same phone, an exact key, lets it stand."""
    here, there = _place(a.name), _place(b.name)
    if here.differs(there):
        why = ("different_places", {"a": here.label, "b": there.label})
        if _same_phone(a, b):
            return score, [*reasons, why, *_phone_reason(reasons)]
        return min(score, PLACES_DIFFER_SCORE), [why, *reasons]
    generic = next((f.name_key for f in (a, b) if generic_body(f.name_key)), "")
    if generic and not (here and there) and not _same_phone(a, b):
        return min(score, GENERIC_BODY_SCORE), [("place_is_identity", {"name": generic}), *reasons]
    return score, reasons


@lru_cache(maxsize=65_536)
def _place(name: str) -> Place:
    return company_name_place(name)


def _same_phone(a: AccountFacts, b: AccountFacts) -> bool:
    phone = mobile_key(a.phone)
    return len(phone) >= 7 and phone == mobile_key(b.phone)


def _phone_reason(reasons: list[Reason]) -> list[Reason]:
    return [] if any(code == "same_phone" for code, _p in reasons) else [("same_phone", {})]


def _score_names(a: AccountFacts, b: AccountFacts) -> tuple[int, list[Reason]]:
    if _is_group_pair(a, b):
        group, member = sorted((a, b), key=lambda f: len(f.name_key))
        return GROUP_SCORE, [("group_and_member", {"group": group.name, "member": member.name})]
    pct = round(fuzz.ratio(a.name_key, b.name_key))
    reasons: list[Reason] = [("names_alike", {"pct": pct, "removed": _removed(a.name, b.name)})]
    score = pct
    if a.key_pinyin and a.key_pinyin == b.key_pinyin and pct < 100:
        reasons.append(("same_pinyin", {"pinyin": a.key_pinyin}))
        shared = _shared_keys(a, b)
        reasons.extend((code, {}) for code in shared)
        if "same_phone" in shared or "same_address" in shared:
            score = max(score, SOUND_ALIKE_WITH_KEY)
        elif shared:
            score = max(min(score, SOUND_ALIKE_SCORE), SOUND_ALIKE_SAME_CITY)
        else:
            score = min(score, SOUND_ALIKE_SCORE)
    if _traditional(a.name) != _traditional(b.name):
        reasons.append(("traditional", {}))
    return score, reasons


def _linked(a: AccountFacts, b: AccountFacts) -> bool:
    return (
        a.parent_id == b.id
        or b.parent_id == a.id
        or (a.parent_id is not None and a.parent_id == b.parent_id)
    )


def _plain(text: str) -> str:
    """An address or a city compared as written, whatever the width, script and spacing."""
    return "".join(ch for ch in simplified(text) if ch.isalnum()).lower()


def _shared_keys(a: AccountFacts, b: AccountFacts) -> list[str]:
    """What two accounts with alike names share besides the name (reason codes)."""
    shared = []
    if _same_phone(a, b):
        shared.append("same_phone")
    if _plain(a.address) and _plain(a.address) == _plain(b.address):
        shared.append("same_address")
    if _plain(a.city).removesuffix("市") and (
        _plain(a.city).removesuffix("市") == _plain(b.city).removesuffix("市")
    ):
        shared.append("same_city")
    return shared


def _traditional(name: str) -> bool:
    plain = unicodedata.normalize("NFKC", name)
    return simplified(plain) != plain


def score_contacts(a: ContactFacts, b: ContactFacts) -> tuple[int, list[Reason]]:
    sim = round(fuzz.ratio(a.name_pinyin, b.name_pinyin)) if a.name_pinyin and b.name_pinyin else 0
    reasons: list[Reason] = []
    score = 0
    if len(a.mobile_key) >= 7 and a.mobile_key == b.mobile_key:
        reasons.append(("same_mobile", {}))
        score = 60 + sim * 40 // 100
    if a.email and a.email.lower() == b.email.lower():
        reasons.append(("same_email", {}))
        score = max(score, 60 + sim * 40 // 100)
    if a.account_id == b.account_id and a.name_pinyin and a.name_pinyin == b.name_pinyin:
        reasons.append(("same_name_at_account", {}))
        score = 100 if score else 85
    if reasons:
        reasons.append(("person_names_alike", {"pct": sim}))
    return min(score, 100), reasons


def explain(reasons: list[Reason] | list[list]) -> str:
    """The reasons in the active language: "same mobile; names 92 % alike after removing
    有限公司"."""
    texts = []
    for code, params in reasons:
        texts.append(_reason_text(code, params))
    return "; ".join(t for t in texts if t)


def _reason_text(code: str, params: dict) -> str:
    if code == "names_alike" and params.get("removed"):
        return _("names %(pct)s %% alike after removing %(removed)s") % params
    texts = {
        "same_credit_code": _("same unified social credit code %(code)s"),
        "different_credit_codes": _("different credit codes: two legal entities"),
        "already_linked": _("already linked as one group's companies"),
        "group_and_member": _("%(member)s looks like a member of the group %(group)s"),
        "names_alike": _("names %(pct)s %% alike"),
        "same_pinyin": _("the names sound the same (%(pinyin)s)"),
        "same_phone": _("same phone"),
        "same_address": _("same address"),
        "same_city": _("same city"),
        "different_places": _("different places in the names (%(a)s, %(b)s): two organisations"),
        "place_is_identity": _(
            "“%(name)s” is only a kind of body: the place tells such bodies apart"
        ),
        "traditional": _("one name in traditional characters"),
        "same_mobile": _("same mobile"),
        "same_email": _("same e-mail"),
        "same_name_at_account": _("same name at the same account"),
        "person_names_alike": _("names %(pct)s %% alike"),
    }
    text = texts.get(code)
    return text % params if text else ""
