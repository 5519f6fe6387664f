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

Contacts: the same mobile or e-mail with alike names, or the same name (by pinyin, so 曾 / 曽
and traditional forms agree) at the same account.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from guanxi.accounts.names import LEGAL_SUFFIXES, mobile_key
from guanxi.accounts.normalise import simplified

#: From this score on a pair is a candidate (stored, warned about on entry).
THRESHOLD = 80
#: The score of a group and a member of it: below the threshold, never "the same".
GROUP_SCORE = 40
#: Names that sound the same with nothing else shared: below the threshold (not queued).
SOUND_ALIKE_SCORE = 70
#: … with the same phone or address (a strong key), or only the same city (a weak one).
SOUND_ALIKE_WITH_KEY, SOUND_ALIKE_SAME_CITY = 85, THRESHOLD
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


@dataclass(frozen=True)
class ContactFacts:
    id: int
    account_id: int
    name: str
    name_pinyin: str
    mobile_key: str = ""
    email: str = ""


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
    phone = mobile_key(a.phone)
    if len(phone) >= 7 and phone == mobile_key(b.phone):
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
        "traditional": _("one name in traditional characters"),
        "same_mobile": _("same mobile"),
        "same_email": _("same e-mail"),
        "same_name_at_account": _("same name at the same account"),
        "person_names_alike": _("names %(pct)s %% alike"),
    }
    text = texts.get(code)
    return text % params if text else ""
