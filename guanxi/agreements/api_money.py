"""/api/agreements/…: the money side of an agreement — performance of its volume commitments,
rebate accrual by bracket, settlements (list, draw up, confirm) and rebates paid.

Access: whoever sees the agreement's account reads and drafts; managers confirm and record
payments (403 otherwise). Errors: 404 missing or out of sight, 403 a role that may not, 409 a
draft already open or a settlement not in the right state, 422 bad input naming the field
(a period end outside the rebate period or in the future, a payment above what is due)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from guanxi.agreements.models import RebateSchedule, RebateSettlement
from guanxi.agreements.performance import agreement_performance
from guanxi.agreements.rebates import rebate_accruals
from guanxi.agreements.selectors import agreement_for_actor
from guanxi.agreements.settlements import (
    settlement_confirm,
    settlement_create,
    settlement_for_actor,
    settlement_payment_record,
)
from guanxi.core.errors import NotFound
from guanxi.core.schemas import MAX_ID, Day, InputSchema

router = Router(tags=["agreements"])

AgreementId = Path(..., ge=1, le=MAX_ID)
SettlementId = Path(..., ge=1, le=MAX_ID)


class AsOfQuery(InputSchema):
    as_of: Day | None = Field(None, description="Day the figures run to (default: today)")


class CommitmentOut(Schema):
    id: int
    basis: str
    unit: str
    categories: list[str]
    starts_on: dt.date
    ends_on: dt.date
    committed: Decimal
    actual: Decimal
    expected_to_date: Decimal
    pace: float | None = Field(description="actual ÷ commitment pro-rated; null before start")
    projected: Decimal | None = Field(description="Run-rate to the end of the period")
    projected_model: Decimal | None = Field(description="From the value model's expectation")
    shortfall: bool


class PerformanceOut(Schema):
    agreement_id: int
    as_of: dt.date
    commitments: list[CommitmentOut]


class BracketOut(Schema):
    low: float
    high: float | None
    rate: float = Field(description="A share: 0.03 = 3 %")
    volume: float
    rebate: float
    reached: bool


class AccrualOut(Schema):
    schedule_id: int
    name: str
    basis: str
    method: str
    frequency: str
    first: dt.date
    last: dt.date
    volume: Decimal
    rebate: Decimal
    settled: Decimal
    outstanding: Decimal
    brackets: list[BracketOut]


class AccrualsOut(Schema):
    agreement_id: int
    as_of: dt.date
    schedules: list[AccrualOut]


class SettlementOut(Schema):
    id: int
    schedule_id: int
    period_start: dt.date
    period_end: dt.date
    volume: Decimal
    rebate: Decimal
    already_settled: Decimal
    amount_due: Decimal
    status: str
    lines: list[BracketOut]
    created_by_id: int | None
    created_at: dt.datetime
    confirmed_by_id: int | None
    confirmed_at: dt.datetime | None
    paid_at: dt.datetime | None


class SettlementIn(InputSchema):
    schedule: int = Field(..., ge=1, le=MAX_ID)
    period_end: Day


class PaymentIn(InputSchema):
    paid_on: Day
    amount: Decimal = Field(..., gt=0, max_digits=14, decimal_places=2)
    reference: str = Field("", max_length=100)


class PaymentOut(Schema):
    id: int
    settlement_id: int
    paid_on: dt.date
    amount: Decimal
    reference: str
    settlement_status: str


def _as_of(query: AsOfQuery) -> dt.date:
    return query.as_of or timezone.localdate()


@router.get(
    "/{agreement_id}/performance",
    response=PerformanceOut,
    summary="Volume commitments: actual, pace, projections and shortfall",
)
def performance(request: HttpRequest, query: Query[AsOfQuery], agreement_id: int = AgreementId):
    agreement = agreement_for_actor(request.auth, agreement_id)
    as_of = _as_of(query)
    rows = [
        {
            "id": p.commitment.pk,
            "basis": p.commitment.basis,
            "unit": p.commitment.unit,
            "categories": [c.code for c in p.commitment.categories.all()],
            "starts_on": p.starts_on,
            "ends_on": p.ends_on,
            **{
                name: getattr(p, name)
                for name in ("committed", "actual", "expected_to_date", "pace", "projected")
            },
            "projected_model": p.projected_model,
            "shortfall": p.shortfall,
        }
        for p in agreement_performance(agreement, as_of=as_of)
    ]
    return {"agreement_id": agreement.pk, "as_of": as_of, "commitments": rows}


@router.get(
    "/{agreement_id}/accrual",
    response=AccrualsOut,
    summary="Rebate accrued per schedule, bracket by bracket, and what is not yet settled",
)
def accrual(request: HttpRequest, query: Query[AsOfQuery], agreement_id: int = AgreementId):
    agreement = agreement_for_actor(request.auth, agreement_id)
    as_of = _as_of(query)
    schedules = list(
        RebateSchedule.objects.filter(agreement=agreement)
        .select_related("agreement")
        .prefetch_related("brackets", "categories")
    )
    accruals = rebate_accruals(schedules, as_of)
    rows = [
        {
            "schedule_id": a.schedule.pk,
            "name": str(a.schedule),
            "basis": a.schedule.basis,
            "method": a.schedule.method,
            "frequency": a.schedule.frequency,
            "first": a.first,
            "last": a.last,
            "volume": a.volume,
            "rebate": a.rebate,
            "settled": a.settled,
            "outstanding": a.outstanding,
            "brackets": [line.__dict__ for line in a.lines],
        }
        for a in accruals.values()
    ]
    return {"agreement_id": agreement.pk, "as_of": as_of, "schedules": rows}


@router.get(
    "/{agreement_id}/settlements",
    response=list[SettlementOut],
    summary="Rebate settlements of the agreement, latest first",
)
def settlements(request: HttpRequest, agreement_id: int = AgreementId):
    agreement = agreement_for_actor(request.auth, agreement_id)
    return RebateSettlement.objects.filter(schedule__agreement=agreement).order_by(
        "-period_end", "-id"
    )[:500]


@router.post(
    "/{agreement_id}/settlements",
    response={201: SettlementOut},
    summary="Draw up a settlement of a rebate schedule up to a day: the rebate on the volume "
    "to date less what earlier settlements of the period settled",
)
def create_settlement(request: HttpRequest, payload: SettlementIn, agreement_id: int = AgreementId):
    agreement = agreement_for_actor(request.auth, agreement_id)
    if not RebateSchedule.objects.filter(pk=payload.schedule, agreement=agreement).exists():
        raise NotFound(
            _("Rebate schedule %(id)s not found.") % {"id": payload.schedule}, field="schedule"
        )
    settlement = settlement_create(
        actor=request.auth, schedule=payload.schedule, period_end=payload.period_end
    )
    return Status(201, settlement)


@router.post(
    "/settlements/{settlement_id}/confirm",
    response=SettlementOut,
    summary="Confirm a draft settlement (managers)",
)
def confirm_settlement(request: HttpRequest, settlement_id: int = SettlementId):
    return settlement_confirm(actor=request.auth, settlement=settlement_id)


@router.post(
    "/settlements/{settlement_id}/payments",
    response={201: PaymentOut},
    summary="Record rebate paid on a confirmed settlement (managers)",
    description="On a claw-back (amount_due below zero) the amount is what the customer paid "
    "back, up to the amount clawed back; a claw-back not recovered when the next settlement is "
    "drawn up is carried forward (status carried) and netted there.",
)
def pay_settlement(request: HttpRequest, payload: PaymentIn, settlement_id: int = SettlementId):
    payment = settlement_payment_record(
        actor=request.auth,
        settlement=settlement_id,
        paid_on=payload.paid_on,
        amount=payload.amount,
        reference=payload.reference,
    )
    settlement = settlement_for_actor(request.auth, settlement_id)
    return Status(
        201,
        {
            "id": payment.pk,
            "settlement_id": settlement.pk,
            "paid_on": payment.paid_on,
            "amount": payment.amount,
            "reference": payment.reference,
            "settlement_status": settlement.status,
        },
    )
