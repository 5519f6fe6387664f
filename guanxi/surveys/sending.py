"""Surveys sent by the system: once a year to every key account (the top tier of the first
active tier scheme), and after a MICE event (`pipeline.tasks` calls `surveys_send_once`).

Idempotent: a send is keyed by (source, reference) per account — "yearly:2026", "event:42" —
and a key already used makes no second link, so a night run twice sends nothing twice. Each link
goes to the account's primary contact (else its first active contact) and waits on the
invitation list for the KAM to pass on by WeChat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from guanxi.accounts.models import Account, AccountStatus
from guanxi.contacts.models import Contact
from guanxi.surveys.models import InvitationSource, SurveyInvitation, SurveyTemplate
from guanxi.surveys.services import invitation_create
from guanxi.tiers.models import AccountTier
from guanxi.tiers.selectors import active_schemes

YEARLY_TEMPLATE = "nps"
EVENT_TEMPLATE = "csat"


def key_account_ids() -> list[int]:
    """Accounts in the top tier (rank 1) of the first active tier scheme, overrides included."""
    schemes = active_schemes("tiers")
    if not schemes:
        return []
    rows = AccountTier.objects.filter(scheme=schemes[0], tier__rank=1).exclude(
        account__status=AccountStatus.LOST
    )
    return list(rows.values_list("account_id", flat=True))


def survey_contact(account_id: int, preferred: Iterable[int] = ()) -> Contact | None:
    contacts = Contact.objects.filter(account_id=account_id, is_active=True)
    preferred = list(preferred)
    if preferred:
        chosen = contacts.filter(pk__in=preferred).order_by("-is_primary", "pk").first()
        if chosen is not None:
            return chosen
    return contacts.order_by("-is_primary", "pk").first()


def surveys_send_once(
    *,
    template_code: str,
    source: str,
    reference: str,
    account_ids: list[int],
    contacts: dict[int, list[int]] | None = None,
) -> dict[str, int]:
    """One link per account for (source, reference) unless it already has one."""
    template = SurveyTemplate.objects.filter(code=template_code, active=True).first()
    if template is None:
        return {"sent": 0, "already": 0, "no_template": 1}
    already = set(
        SurveyInvitation.objects.filter(
            source=source, reference=reference, account_id__in=account_ids
        ).values_list("account_id", flat=True)
    )
    sent = 0
    for account in Account.objects.filter(pk__in=set(account_ids) - already).order_by("pk"):
        contact = survey_contact(account.pk, (contacts or {}).get(account.pk, ()))
        invitation_create(
            actor=None,
            template=template,
            account=account,
            contact=contact,
            source=source,
            reference=reference,
        )
        sent += 1
    return {"sent": sent, "already": len(already), "no_template": 0}


def yearly_surveys_send(*, as_of: dt.date | None = None, progress: bool = False) -> dict:
    """The yearly NPS survey of the key accounts (once per account and calendar year)."""
    as_of = as_of or timezone.localdate()
    ids = key_account_ids()
    summary = surveys_send_once(
        template_code=YEARLY_TEMPLATE,
        source=InvitationSource.YEARLY,
        reference=f"yearly:{as_of.year}",
        account_ids=ids,
    )
    return {"as_of": as_of, "key_accounts": len(ids), **summary}
