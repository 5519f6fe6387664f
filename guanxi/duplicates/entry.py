"""On entry: existing accounts or contacts that a new one looks like (the add form, the API's
409, the import's warning). Indexed look-ups on the stored forms (credit code, key pinyin,
mobile digits, e-mail), then the finder's scoring."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.db.models.functions import Upper

from guanxi.accounts.models import Account
from guanxi.accounts.normalise import account_forms, contact_forms, credit_code_clean
from guanxi.contacts.models import Contact
from guanxi.duplicates.matching import (
    THRESHOLD,
    AccountFacts,
    ContactFacts,
    score_accounts,
    score_contacts,
)

LIMIT = 5


@dataclass(frozen=True)
class Lookalike:
    obj: Any  # the Account or Contact on file
    score: int
    reasons: list


def account_lookalikes(
    *, name: str, credit_code: str = "", exclude_pk: int | None = None,
    phone: str = "", city: str = "", address: str = "",
) -> list[Lookalike]:  # fmt: skip
    """Accounts on file that an account of this name (code, phone, city and address) looks
    like, best first."""
    forms = account_forms(name)
    code = credit_code_clean(credit_code) or ""
    query = Q(key_pinyin=forms["key_pinyin"]) if forms["key_pinyin"] else Q()
    if code:
        query |= Q(credit_code=code)
    if not query:
        return []
    new = AccountFacts(
        0, name, forms["name_key"], forms["key_pinyin"], code, phone or "", city or "",
        address or "",
    )  # fmt: skip
    rows = Account.objects.filter(query).exclude(pk=exclude_pk).order_by("pk")[:50]
    found = []
    for row in rows:
        score, reasons = score_accounts(new, AccountFacts.of(row))
        if score >= THRESHOLD:
            found.append(Lookalike(row, score, reasons))
    return sorted(found, key=lambda f: -f.score)[:LIMIT]


def same_credit_code(found: list[Lookalike]) -> bool:
    return any(code == "same_credit_code" for f in found for code, _p in f.reasons)


def contact_lookalikes(
    *, name: str, account_id: int | None, mobile: str = "", email: str = "",
    exclude_pk: int | None = None,
) -> list[Lookalike]:  # fmt: skip
    """Contacts on file that a contact with these details looks like, best first."""
    forms = contact_forms(name, mobile)
    query = Q()
    if len(forms["mobile_key"]) >= 7:
        query |= Q(mobile_key=forms["mobile_key"])
    if email.strip():
        query |= Q(email_upper=email.strip().upper())
    if account_id and forms["name_pinyin"]:
        query |= Q(account_id=account_id, name_pinyin=forms["name_pinyin"])
    if not query:
        return []
    new = ContactFacts(0, account_id or 0, name, forms["name_pinyin"], forms["mobile_key"], email)
    rows = (
        Contact.objects.annotate(email_upper=Upper("email"))
        .filter(query)
        .exclude(pk=exclude_pk)
        .select_related("account__owner")
        .order_by("pk")[:50]
    )
    found = []
    for row in rows:
        score, reasons = score_contacts(new, ContactFacts.of(row))
        if score >= THRESHOLD:
            found.append(Lookalike(row, score, reasons))
    return sorted(found, key=lambda f: -f.score)[:LIMIT]
