"""A small builder of deals with their stage log, for the reports' tests (rows written as they
would be after `opportunity_create` and `opportunity_move`, with chosen dates, the stage
log's rollups included)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.core.models import User
from guanxi.pipeline.models import LostReason, Opportunity, Outcome, Pipeline, Stage, StageChange
from guanxi.pipeline.stage_rollup import stage_rollup_add


def stage(key: str) -> Stage:
    return Stage.objects.get(pipeline__is_default=True, builtin=key)


def moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def make_deal(
    *,
    account: Account,
    owner: User | None = None,
    path: tuple[tuple[str, dt.date], ...] = (("identify", dt.date(2026, 1, 5)),),
    amount: str | int = "10000",
    expected_close: dt.date = dt.date(2026, 3, 15),
    probability: int | None = None,
    lost_reason: str = "price",
    **fields,
) -> Opportunity:
    """A deal that walked `path` (stage key, day) and sits in the last stage; won or lost closes
    it on that day."""
    last_key, last_day = path[-1]
    last = stage(last_key)
    closed = last.outcome != Outcome.OPEN
    deal = Opportunity.objects.create(
        account=account,
        name=fields.pop("name", f"deal {account.pk}"),
        pipeline=Pipeline.objects.get(is_default=True),
        stage=last,
        outcome=last.outcome,
        amount=Decimal(amount),
        probability=last.probability if probability is None else probability,
        expected_close=expected_close,
        owner=owner or account.owner,
        closed_on=last_day if closed else None,
        lost_reason=LostReason.objects.get(builtin=lost_reason)
        if last.outcome == Outcome.LOST
        else None,
        stage_changed_at=moment(last_day),
        **fields,
    )
    previous = None
    for key, day in path:
        to = stage(key)
        StageChange.objects.create(
            opportunity=deal,
            from_stage=previous[0] if previous else None,
            to_stage=to,
            changed_at=moment(day),
            seconds_in_from_stage=int((moment(day) - moment(previous[1])).total_seconds())
            if previous
            else None,
        )
        previous = (to, day)
    stage_rollup_add([deal.pk])
    return deal
