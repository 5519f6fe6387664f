"""Writes of an agreement's terms: volume commitments (承诺量) and rebate schedules (返点) with
their brackets. Whoever sees the agreement's account writes them while it is not closed (a
closed agreement keeps its terms; renew it to change them), as negotiated rates are written.

The rules, shared by the admin's forms and these services (InvalidInput naming the field):
a commitment's or a schedule's period lies within the agreement's and ends after it starts;
a committed volume is above zero; brackets start at 0, rise strictly and carry a rate from 0 to
100 %. Writes save through `save_as`, so the audit history names the actor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction as db_transaction
from django.utils.translation import gettext as _

from guanxi.agreements.models import (
    Agreement,
    AgreementStatus,
    RebateBracket,
    RebateSchedule,
    VolumeCommitment,
)
from guanxi.agreements.selectors import agreement_for_actor
from guanxi.agreements.services import CLOSED, amend_if_active
from guanxi.core.errors import Conflict, InvalidInput, NotFound
from guanxi.core.models import User
from guanxi.core.services import check_fields, delete_as, save_as

COMMITMENT_FIELDS = frozenset({"basis", "unit", "committed", "starts_on", "ends_on", "notes"})
SCHEDULE_FIELDS = frozenset({"name", "basis", "method", "frequency", "starts_on", "ends_on"})
HUNDRED = Decimal(100)
TEXT_FIELDS = frozenset({"unit", "notes", "name"})


def open_agreement(actor: User, agreement: Agreement | int) -> Agreement:
    """The agreement if ``actor`` sees it (else NotFound) and it is not closed (else Conflict)."""
    agreement = agreement_for_actor(actor, agreement)
    if agreement.status in CLOSED:
        raise Conflict(
            _("A %(status)s agreement is kept as it was; renew it to change its terms.")
            % {"status": AgreementStatus(agreement.status).label},
            field="status",
        )
    return agreement


def period_check(agreement: Agreement, starts_on: dt.date | None, ends_on: dt.date | None):
    """A term's own period (empty = the agreement's) within the agreement's, ending after it
    starts."""
    first = starts_on or agreement.starts_on
    last = ends_on or agreement.ends_on
    if first is None or last is None:
        return
    if last < first:
        raise InvalidInput(_("The period must end on or after its first day."), field="ends_on")
    outside = _("The period must lie within the agreement's (%(first)s to %(last)s).") % {
        "first": agreement.starts_on.isoformat() if agreement.starts_on else "—",
        "last": agreement.ends_on.isoformat() if agreement.ends_on else "—",
    }
    if starts_on and agreement.starts_on and starts_on < agreement.starts_on:
        raise InvalidInput(outside, field="starts_on")
    if ends_on and agreement.ends_on and ends_on > agreement.ends_on:
        raise InvalidInput(outside, field="ends_on")
    if starts_on and agreement.ends_on and starts_on > agreement.ends_on:
        raise InvalidInput(outside, field="starts_on")


def commitment_validate(commitment: VolumeCommitment, agreement: Agreement) -> None:
    if commitment.committed is not None and commitment.committed <= 0:
        raise InvalidInput(_("The committed volume must be above zero."), field="committed")
    period_check(agreement, commitment.starts_on, commitment.ends_on)


def _day_text(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _number_text(value: Any) -> str | None:
    """A number as text the same whether it was just set (1200000) or read back (1200000.00)."""
    return None if value is None else format(Decimal(value).normalize(), "f")


def commitment_plain(commitment: VolumeCommitment) -> dict[str, Any]:
    """A commitment as an amendment keeps it (categories by code)."""
    return {
        "basis": commitment.basis,
        "unit": commitment.unit,
        "committed": _number_text(commitment.committed),
        "starts_on": _day_text(commitment.starts_on),
        "ends_on": _day_text(commitment.ends_on),
        "categories": sorted(commitment.categories.values_list("code", flat=True)),
    }


def schedule_plain(schedule: RebateSchedule) -> dict[str, Any]:
    """A rebate schedule with its ladder as an amendment keeps it."""
    return {
        "name": schedule.name,
        "basis": schedule.basis,
        "method": schedule.method,
        "frequency": schedule.frequency,
        "starts_on": _day_text(schedule.starts_on),
        "ends_on": _day_text(schedule.ends_on),
        "categories": sorted(schedule.categories.values_list("code", flat=True)),
        "brackets": [
            [_number_text(b.from_value), _number_text(b.rate)]
            for b in schedule.brackets.order_by("from_value")
        ],
    }


def _fill(obj: Any, fields: dict[str, Any], allowed: frozenset[str]) -> None:
    check_fields(fields, allowed)
    for name, value in fields.items():
        setattr(obj, name, "" if value is None and name in TEXT_FIELDS else value)


@db_transaction.atomic
def commitment_create(
    *, actor: User, agreement: Agreement | int, categories: Iterable = (), **fields: Any
) -> VolumeCommitment:
    agreement = open_agreement(actor, agreement)
    commitment = VolumeCommitment(agreement=agreement)
    _fill(commitment, fields, COMMITMENT_FIELDS)
    commitment_validate(commitment, agreement)
    save_as(commitment, actor=actor)
    commitment.categories.set(list(categories))
    amend_if_active(actor, agreement, f"commitment {commitment.pk}", None,
                    commitment_plain(commitment))  # fmt: skip
    return commitment


def _commitment_for_actor(actor: User, commitment: VolumeCommitment | int) -> VolumeCommitment:
    pk = commitment.pk if isinstance(commitment, VolumeCommitment) else commitment
    found = VolumeCommitment.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Commitment %(id)s not found.") % {"id": pk}, field="commitment")
    agreement_for_actor(actor, found.agreement_id)
    return found


@db_transaction.atomic
def commitment_update(
    *, actor: User, commitment: VolumeCommitment | int, categories: Iterable | None = None,
    **fields: Any,
) -> VolumeCommitment:  # fmt: skip
    commitment = _commitment_for_actor(actor, commitment)
    agreement = open_agreement(actor, commitment.agreement_id)
    before = commitment_plain(commitment)
    _fill(commitment, fields, COMMITMENT_FIELDS)
    commitment_validate(commitment, agreement)
    save_as(commitment, actor=actor)
    if categories is not None:
        commitment.categories.set(list(categories))
    amend_if_active(actor, agreement, f"commitment {commitment.pk}", before,
                    commitment_plain(commitment))  # fmt: skip
    return commitment


@db_transaction.atomic
def commitment_delete(*, actor: User, commitment: VolumeCommitment | int) -> None:
    commitment = _commitment_for_actor(actor, commitment)
    agreement = open_agreement(actor, commitment.agreement_id)
    before, key = commitment_plain(commitment), f"commitment {commitment.pk}"
    delete_as(commitment, actor=actor)
    amend_if_active(actor, agreement, key, before, None)


# --- rebate schedules -------------------------------------------------------------------------


def schedule_validate(schedule: RebateSchedule, agreement: Agreement) -> None:
    period_check(agreement, schedule.starts_on, schedule.ends_on)


def brackets_check(rows: Iterable[tuple[Any, Any]]) -> list[tuple[Decimal, Decimal]]:
    """(from volume, rate %) rows as a usable ladder, sorted; InvalidInput field "brackets" if
    they are not one: none, the first not at 0, two at the same volume, a rate outside 0–100."""
    rows = sorted((Decimal(low), Decimal(rate)) for low, rate in rows)
    if not rows:
        raise InvalidInput(_("A rebate schedule needs at least one bracket."), field="brackets")
    if rows[0][0] != 0:
        raise InvalidInput(_("The first bracket must start at 0."), field="brackets")
    lows = [low for low, _rate in rows]
    if len(set(lows)) != len(lows):
        raise InvalidInput(_("Two brackets start at the same volume."), field="brackets")
    if any(not 0 <= rate <= HUNDRED for _low, rate in rows):
        raise InvalidInput(_("A bracket's rate is a percentage from 0 to 100."), field="brackets")
    return rows


def _schedule_for_actor(actor: User, schedule: RebateSchedule | int) -> RebateSchedule:
    pk = schedule.pk if isinstance(schedule, RebateSchedule) else schedule
    found = RebateSchedule.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Rebate schedule %(id)s not found.") % {"id": pk}, field="schedule")
    agreement_for_actor(actor, found.agreement_id)
    return found


def _brackets_write(actor: User, schedule: RebateSchedule, rows: Iterable) -> None:
    rows = brackets_check(rows)
    old = {b.from_value: b for b in schedule.brackets.all()}
    for low, rate in rows:
        bracket = old.pop(low, None) or RebateBracket(schedule=schedule, from_value=low)
        if bracket.pk is None or bracket.rate != rate:
            bracket.rate = rate
            save_as(bracket, actor=actor)
    for bracket in old.values():
        delete_as(bracket, actor=actor)


@db_transaction.atomic
def schedule_create(
    *, actor: User, agreement: Agreement | int, brackets: Iterable, categories: Iterable = (),
    **fields: Any,
) -> RebateSchedule:  # fmt: skip
    """A rebate schedule with its brackets: (from volume, rate %) pairs."""
    agreement = open_agreement(actor, agreement)
    schedule = RebateSchedule(agreement=agreement)
    _fill(schedule, fields, SCHEDULE_FIELDS)
    schedule_validate(schedule, agreement)
    brackets = brackets_check(brackets)
    save_as(schedule, actor=actor)
    schedule.categories.set(list(categories))
    _brackets_write(actor, schedule, brackets)
    amend_if_active(actor, agreement, f"rebate {schedule.pk}", None, schedule_plain(schedule))
    return schedule


@db_transaction.atomic
def schedule_update(
    *, actor: User, schedule: RebateSchedule | int, brackets: Iterable | None = None,
    categories: Iterable | None = None, **fields: Any,
) -> RebateSchedule:  # fmt: skip
    """Change a schedule; ``brackets`` given replaces its ladder whole."""
    schedule = _schedule_for_actor(actor, schedule)
    agreement = open_agreement(actor, schedule.agreement_id)
    before = schedule_plain(schedule)
    _fill(schedule, fields, SCHEDULE_FIELDS)
    schedule_validate(schedule, agreement)
    if brackets is not None:
        brackets = brackets_check(brackets)
    save_as(schedule, actor=actor)
    if categories is not None:
        schedule.categories.set(list(categories))
    if brackets is not None:
        _brackets_write(actor, schedule, brackets)
    amend_if_active(actor, agreement, f"rebate {schedule.pk}", before, schedule_plain(schedule))
    return schedule


@db_transaction.atomic
def schedule_delete(*, actor: User, schedule: RebateSchedule | int) -> None:
    """A schedule without settlements (settled ones are history)."""
    schedule = _schedule_for_actor(actor, schedule)
    agreement = open_agreement(actor, schedule.agreement_id)
    if schedule.settlements.exists():
        raise Conflict(_("This rebate has settlements; it is kept."), field="schedule")
    before, key = schedule_plain(schedule), f"rebate {schedule.pk}"
    amend_if_active(actor, agreement, key, before, None)
    for bracket in schedule.brackets.all():
        delete_as(bracket, actor=actor)
    delete_as(schedule, actor=actor)
