"""SLA of a case: which policy applies (by the account's tier), its due times, pauses and
breaches. The calendar arithmetic is in `guanxi.service.calendar`; this module applies it to a
case and its policy.

- The policy: of the active policies linked to one of the account's current tiers
  (`tiers.selectors.current_tier_ids`), the fastest (shortest first response); else the default
  policy; else the built-in standard (4 h / 72 h in working hours).
- Due times: opened + N working hours (round the clock: N hours). Praise has no due times.
- A pause (waiting on the customer) shifts the due times not yet met by the working time it
  lasted.
- A breach is recorded when the first response or the resolution comes after its due time, on
  the transition or by the job (`sla_breaches_record`), once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.service.calendar import WorkingHours, add_working_time, working_time_between
from guanxi.service.models import (
    OPEN_STATUSES,
    CalendarDay,
    Case,
    CaseKind,
    CaseStatus,
    SlaPolicy,
)
from guanxi.tiers.selectors import current_tier_ids

#: Without any policy row: the standard service.
FALLBACK_FIRST_RESPONSE = Decimal(4)
FALLBACK_RESOLUTION = Decimal(72)


@dataclass(frozen=True)
class Terms:
    """What a case is held to: hours allowed and the clock they run on."""

    first_response: dt.timedelta
    resolution: dt.timedelta
    hours: WorkingHours
    near_share: float = 0.8


def _hours(value: Decimal) -> dt.timedelta:
    return dt.timedelta(seconds=int(Decimal(value) * 3600))


def policy_for(account: Account | int, *, on: dt.date | None = None) -> SlaPolicy | None:
    """The SLA policy of ``account`` (see the module's docstring); None: the built-in standard."""
    account_id = account if isinstance(account, int) else account.pk
    tier_ids = current_tier_ids([account_id], on=on, purpose=None).get(account_id, [])
    active = SlaPolicy.objects.filter(active=True)
    if tier_ids:
        chosen = active.filter(tier_id__in=tier_ids).order_by("first_response_hours", "id").first()
        if chosen is not None:
            return chosen
    return active.filter(is_default=True).first()


CalendarDays = tuple[frozenset[dt.date], frozenset[dt.date]]


def calendar_days() -> CalendarDays:
    """The company's own calendar days: (days off, make-up working days)."""
    off, on = set(), set()
    for day, working in CalendarDay.objects.values_list("day", "is_working"):
        (on if working else off).add(day)
    return frozenset(off), frozenset(on)


def terms_of(policy: SlaPolicy | None, days: CalendarDays | None = None) -> Terms:
    """The terms of ``policy`` (None: the built-in standard) on the working calendar; ``days``:
    the company's calendar days when the caller has read them already (a job over many cases)."""
    tz = timezone.get_default_timezone()
    off, on = days if days is not None else calendar_days()
    if policy is None:
        return Terms(
            _hours(FALLBACK_FIRST_RESPONSE),
            _hours(FALLBACK_RESOLUTION),
            WorkingHours(tz=tz, days_off=off, days_on=on),
        )
    hours = WorkingHours(
        starts=policy.work_starts,
        ends=policy.work_ends,
        around_the_clock=policy.around_the_clock,
        tz=tz,
        days_off=off,
        days_on=on,
    )
    return Terms(
        _hours(policy.first_response_hours),
        _hours(policy.resolution_hours),
        hours,
        near_share=policy.near_breach_percent / 100,
    )


def set_due_times(case: Case, terms: Terms) -> None:
    """First response and resolution due, counted from the case's opening (praise: none)."""
    if case.kind == CaseKind.PRAISE:
        case.first_response_due_at = case.resolution_due_at = None
        return
    case.first_response_due_at = add_working_time(case.opened_at, terms.first_response, terms.hours)
    case.resolution_due_at = add_working_time(case.opened_at, terms.resolution, terms.hours)


def reset_resolution_due(case: Case, terms: Terms, now: dt.datetime) -> None:
    """A reopened case gets the whole resolution time again from now."""
    if case.kind != CaseKind.PRAISE:
        case.resolution_due_at = add_working_time(now, terms.resolution, terms.hours)


def shift_for_pause(case: Case, terms: Terms, now: dt.datetime) -> dt.timedelta:
    """Move the due times not yet met by the working time the case waited on the customer
    (``paused_at`` → ``now``); returns that time."""
    if case.paused_at is None:
        return dt.timedelta(0)
    paused = working_time_between(case.paused_at, now, terms.hours)
    if paused > dt.timedelta(0):
        if case.first_responded_at is None and case.first_response_due_at is not None:
            case.first_response_due_at = add_working_time(
                case.first_response_due_at, paused, terms.hours
            )
        if case.resolution_due_at is not None:
            case.resolution_due_at = add_working_time(case.resolution_due_at, paused, terms.hours)
    case.paused_at = None
    return paused


def first_response_late(case: Case, now: dt.datetime) -> bool:
    due = case.first_response_due_at
    answered = case.first_responded_at
    if due is None:
        return False
    return (answered or now) > due


def resolution_late(case: Case, now: dt.datetime) -> bool:
    """Late: resolved after the due time, or still open (and not waiting) past it."""
    due = case.resolution_due_at
    if due is None:
        return False
    if case.resolved_at is not None:
        return case.resolved_at > due
    return case.status != CaseStatus.WAITING and now > due


def late_q(now: dt.datetime) -> Q:
    """The cases late at ``now``, in SQL: a breach recorded, or a due time passed and not met
    that `record_breaches` would record now. The case list's SLA column and filter read this;
    the "complaint past its SLA" light reads its resolution half, `resolution_late_q`."""
    unanswered = Q(first_responded_at__isnull=True, first_response_due_at__lt=now)
    return Q(first_response_breached=True) | unanswered | resolution_late_q(now)


def resolution_late_q(now: dt.datetime) -> Q:
    """Resolution marked late, or open (not waiting on the customer) past its due time; a
    reopened case is due again from its reopening (`reset_resolution_due`)."""
    running = [s for s in OPEN_STATUSES if s != CaseStatus.WAITING]
    overdue = Q(status__in=running, resolved_at__isnull=True, resolution_due_at__lt=now)
    return Q(resolution_breached=True) | overdue


def is_late(case: Case, now: dt.datetime) -> bool:
    """`late_q` for one case in hand."""
    if case.first_response_breached or case.resolution_breached:
        return True
    frd, due = case.first_response_due_at, case.resolution_due_at
    if case.first_responded_at is None and frd is not None and frd < now:
        return True
    running = case.status in OPEN_STATUSES and case.status != CaseStatus.WAITING
    return running and case.resolved_at is None and due is not None and due < now


def near_due(
    due: dt.datetime | None, allowed: dt.timedelta, terms: Terms, now: dt.datetime
) -> bool:
    """Whether ``now`` has used ``near_share`` of ``allowed`` before ``due``: the working time
    left is at most the rest of the share (exact across pauses, which moved ``due``)."""
    if due is None:
        return False
    left = working_time_between(now, due, terms.hours)
    return left <= allowed * (1 - terms.near_share)
