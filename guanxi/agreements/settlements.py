"""Rebate settlements (返点结算): draw one up, confirm it, record what was paid.

A settlement covers its schedule's rebate period from the first day to ``period_end`` (a
quarter's, half-year's or the year's end, or any day of the period): the rebate on that
cumulative volume less what the confirmed and paid settlements of the same period settled.
So a second settlement of the year pays only the difference, and one drawn up again for the
same end after late sales pays only what they added (OCA/agreement#36 could not). One draft
at a time per schedule, so two drafts cannot both deduct the same earlier settlement.

Anyone who sees the agreement's account drafts a settlement; only managers (and admins)
confirm it and record payments. Out of sight is NotFound, as everywhere.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction as db_transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.agreements.models import (
    RebatePayment,
    RebateSchedule,
    RebateSettlement,
    SettlementFrequency,
    SettlementStatus,
)
from guanxi.agreements.rebates import rebate_accrual, settled_of
from guanxi.agreements.selectors import agreement_for_actor
from guanxi.core.dates import add_months
from guanxi.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from guanxi.core.models import User
from guanxi.core.services import delete_as, save_as

MONTHS = {
    SettlementFrequency.QUARTERLY: 3,
    SettlementFrequency.HALF_YEARLY: 6,
    SettlementFrequency.YEARLY: 12,
}


def schedule_for_actor(actor: User | None, schedule: RebateSchedule | int) -> RebateSchedule:
    pk = schedule.pk if isinstance(schedule, RebateSchedule) else schedule
    found = RebateSchedule.objects.select_related("agreement").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Rebate schedule %(id)s not found.") % {"id": pk}, field="schedule")
    agreement_for_actor(actor, found.agreement_id)
    return found


def settlement_for_actor(actor: User | None, settlement: RebateSettlement | int):
    pk = settlement.pk if isinstance(settlement, RebateSettlement) else settlement
    found = (
        RebateSettlement.objects.select_related("schedule__agreement__account")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("Settlement %(id)s not found.") % {"id": pk}, field="settlement")
    agreement_for_actor(actor, found.schedule.agreement_id)
    return found


def manager_check(actor: User | None) -> None:
    """Only managers and admins confirm settlements and record rebates paid."""
    if actor is None or not actor.sees_all_accounts:
        raise PermissionDenied(_("Only managers confirm rebate settlements and record payments."))


def settlement_period_ends(schedule: RebateSchedule) -> list[dt.date]:
    """The days settlements fall due: every quarter, half-year or year from the start of the
    rebate period, and its last day."""
    first, last = schedule.period
    step, ends, n = MONTHS[schedule.frequency], [], 1
    while (end := add_months(first, step * n) - dt.timedelta(days=1)) < last:
        ends.append(end)
        n += 1
    return [*ends, last]


@db_transaction.atomic
def settlement_create(
    *, actor: User, schedule: RebateSchedule | int, period_end: dt.date
) -> RebateSettlement:
    """A draft settlement of the rebate period up to ``period_end`` (see the module)."""
    schedule = schedule_for_actor(actor, schedule)
    # One writer at a time per schedule: the deduction reads the settlements before it.
    RebateSchedule.objects.select_for_update().filter(pk=schedule.pk).first()
    first, last = schedule.period
    if not first <= period_end <= last:
        raise InvalidInput(
            _("The settlement must end within the rebate period (%(first)s to %(last)s).")
            % {"first": first.isoformat(), "last": last.isoformat()},
            field="period_end",
        )
    if period_end > timezone.localdate():
        raise InvalidInput(_("A settlement cannot end in the future."), field="period_end")
    settlements = RebateSettlement.objects.filter(schedule=schedule)
    if settlements.filter(status=SettlementStatus.DRAFT).exists():
        raise Conflict(
            _("This rebate has a draft settlement: confirm or delete it first."),
            field="period_end",
        )
    latest = settlements.exclude(status=SettlementStatus.DRAFT).order_by("-period_end").first()
    if latest is not None and period_end < latest.period_end:
        raise InvalidInput(
            _("A settlement up to %(day)s is already confirmed; settle up to that day or later.")
            % {"day": latest.period_end.isoformat()},
            field="period_end",
        )
    # A claw-back not recovered by now is carried into this settlement (its rest is netted).
    for open_claw_back in settlements.filter(status=SettlementStatus.CONFIRMED, amount_due__lt=0):
        open_claw_back.status = SettlementStatus.CARRIED
        save_as(open_claw_back, actor=actor)
    accrual = rebate_accrual(schedule, period_end)
    already = settled_of([schedule.pk]).get(schedule.pk, Decimal(0))
    settlement = RebateSettlement(
        schedule=schedule,
        period_start=first,
        period_end=period_end,
        volume=accrual.volume,
        rebate=accrual.rebate,
        already_settled=already,
        amount_due=accrual.rebate - already,
        lines=[line.__dict__ for line in accrual.lines],
        created_by=actor,
    )
    return save_as(settlement, actor=actor)


@db_transaction.atomic
def settlement_confirm(*, actor: User, settlement: RebateSettlement | int) -> RebateSettlement:
    """Draft → confirmed (managers). A settlement with nothing due is paid once confirmed; a
    claw-back (amount due below zero) stays confirmed until it is recovered or carried."""
    manager_check(actor)
    settlement = settlement_for_actor(actor, settlement)
    if settlement.status != SettlementStatus.DRAFT:
        raise Conflict(_("Only a draft settlement can be confirmed."), field="status")
    settlement.status = SettlementStatus.CONFIRMED
    settlement.confirmed_by = actor
    settlement.confirmed_at = timezone.now()
    if settlement.amount_due == 0:
        settlement.status = SettlementStatus.PAID
        settlement.paid_at = settlement.confirmed_at
    return save_as(settlement, actor=actor)


@db_transaction.atomic
def settlement_payment_record(
    *,
    actor: User,
    settlement: RebateSettlement | int,
    paid_on: dt.date,
    amount: Decimal,
    reference: str = "",
) -> RebatePayment:
    """Record rebate paid to the customer (managers); the settlement is paid once its payments
    reach the amount due. Paying more than is due is refused. On a claw-back (amount due below
    zero) ``amount`` is what the customer paid back, up to the amount clawed back."""
    manager_check(actor)
    settlement = settlement_for_actor(actor, settlement)
    RebateSettlement.objects.select_for_update().filter(pk=settlement.pk).first()
    if settlement.status != SettlementStatus.CONFIRMED:
        raise Conflict(_("Payments are recorded on a confirmed settlement."), field="settlement")
    amount = Decimal(amount)
    if amount <= 0:
        raise InvalidInput(_("The amount paid must be positive."), field="amount")
    paid = settlement.payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    owed = abs(settlement.amount_due)
    if paid + amount > owed:
        message = (
            _("Only %(left)s is left to pay on this settlement.")
            if settlement.amount_due > 0
            else _("Only %(left)s is left to recover on this settlement.")
        )
        raise InvalidInput(message % {"left": owed - paid}, field="amount")
    payment = save_as(
        RebatePayment(
            settlement=settlement,
            paid_on=paid_on,
            amount=amount,
            reference=reference[:100],
            recorded_by=actor,
        ),
        actor=actor,
    )
    if paid + amount == owed:
        settlement.status = SettlementStatus.PAID
        settlement.paid_at = timezone.now()
        save_as(settlement, actor=actor)
    return payment


@db_transaction.atomic
def settlement_delete(*, actor: User, settlement: RebateSettlement | int) -> None:
    """Throw a draft away (whoever may draft one); confirmed settlements stay."""
    settlement = settlement_for_actor(actor, settlement)
    if settlement.status != SettlementStatus.DRAFT:
        raise Conflict(_("Only a draft settlement can be deleted."), field="status")
    delete_as(settlement, actor=actor)
