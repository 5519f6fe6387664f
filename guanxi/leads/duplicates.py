"""Likely duplicates of a lead among the accounts and contacts on file (C2: "entering a lead
checks existing accounts and contacts and offers to attach instead").

- Accounts: the normalised company key (`accounts.normalise.company_name_key`, traditional
  read as simplified, as its place is) is looked up in account names (an ``icontains`` the
  trigram indexes on ``UPPER(name)``/``UPPER(short_name)`` serve on PostgreSQL), shortest
  names first, at most `CANDIDATES`; each is scored 0–100 by how close
  its own key is to the lead's (difflib's ratio: twenty short strings, no library needed). The
  key leaves out a leading place, so, as in the duplicate finder (`duplicates.matching`), a name
  that names another place is never the same company (scored `OTHER_PLACE_SCORE` at most, still
  listed: 北京华为 and 华为（深圳） are sister companies worth asking about), a body that is
  only its kind and place (深圳市财政局 for 青岛市财政局) is no match at all, and a kind of body
  without its place (财政局) is not the same unless both name the same place.
- Contacts: the same mobile (by `mobile_key`, looked up through the usual ways it is stored so
  the column's index serves) or the same e-mail, case-insensitive.

Access: a match the actor may not see is reported only as "exists, owned by <owner>" — no id,
no name, no link — so nothing leaks, and the actor knows to ask instead of making a second copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db.models import Q
from django.db.models.functions import Length

from guanxi.accounts.models import Account
from guanxi.accounts.names import (
    company_key,
    email_key,
    generic_body,
    mobile_key,
    mobile_variants,
)
from guanxi.accounts.normalise import company_name_key, company_name_place
from guanxi.accounts.selectors import accounts_visible_to
from guanxi.contacts.models import Contact
from guanxi.core.models import User

#: Accounts read per check before scoring; keys shorter than `MIN_KEY` are not looked up.
CANDIDATES = 20
MIN_KEY = 2
#: A key this close (0–100) counts as the same company for conversion.
SAME = 100
#: At most this for a name of another place (北京华为 / 华为（深圳）: listed, to ask its owner,
#: but never the same company) or only a kind of body (财政局) without the same place.
OTHER_PLACE_SCORE = 50


@dataclass(frozen=True)
class Duplicate:
    kind: str  # "account" or "contact"
    reason: str  # "name", "mobile" or "email"
    score: int  # 0–100: how alike the names are (100 for a mobile or e-mail match)
    visible: bool
    owner_name: str
    # Only when visible: what it is and where to go.
    id: int | None = None
    name: str = ""
    account_id: int | None = None
    account_name: str = ""


def _owner_name(user: User) -> str:
    return str(user)


def account_matches(actor: User, company: str) -> list[Duplicate]:
    """Accounts whose name holds the lead's company key, best first."""
    key = company_name_key(company)  # 華彩醫藥 looks for 华彩医药 …
    if len(key) < MIN_KEY:
        return []
    held = Q()
    for text in {key, company_key(company)}:  # … and for 華彩醫藥, an account stored as typed
        held |= Q(name__icontains=text) | Q(short_name__icontains=text)
    rows = list(
        Account.objects.filter(held)
        .select_related("owner")
        .order_by(Length("name"), "pk")[:CANDIDATES]
    )
    seen = set(
        accounts_visible_to(actor).filter(pk__in=[a.pk for a in rows]).values_list("pk", flat=True)
    )
    found = []
    place, generic = company_name_place(company), generic_body(key)
    for account in rows:
        there = company_name_place(account.name)
        if generic and place.differs(there):
            continue  # 青岛市财政局 for 深圳市财政局: nothing in common but the kind of body
        score = round(100 * SequenceMatcher(None, key, company_name_key(account.name)).ratio())
        if place.differs(there) or (generic and not (place and there)):
            score = min(score, OTHER_PLACE_SCORE)  # a sister company at most, never the same
        visible = account.pk in seen
        found.append(
            Duplicate(
                kind="account",
                reason="name",
                score=score,
                visible=visible,
                owner_name=_owner_name(account.owner),
                id=account.pk if visible else None,
                name=account.name if visible else "",
                account_id=account.pk if visible else None,
                account_name=account.name if visible else "",
            )
        )
    return sorted(found, key=lambda d: -d.score)


def contact_matches(actor: User, *, mobile: str = "", email: str = "") -> list[Duplicate]:
    """Contacts with the same mobile or e-mail."""
    m_key, e_key = mobile_key(mobile), email_key(email)
    query = Q()
    if len(m_key) >= 7:  # a fragment of a number matches too much
        query |= Q(mobile__in=mobile_variants(m_key))
    if e_key:
        query |= Q(email__iexact=e_key)
    if not query:
        return []
    rows = [
        c
        for c in Contact.objects.filter(query)
        .select_related("account__owner")
        .order_by("pk")[:CANDIDATES]
        if (m_key and mobile_key(c.mobile) == m_key) or (e_key and email_key(c.email) == e_key)
    ]
    seen = set(
        accounts_visible_to(actor)
        .filter(pk__in={c.account_id for c in rows})
        .values_list("pk", flat=True)
    )
    found = []
    for contact in rows:
        visible = contact.account_id in seen
        reason = "mobile" if m_key and mobile_key(contact.mobile) == m_key else "email"
        found.append(
            Duplicate(
                kind="contact",
                reason=reason,
                score=100,
                visible=visible,
                owner_name=_owner_name(contact.account.owner),
                id=contact.pk if visible else None,
                name=contact.name if visible else "",
                account_id=contact.account_id if visible else None,
                account_name=contact.account.name if visible else "",
            )
        )
    return found


def _collapse_hidden(found: list[Duplicate]) -> list[Duplicate]:
    """One "exists, owned by …" line per kind and owner: several hidden rows would only say
    how many the actor cannot see."""
    out, hidden = [], set()
    for dup in found:
        if not dup.visible:
            if (dup.kind, dup.owner_name) in hidden:
                continue
            hidden.add((dup.kind, dup.owner_name))
        out.append(dup)
    return out


def likely_duplicates(
    actor: User, *, company: str = "", mobile: str = "", email: str = ""
) -> list[Duplicate]:
    """Contacts first (an exact mobile or e-mail is the strongest sign), then accounts."""
    found = contact_matches(actor, mobile=mobile, email=email) + account_matches(actor, company)
    return _collapse_hidden(found)


def same_company(actor: User, company: str) -> Duplicate | None:
    """An account whose key equals the company's (visible ones first): conversion's guard
    against a second copy of an account."""
    same = [d for d in account_matches(actor, company) if d.score >= SAME]
    same.sort(key=lambda d: not d.visible)
    return same[0] if same else None
