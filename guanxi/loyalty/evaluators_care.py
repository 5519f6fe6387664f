"""The evaluators that read the customer's voice: complaints (`service.Case`) and survey scores
(`surveys.SurveyResponse`). Like `evaluators`, each reads all accounts in a few queries and
returns {account id: facts}.

- complaint past SLA: an open complaint whose resolution is due and not done (or marked late);
- detractor: the account's latest NPS within ``within_days`` is ``max_score`` (6) or less;
- no visit after a service failure (seed 004's own example): a complaint opened within
  ``within_days`` (and at least ``grace_days`` ago) and no visit touchpoint since it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from guanxi.core.dates import local_midnight
from guanxi.loyalty.models import LightRule
from guanxi.service import sla
from guanxi.service.models import OPEN_STATUSES, Case, CaseKind
from guanxi.surveys.models import SurveyResponse
from guanxi.touchpoints.models import TouchpointKind
from guanxi.touchpoints.selectors import last_touchpoints

Facts = dict[int, dict]


def day_end(as_of: dt.date) -> dt.datetime:
    """The moment the evaluation stands at: now, or the end of ``as_of`` when that is past."""
    return min(timezone.now(), local_midnight(as_of + dt.timedelta(days=1)))


def _local_day(moment: dt.datetime) -> str:
    return timezone.localdate(moment).isoformat()


def complaint_overdue(rule: LightRule, as_of: dt.date) -> Facts:
    """Open complaints past their resolution due time (or marked late): the one most overdue
    per account, and how many. One query on the (status, resolution_due_at) index."""
    now = day_end(as_of)
    rows = (
        Case.objects.filter(kind=CaseKind.COMPLAINT, status__in=OPEN_STATUSES)
        .filter(sla.resolution_late_q(now))
        .filter(opened_at__lt=now)
        .values_list("account_id", "pk", "opened_at", "resolution_due_at")
        .order_by("account_id", "resolution_due_at", "pk")
    )
    facts: Facts = {}
    for account_id, pk, opened_at, due in rows:
        entry = facts.get(account_id)
        if entry is None:
            facts[account_id] = {
                "case": pk,
                "opened": _local_day(opened_at),
                "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else None,
                "count": 1,
            }
        else:
            entry["count"] += 1
    return facts


def latest_nps(
    as_of: dt.date, *, within_days: int, account_ids: list[int] | None = None
) -> dict[int, tuple[int, dt.date, int]]:
    """Account id → (NPS, local day, response id) of its latest NPS answer within
    ``within_days`` up to ``as_of`` (of ``account_ids`` only, when given): one pass over the
    window's answers, newest first."""
    end = local_midnight(as_of + dt.timedelta(days=1))
    since = end - dt.timedelta(days=within_days)
    answers = SurveyResponse.objects.filter(
        nps_score__isnull=False, answered_at__gte=since, answered_at__lt=end
    )
    if account_ids is not None:
        answers = answers.filter(account_id__in=account_ids)
    rows = answers.values_list("account_id", "nps_score", "answered_at", "pk").order_by(
        "account_id", "-answered_at", "-pk"
    )
    latest: dict[int, tuple[int, dt.date, int]] = {}
    for account_id, score, answered_at, pk in rows:
        if account_id not in latest:
            latest[account_id] = (score, timezone.localdate(answered_at), pk)
    return latest


def detractor(rule: LightRule, as_of: dt.date) -> Facts:
    """The latest NPS answer of each account within ``within_days`` is a detractor's (0 to
    ``max_score``)."""
    limit = int(rule.param("max_score"))
    return {
        account_id: {"score": score, "on": on.isoformat(), "response": pk}
        for account_id, (score, on, pk) in latest_nps(
            as_of, within_days=int(rule.param("within_days"))
        ).items()
        if score <= limit
    }


def no_visit_after_failure(rule: LightRule, as_of: dt.date) -> Facts:
    """A complaint opened within ``within_days`` (at least ``grace_days`` ago, so the KAM has
    time to go) and no visit touchpoint on or after its day: the latest such complaint per
    account, then the last visit of just those accounts (`touchpoints.last_touchpoints`)."""
    end = local_midnight(as_of + dt.timedelta(days=1))
    since = end - dt.timedelta(days=int(rule.param("within_days")))
    grace = end - dt.timedelta(days=int(rule.param("grace_days") or 0))
    rows = (
        Case.objects.filter(kind=CaseKind.COMPLAINT, opened_at__gte=since, opened_at__lt=grace)
        .values_list("account_id", "pk", "opened_at")
        .order_by("account_id", "-opened_at", "-pk")
    )
    latest: dict[int, tuple[int, dt.date]] = {}
    for account_id, pk, opened_at in rows:
        latest.setdefault(account_id, (pk, timezone.localdate(opened_at)))
    if not latest:
        return {}
    visits = last_touchpoints(latest, kinds=[TouchpointKind.VISIT], as_of=as_of)
    facts: Facts = {}
    for account_id, (pk, opened_on) in latest.items():
        last_visit = visits.get(account_id, {}).get(TouchpointKind.VISIT)
        if last_visit is None or last_visit < opened_on:
            facts[account_id] = {
                "case": pk,
                "opened": opened_on.isoformat(),
                "last_visit": last_visit.isoformat() if last_visit else None,
            }
    return facts
