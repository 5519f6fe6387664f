"""Referral asks (转介绍): each night, the accounts whose latest NPS (within a year) is a
promoter's (9–10), that have neither referred anyone nor been asked within
``GUANXI_REFERRAL_ASK_MONTHS``, give their KAM a follow-up task "ask for a referral" (through
`activities.services.task_create`), recorded as a `ReferralAsk` so the next ask waits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.activities.models import Task, TaskKind, TaskSource, TaskStatus
from guanxi.activities.services import task_cancel, task_create
from guanxi.core.dates import add_months
from guanxi.loyalty.evaluators_care import latest_nps
from guanxi.loyalty.models import Referral, ReferralAsk
from guanxi.loyalty.selectors import PROMOTER_FROM

DUE_IN_DAYS = 14


def promoters_to_ask(as_of: dt.date) -> dict[int, tuple[int, dt.date]]:
    """Account id → (NPS, day) of the promoters not asked and not referring within the months."""
    since = add_months(as_of, -settings.GUANXI_REFERRAL_ASK_MONTHS)
    promoters = {
        account_id: (score, on)
        for account_id, (score, on, _pk) in latest_nps(as_of, within_days=365).items()
        if score >= PROMOTER_FROM
    }
    if not promoters:
        return {}
    asked = set(ReferralAsk.objects.filter(asked_on__gt=since).values_list("account_id", flat=True))
    referred = set(
        Referral.objects.filter(referred_on__gt=since).values_list("referrer_account_id", flat=True)
    )
    return {a: v for a, v in promoters.items() if a not in asked and a not in referred}


def _ask(account: Account, score: int, as_of: dt.date) -> ReferralAsk:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Ask for a referral: %(account)s is a promoter (NPS %(score)s)") % {
            "account": account.name,
            "score": score,
        }
    task = task_create(
        account=account,
        assignee=account.owner,
        kind=TaskKind.FOLLOW_UP,
        title=title[:200],
        due_date=as_of + dt.timedelta(days=DUE_IN_DAYS),
        actor=account.owner,
        source=TaskSource.REFERRAL_ASK,
        key=f"referral:{score}:{as_of.isoformat()}",
    )
    return ReferralAsk.objects.create(account=account, asked_on=as_of, nps=score, task=task)


def referral_asks_withdraw(*, account_id: int, as_of: dt.date | None = None) -> int:
    """Cancel the open referral-ask tasks of an account whose latest NPS (within a year) is no
    longer a promoter's; returns how many. Called when a new answer comes in."""
    as_of = as_of or timezone.localdate()
    latest = latest_nps(as_of, within_days=365, account_ids=[account_id]).get(account_id)
    if latest is not None and latest[0] >= PROMOTER_FROM:
        return 0
    asks = ReferralAsk.objects.filter(account_id=account_id, task__isnull=False)
    tasks = Task.objects.filter(
        pk__in=asks.values("task_id"), status=TaskStatus.OPEN
    ).select_related("assignee", "account")
    cancelled = 0
    for task in tasks:
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("The latest NPS answer is no longer a promoter's.")
        task_cancel(task=task, actor=task.assignee, reason=reason)
        cancelled += 1
    return cancelled


def referral_asks_create(*, as_of: dt.date | None = None, progress: bool = False) -> dict[str, Any]:
    """The nightly step: a referral-ask task for every promoter due one."""
    as_of = as_of or timezone.localdate()
    due = promoters_to_ask(as_of)
    accounts = Account.objects.filter(pk__in=list(due), owner__is_active=True).select_related(
        "owner"
    )
    made = 0
    for account in accounts.iterator(chunk_size=500):
        with transaction.atomic():
            _ask(account, due[account.pk][0], as_of)
        made += 1
    return {"as_of": as_of, "promoters": len(due), "tasks": made}
