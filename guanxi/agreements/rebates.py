"""Rebate accrual (返点计提): what a schedule has earned on the volume so far, bracket by
bracket, and the nightly posting of it as cost to serve.

The volume is read as commitments read theirs (`volumes`: the covered accounts, the schedule's
categories, local-day bounds, refunds reduce it); the maths is `analytics.agreements`.

Rebate is a cost of serving the account: `rebate_accruals_post` posts each schedule's accrued
rebate as `touchpoints.ServeCost` rows (kind "rebate"), spread over the covered accounts in
proportion to their volume, dated the last day counted. `touchpoints.selectors.cost_to_serve`
adds them to the touchpoints' costs, so the value analysis' lifetime profit (CLP) and the
tiers' profit metric see the rebate. The rows of a schedule are replaced whole each time
(reference ``rebate-schedule:<id>``), so running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.agreements.coverage import covered_account_ids, covered_accounts_of
from guanxi.agreements.models import (
    AgreementStatus,
    RebateBracket,
    RebateSchedule,
    RebateSettlement,
    SettlementStatus,
)
from guanxi.agreements.volumes import VolumeQuery, volumes_by_account
from guanxi.analytics.agreements import BracketLine, check_brackets, rebate, rebate_by_bracket
from guanxi.core.bulk import chunks
from guanxi.core.errors import InvalidInput
from guanxi.touchpoints.models import ServeCostKind
from guanxi.touchpoints.services import serve_costs_replace

CENT = Decimal("0.01")
#: Agreements whose rebate counts as cost to serve: signed ones, current or past.
SIGNED = (
    AgreementStatus.ACTIVE,
    AgreementStatus.EXPIRED,
    AgreementStatus.TERMINATED,
    AgreementStatus.RENEWED,
)
REFERENCE = "rebate-schedule:{}"


def cents(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


@dataclass
class RebateAccrual:
    schedule: RebateSchedule
    first: dt.date  # the rebate period's first day
    last: dt.date  # the last day counted (as_of, or the period's end once it is over)
    volume: Decimal
    rebate: Decimal
    lines: list[BracketLine]
    settled: Decimal = Decimal(0)  # confirmed or paid settlements of the period
    by_account: dict[int, Decimal] = field(default_factory=dict)  # volume per covered account

    @property
    def outstanding(self) -> Decimal:
        """Earned and not yet settled."""
        return self.rebate - self.settled

    @property
    def next_bracket(self) -> BracketLine | None:
        """The first bracket above the volume, if any."""
        return next((b for b in self.lines if b.low > self.volume), None)


def brackets_of(schedule: RebateSchedule) -> tuple[list[float], list[float]]:
    """(lower bounds, rates as shares) of the schedule, checked; InvalidInput if they are not a
    valid ladder (none, first not at 0)."""
    rows = getattr(schedule, "bracket_rows", None)  # (from, rate %) read in bulk
    if rows is None:
        rows = [(b.from_value, b.rate) for b in schedule.brackets.all()]
    rows = sorted(rows)
    lows = [float(low) for low, _rate in rows]
    rates = [float(rate) / 100 for _low, rate in rows]
    try:
        check_brackets(lows, rates)
    except ValueError as exc:
        raise InvalidInput(
            _("The rebate brackets are not usable: %(error)s") % {"error": exc}, field="brackets"
        ) from exc
    return lows, rates


def _query(schedule: RebateSchedule, accounts: list[int], as_of: dt.date) -> VolumeQuery:
    first, last = schedule.period
    ids = getattr(schedule, "category_ids", None)  # read in bulk
    categories = frozenset(ids if ids is not None else (c.pk for c in schedule.categories.all()))
    return VolumeQuery(
        key=schedule.pk,
        account_ids=tuple(accounts),
        category_ids=categories or None,
        basis=schedule.basis,
        first=first,
        last=min(last, as_of),
    )


def _accrual(schedule: RebateSchedule, by_account: dict[int, Decimal], as_of: dt.date):
    first, last = schedule.period
    lows, rates = brackets_of(schedule)
    volume = sum(by_account.values(), Decimal(0))
    return RebateAccrual(
        schedule=schedule,
        first=first,
        last=max(min(last, as_of), first - dt.timedelta(days=1)),
        volume=volume,
        rebate=cents(rebate(float(volume), lows, rates, schedule.method)),
        lines=rebate_by_bracket(float(volume), lows, rates, schedule.method),
        by_account=by_account,
    )


def settled_amount(status: str, amount_due: Decimal, recovered: Decimal | None) -> Decimal:
    """What one settlement has settled: its amount due once confirmed, but a claw-back (amount
    due below zero) only as far as it was recovered from the customer — until then the customer
    still holds the rebate, and the next settlement nets what is left."""
    if status == SettlementStatus.DRAFT:
        return Decimal(0)
    if amount_due >= 0 or status == SettlementStatus.PAID:
        return amount_due
    return -(recovered or Decimal(0))


def settled_of(schedule_ids: Iterable[int]) -> dict[int, Decimal]:
    """schedule id → what its settlements settled (`settled_amount` summed)."""
    rows = (
        RebateSettlement.objects.filter(schedule_id__in=list(schedule_ids))
        .exclude(status=SettlementStatus.DRAFT)
        .order_by()
        .values_list("pk", "schedule_id", "status", "amount_due")
        .annotate(recovered=Sum("payments__amount"))
    )
    totals: dict[int, Decimal] = {}
    for _pk, schedule_id, status, due, recovered in rows:
        totals[schedule_id] = totals.get(schedule_id, Decimal(0)) + settled_amount(
            status, due, recovered
        )
    return totals


def rebate_accrual(schedule: RebateSchedule, as_of: dt.date) -> RebateAccrual:
    """The rebate the schedule has earned on the volume of its period up to ``as_of``."""
    accounts = covered_account_ids(schedule.agreement)
    by_account = volumes_by_account([_query(schedule, accounts, as_of)])[schedule.pk]
    accrual = _accrual(schedule, by_account, as_of)
    accrual.settled = settled_of([schedule.pk]).get(schedule.pk, Decimal(0))
    return accrual


def rebate_accruals(
    schedules: Iterable[RebateSchedule], as_of: dt.date
) -> dict[int, RebateAccrual]:
    """schedule id → its accrual, for many schedules in a handful of queries. A schedule whose
    brackets are not usable is left out."""
    schedules = list(schedules)
    covered = covered_accounts_of({s.agreement_id: s.agreement for s in schedules}.values())
    read = volumes_by_account(_query(s, covered[s.agreement_id], as_of) for s in schedules)
    settled = settled_of(s.pk for s in schedules)
    result = {}
    for s in schedules:
        try:
            accrual = _accrual(s, read[s.pk], as_of)
        except InvalidInput:
            continue
        accrual.settled = settled.get(s.pk, Decimal(0))
        result[s.pk] = accrual
    return result


def spread(amount: Decimal, by_account: dict[int, Decimal]) -> dict[int, Decimal]:
    """``amount`` over the accounts in proportion to their (positive) volume, in cents that add
    up to it (the rounding rest goes to the largest)."""
    weights = {a: v for a, v in by_account.items() if v > 0}
    total = sum(weights.values(), Decimal(0))
    if amount <= 0 or total <= 0:
        return {}
    shares = {a: (amount * v / total).quantize(CENT) for a, v in weights.items()}
    largest = max(weights, key=lambda a: (weights[a], -a))
    shares[largest] += amount - sum(shares.values(), Decimal(0))
    return shares


def schedules_to_post(as_of: dt.date, agreement_id: int | None = None):
    """The schedules of signed agreements whose rebate period has started by ``as_of``."""
    qs = RebateSchedule.objects.all()
    if agreement_id is not None:
        qs = qs.filter(agreement_id=agreement_id)
    qs = qs.filter(agreement__status__in=SIGNED, agreement__starts_on__lte=as_of)
    schedules = [s for s in qs.select_related("agreement") if s.period[0] <= as_of]
    # Brackets and categories as plain values: prefetching objects costs seconds at 10,000.
    by_id = {s.pk: s for s in schedules}
    for s in schedules:
        s.bracket_rows, s.category_ids = [], []
    for chunk in chunks(list(by_id), 5000):
        for pk, low, rate in RebateBracket.objects.filter(schedule_id__in=chunk).values_list(
            "schedule_id", "from_value", "rate"
        ):
            by_id[pk].bracket_rows.append((low, rate))
        through = RebateSchedule.categories.through.objects.filter(rebateschedule_id__in=chunk)
        for pk, category in through.values_list("rebateschedule_id", "productcategory_id"):
            by_id[pk].category_ids.append(category)
    return schedules


def _rows(accruals: Iterable[RebateAccrual]) -> list[tuple[int, dt.date, Decimal, str]]:
    rows = []
    for accrual in accruals:
        for account, amount in spread(accrual.rebate, accrual.by_account).items():
            rows.append((account, accrual.last, amount, REFERENCE.format(accrual.schedule.pk)))
    return rows


def agreement_rebate_post(agreement, *, as_of: dt.date | None = None) -> int:
    """Post one agreement's accrued rebate as cost to serve, replacing its earlier rows (none
    unless it is signed). Returns the rows written."""
    as_of = as_of or timezone.localdate()
    schedules = schedules_to_post(as_of, agreement.pk)
    every = RebateSchedule.objects.filter(agreement=agreement).values_list("pk", flat=True)
    return serve_costs_replace(
        kind=ServeCostKind.REBATE,
        references=[REFERENCE.format(pk) for pk in every],
        rows=_rows(rebate_accruals(schedules, as_of).values()),
    )


def rebate_accruals_post(*, as_of: dt.date | None = None, progress: bool = False) -> dict:
    """The nightly step: post every schedule's accrued rebate as cost to serve (see the module's
    docstring). Returns a summary in numbers."""
    as_of = as_of or timezone.localdate()
    schedules = schedules_to_post(as_of)
    accruals = rebate_accruals(schedules, as_of)
    rows = _rows(accruals.values())
    # Every rebate row is replaced, so a schedule deleted or an agreement back in draft
    # leaves no stale cost behind.
    written = serve_costs_replace(
        kind=ServeCostKind.REBATE,
        references=None,
        rows=rows,
    )
    return {
        "schedules": len(accruals),
        "skipped": len(schedules) - len(accruals),
        "rows": written,
        "rebate": float(sum((a.rebate for a in accruals.values()), Decimal(0))),
    }
