"""Referral asks (转介绍): each night, the accounts whose latest NPS (within a year) is a
promoter's (9–10), that have neither referred anyone nor been asked within
``GUANXI_REFERRAL_ASK_MONTHS``, give their KAM a follow-up task "ask for a referral", recorded
as a `ReferralAsk` so the next ask waits. A new answer (`referral_asks_follow`, through the
flows) asks a promoter at once and withdraws the open asks of an account no longer one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.activities.models import Task, TaskKind, TaskSource, TaskStatus
from guanxi.activities.services import task_cancel
from guanxi.core import bulk
from guanxi.core.dates import add_months
from guanxi.loyalty.evaluators_care import latest_nps
from guanxi.loyalty.models import Referral, ReferralAsk
from guanxi.loyalty.selectors import PROMOTER_FROM

DUE_IN_DAYS = 14
CHUNK = 2000


def promoters_to_ask(as_of: dt.date) -> dict[int, tuple[int, dt.date]]:
    """Account id → (NPS, day) of the promoters not asked and not referring within the months."""
    promoters = {
        account_id: (score, on)
        for account_id, (score, on, _pk) in latest_nps(as_of, within_days=365).items()
        if score >= PROMOTER_FROM
    }
    return _not_asked(promoters, as_of)


def _not_asked(
    promoters: dict[int, tuple[int, dt.date]], as_of: dt.date, *, only_these: bool = False
) -> dict[int, tuple[int, dt.date]]:
    """Those of ``promoters`` neither asked nor referring within the months (``only_these``:
    the asks and referrals of these accounts are read, not all of them)."""
    if not promoters:
        return {}
    since = add_months(as_of, -settings.GUANXI_REFERRAL_ASK_MONTHS)
    asks = ReferralAsk.objects.filter(asked_on__gt=since)
    referrals = Referral.objects.filter(referred_on__gt=since)
    if only_these:
        asks = asks.filter(account_id__in=list(promoters))
        referrals = referrals.filter(referrer_account_id__in=list(promoters))
    asked = set(asks.values_list("account_id", flat=True))
    referred = set(referrals.values_list("referrer_account_id", flat=True))
    return {a: v for a, v in promoters.items() if a not in asked and a not in referred}


def _title(account: Account, score: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Ask for a referral: %(account)s is a promoter (NPS %(score)s)") % {
            "account": account.name,
            "score": score,
        }
    return title[:200]


def _ask_all(due: dict[int, tuple[int, dt.date]], as_of: dt.date) -> int:
    """A referral-ask task for each account of ``due`` whose KAM is active (a follow-up for the
    KAM, as `activities.services.task_create` would write it: the owner sees their account),
    recorded as a `ReferralAsk` so the next ask waits; written in bulk, 2,000 accounts at a
    time, each slice in one transaction. Returns how many."""
    made = 0
    for ids in bulk.chunks(sorted(due), CHUNK):
        accounts = list(
            Account.objects.filter(pk__in=ids, owner__is_active=True).only("pk", "name", "owner_id")
        )
        with transaction.atomic():
            tasks = Task.objects.bulk_create(
                Task(
                    account=account, assignee_id=account.owner_id, kind=TaskKind.FOLLOW_UP,
                    title=_title(account, due[account.pk][0]),
                    due_date=as_of + dt.timedelta(days=DUE_IN_DAYS),
                    source=TaskSource.REFERRAL_ASK,
                    key=f"referral:{due[account.pk][0]}:{as_of.isoformat()}",
                )
                for account in accounts
            )  # fmt: skip
            ReferralAsk.objects.bulk_create(
                ReferralAsk(account_id=task.account_id, asked_on=as_of,
                            nps=due[task.account_id][0], task=task)
                for task in tasks
            )  # fmt: skip
        made += len(tasks)
    return made


def _withdraw(account_ids: list[int]) -> int:
    """Cancel the open referral-ask tasks of these accounts (their latest NPS is no longer a
    promoter's); returns how many."""
    cancelled = 0
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("The latest NPS answer is no longer a promoter's.")
    for ids in bulk.chunks(account_ids, CHUNK):
        asks = ReferralAsk.objects.filter(account_id__in=ids, task__isnull=False)
        tasks = Task.objects.filter(
            pk__in=asks.values("task_id"), status=TaskStatus.OPEN
        ).select_related("assignee", "account")
        for task in tasks:
            task_cancel(task=task, actor=task.assignee, reason=reason)
            cancelled += 1
    return cancelled


def referral_asks_follow(*, account_ids: list[int], as_of: dt.date | None = None) -> dict:
    """After new answers of these accounts (the public page, an import): the open referral asks
    of those whose latest NPS (within a year) is no longer a promoter's are cancelled, and those
    whose latest is a promoter's and are due an ask are asked now rather than at night. A few
    queries per 2,000 accounts, whatever their number."""
    as_of = as_of or timezone.localdate()
    ids = sorted(set(account_ids))
    latest: dict[int, tuple[int, dt.date, int]] = {}
    for chunk in bulk.chunks(ids, CHUNK):
        latest.update(latest_nps(as_of, within_days=365, account_ids=list(chunk)))
    lapsed = [a for a in ids if a not in latest or latest[a][0] < PROMOTER_FROM]
    due: dict[int, tuple[int, dt.date]] = {}
    promoters = [a for a in ids if a in latest and latest[a][0] >= PROMOTER_FROM]
    for chunk in bulk.chunks(promoters, CHUNK):  # their latest answers are read above
        due.update(_not_asked({a: latest[a][:2] for a in chunk}, as_of, only_these=True))
    return {"withdrawn": _withdraw(lapsed), "asked": _ask_all(due, as_of)}


def referral_asks_create(*, as_of: dt.date | None = None, progress: bool = False) -> dict[str, Any]:
    """The nightly step: a referral-ask task for every promoter due one."""
    as_of = as_of or timezone.localdate()
    due = promoters_to_ask(as_of)
    return {"as_of": as_of, "promoters": len(due), "tasks": _ask_all(due, as_of)}
