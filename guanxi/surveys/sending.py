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

from django.db import transaction
from django.utils import timezone

from guanxi.accounts.models import Account, AccountStatus
from guanxi.contacts.models import Contact
from guanxi.surveys.models import InvitationSource, SurveyInvitation, SurveyTemplate
from guanxi.surveys.services import invitation_new
from guanxi.tiers.models import AccountTier
from guanxi.tiers.selectors import active_schemes

YEARLY_TEMPLATE = "nps"
EVENT_TEMPLATE = "csat"
SEND_BATCH = 2000


def key_account_ids() -> list[int]:
    """Accounts in the top tier (rank 1) of the first active tier scheme, overrides included."""
    schemes = active_schemes("tiers")
    if not schemes:
        return []
    rows = AccountTier.objects.filter(scheme=schemes[0], tier__rank=1).exclude(
        account__status=AccountStatus.LOST
    )
    return list(rows.values_list("account_id", flat=True))


def survey_contacts(
    account_ids: Iterable[int], preferred: dict[int, list[int]] | None = None
) -> dict[int, int]:
    """Each account's survey contact id: a preferred contact of its own (primary first), else its
    primary contact, else its first active one. One query for all the accounts."""
    preferred = preferred or {}
    chosen: dict[int, int] = {}
    favoured: dict[int, int] = {}
    rows = (
        Contact.objects.filter(account_id__in=list(account_ids), is_active=True)
        .order_by("account_id", "-is_primary", "pk")
        .values_list("account_id", "pk")
    )
    for account_id, contact_id in rows.iterator(chunk_size=5000):
        chosen.setdefault(account_id, contact_id)
        if contact_id in preferred.get(account_id, ()):
            favoured.setdefault(account_id, contact_id)
    return {**chosen, **favoured}


def surveys_send_once(
    *,
    template_code: str,
    source: str,
    reference: str,
    account_ids: list[int],
    contacts: dict[int, list[int]] | None = None,
) -> dict[str, int]:
    """One link per account for (source, reference) unless it already has one; written in
    batches (a night's yearly send reaches thousands of key accounts)."""
    template = SurveyTemplate.objects.filter(code=template_code, active=True).first()
    if template is None:
        return {"sent": 0, "already": 0, "no_template": 1}
    already = set(
        SurveyInvitation.objects.filter(
            source=source, reference=reference, account_id__in=account_ids
        ).values_list("account_id", flat=True)
    )
    todo = sorted(
        Account.objects.filter(pk__in=set(account_ids) - already).values_list("pk", flat=True)
    )
    sent = 0
    for start in range(0, len(todo), SEND_BATCH):
        batch = todo[start : start + SEND_BATCH]
        picked = survey_contacts(batch, contacts)
        links = [
            invitation_new(
                template=template,
                account_id=account_id,
                contact_id=picked.get(account_id),
                source=source,
                reference=reference,
            )
            for account_id in batch
        ]
        with transaction.atomic():
            SurveyInvitation.objects.bulk_create(links)
        sent += len(links)
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
