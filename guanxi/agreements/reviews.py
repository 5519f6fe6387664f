"""Agreement reviews (协议复盘) and switching costs (seed 001): writes and reads.

A review's estimated contribution (revenue, margin) is prefilled from the covered accounts'
transactions of the review period when not typed in (the period defaults to the agreement's
first day up to the review day, within the agreement); the rebate of the period is typed in
until the rebate accrual is there to read it from. Access as for accounts: an agreement or
account out of sight is NotFound.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from guanxi.accounts.selectors import visible_to
from guanxi.accounts.services import account_for_actor
from guanxi.agreements.coverage import covered_account_ids
from guanxi.agreements.models import Agreement, AgreementReview, SwitchingCost
from guanxi.contacts.models import Contact
from guanxi.core.dates import local_midnight
from guanxi.core.errors import InvalidInput, NotFound
from guanxi.core.models import User
from guanxi.core.services import check_fields, delete_as, save_as
from guanxi.transactions.models import Transaction
from guanxi.transactions.selectors import period_totals

REVIEW_FIELDS = frozenset(
    {
        "held_on",
        "minutes",
        "decision",
        "nps",
        "period_start",
        "period_end",
        "revenue",
        "margin",
        "rebate",
        "attendee_ids",
        "contact_ids",
    }
)
COST_FIELDS = frozenset({"kind", "strength", "evidence"})


# --- Reads --------------------------------------------------------------------------------------


def reviews_visible_to(actor: User | None) -> QuerySet[AgreementReview]:
    qs = AgreementReview.objects.select_related("agreement", "agreement__account", "recorded_by")
    return visible_to(qs, actor, prefix="agreement__account__")


def switching_costs_visible_to(actor: User | None) -> QuerySet[SwitchingCost]:
    return visible_to(SwitchingCost.objects.select_related("account"), actor, prefix="account__")


def switching_costs_of(account_id: int) -> QuerySet[SwitchingCost]:
    """The account's switching costs, strongest first (the caller checked the account)."""
    return SwitchingCost.objects.filter(account_id=account_id).order_by("-strength", "kind", "-id")


def _agreement(actor: User | None, agreement_id: int | Agreement) -> Agreement:
    pk = agreement_id.pk if isinstance(agreement_id, Agreement) else agreement_id
    qs = visible_to(Agreement.objects.select_related("account"), actor, prefix="account__")
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Agreement %(id)s not found.") % {"id": pk}, field="agreement")
    return found


def review_for_actor(actor: User | None, review_id: int) -> AgreementReview:
    found = reviews_visible_to(actor).filter(pk=review_id).first()
    if found is None:
        raise NotFound(_("Review %(id)s not found.") % {"id": review_id}, field="review")
    return found


def switching_cost_for_actor(actor: User | None, cost_id: int) -> SwitchingCost:
    found = switching_costs_visible_to(actor).filter(pk=cost_id).first()
    if found is None:
        raise NotFound(_("Switching cost %(id)s not found.") % {"id": cost_id}, field="cost")
    return found


def contribution_estimate(
    agreement: Agreement, first: dt.date, last: dt.date
) -> tuple[Decimal, Decimal]:
    """(revenue, margin) of the covered accounts from ``first`` to ``last`` (local days)."""
    if last < first:
        return Decimal(0), Decimal(0)
    span = Q(occurred_at__gte=local_midnight(first)) & Q(
        occurred_at__lt=local_midnight(last + dt.timedelta(days=1))
    )
    totals = period_totals(
        Transaction.objects.filter(account_id__in=covered_account_ids(agreement)), period=span
    )["period"]
    return totals.revenue, totals.margin


# --- Reviews ------------------------------------------------------------------------------------


def _people(
    model: type, ids: Iterable[int] | None, field: str, *, account_id: int | None = None
) -> list:
    ids = list(dict.fromkeys(ids or []))
    qs = model.objects.filter(pk__in=ids)
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    found = list(qs)
    if len(found) != len(ids):
        missing = sorted(set(ids) - {p.pk for p in found})
        raise InvalidInput(
            _("Unknown or unrelated: %(ids)s.") % {"ids": ", ".join(map(str, missing))},
            field=field,
        )
    return found


def _fill_review(review: AgreementReview, fields: dict[str, Any]) -> tuple[list, list] | None:
    people = None
    attendees = fields.pop("attendee_ids", None)
    contacts = fields.pop("contact_ids", None)
    for name, value in fields.items():
        setattr(review, name, value)
    agreement = review.agreement
    if review.period_start is None:
        review.period_start = agreement.starts_on
    if review.period_end is None and review.held_on is not None:
        review.period_end = min(max(review.held_on, agreement.starts_on), agreement.ends_on)
    if review.period_end is not None and review.period_end < review.period_start:
        raise InvalidInput(_("The period ends before it starts."), field="period_end")
    if (review.revenue is None or review.margin is None) and review.period_end is not None:
        revenue, margin = contribution_estimate(agreement, review.period_start, review.period_end)
        review.revenue = revenue if review.revenue is None else review.revenue
        review.margin = margin if review.margin is None else review.margin
    if attendees is not None or contacts is not None:
        people = (
            None if attendees is None else _people(User, attendees, "attendee_ids"),
            None
            if contacts is None
            else _people(Contact, contacts, "contact_ids", account_id=agreement.account_id),
        )
    return people


def _set_people(review: AgreementReview, people: tuple | None) -> None:
    if people is None:
        return
    users, contacts = people
    if users is not None:
        review.attendees.set(users)
    if contacts is not None:
        review.contacts.set(contacts)


def review_prefill(review: AgreementReview) -> None:
    """Fill the review's default period and the contribution not typed in (admin form)."""
    _fill_review(review, {})


@transaction.atomic
def review_create(*, actor: User, agreement_id: int | Agreement, **fields: Any) -> AgreementReview:
    """Record a review of an agreement the actor sees; contribution prefilled from the data."""
    check_fields(fields, REVIEW_FIELDS)
    if not fields.get("held_on"):
        raise InvalidInput(_("Say when the review was held."), field="held_on")
    review = AgreementReview(agreement=_agreement(actor, agreement_id), recorded_by=actor)
    people = _fill_review(review, dict(fields))
    save_as(review, actor=actor)
    _set_people(review, people)
    return review


@transaction.atomic
def review_update(*, actor: User, review_id: int, **fields: Any) -> AgreementReview:
    check_fields(fields, REVIEW_FIELDS)
    review = review_for_actor(actor, review_id)
    people = _fill_review(review, dict(fields))
    save_as(review, actor=actor)
    _set_people(review, people)
    return review


def review_delete(*, actor: User, review_id: int) -> None:
    delete_as(review_for_actor(actor, review_id), actor=actor)


# --- Switching costs ----------------------------------------------------------------------------


def switching_cost_create(*, actor: User, account_id: int, **fields: Any) -> SwitchingCost:
    check_fields(fields, COST_FIELDS)
    account = account_for_actor(actor=actor, account_id=account_id)
    cost = SwitchingCost(account=account, recorded_by=actor, **fields)
    return save_as(cost, actor=actor)


def switching_cost_update(*, actor: User, cost_id: int, **fields: Any) -> SwitchingCost:
    check_fields(fields, COST_FIELDS)
    cost = switching_cost_for_actor(actor, cost_id)
    for name, value in fields.items():
        setattr(cost, name, value)
    return save_as(cost, actor=actor)


def switching_cost_delete(*, actor: User, cost_id: int) -> None:
    delete_as(switching_cost_for_actor(actor, cost_id), actor=actor)
