"""Negotiated rates (协议价): their writes, and the check of sales against them.

A sale is checked against every agreement that covers its account (its own, or a group's that
chose it) and is in force on the sale's local day, where the agreement has rates for the sale's
category. It is on the agreement when it matches any of those rates within the tolerance; else
it is held for review (`RateReview`: expected, actual, open until a manager accepts it or marks
it to be corrected), as a discount below the tier floor is (`tiers.services.discount_check`).

What can be checked: a price-per-unit rate needs the sale's quantity (amount ÷ quantity); a
discount rate needs the sale's discount rate. A sale without them, a refund (amount ≤ 0) or a
sale in another category is not flagged. A corrected sale drops its open review; decided
reviews stay (the decision is history).

Callers: the flows of `workspace.flows` (a sale recorded or changed, an import finished), which
call `rate_check` / `rate_reviews_flag` after the tier discount check.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction as db_transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.selectors import visible_to
from guanxi.agreements.models import (
    Agreement,
    AgreementStatus,
    NegotiatedRate,
    RateBasis,
    RateReview,
    RateReviewStatus,
)
from guanxi.agreements.selectors import SIGNED, agreement_for_actor, covering_agreement_ids
from guanxi.agreements.services import CLOSED, amend_if_active
from guanxi.core.dates import local_midnight
from guanxi.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from guanxi.core.models import User
from guanxi.core.services import check_fields, delete_as, save_as
from guanxi.transactions.models import ProductCategory, Transaction

RATE_FIELDS = frozenset({"category", "label", "basis", "value", "tolerance"})
MILLI = Decimal("0.001")
CHUNK = 2000


# --- writes of rates -------------------------------------------------------------------------


def _category(value: Any) -> ProductCategory:
    if isinstance(value, ProductCategory):
        return value
    lookup = {"pk": value} if isinstance(value, int) else {"code": value}
    found = ProductCategory.objects.filter(**lookup).first()
    if found is None:
        raise InvalidInput(_("Unknown product category: %(c)s.") % {"c": value}, field="category")
    return found


def _rate_plain(rate: NegotiatedRate) -> dict[str, Any]:
    return {
        "category": rate.category.code,
        "label": rate.label,
        "basis": rate.basis,
        "value": str(rate.value),
        "tolerance": str(rate.tolerance),
    }


def _open_agreement(actor: User, agreement: Agreement | int) -> Agreement:
    agreement = agreement_for_actor(actor, agreement)
    if agreement.status in CLOSED:
        raise Conflict(
            _("A %(status)s agreement is kept as it was; renew it to change its terms.")
            % {"status": AgreementStatus(agreement.status).label},
            field="status",
        )
    return agreement


def _fill(rate: NegotiatedRate, fields: dict[str, Any]) -> None:
    check_fields(fields, RATE_FIELDS)
    for name, value in fields.items():
        if name == "category":
            rate.category = _category(value)
        elif name == "label":
            rate.label = (value or "").strip()
        else:
            setattr(rate, name, value)
    rate_validate(rate)


def rate_validate(rate: NegotiatedRate) -> None:
    """The rules of a rate's values (InvalidInput naming the field): a discount rate is a share
    of list price. The admin's rate rows run it before anything is saved."""
    if rate.basis == RateBasis.DISCOUNT and rate.value is not None and Decimal(rate.value) > 1:
        raise InvalidInput(
            _("A discount rate is the share of list price paid, between 0 and 1."), field="value"
        )


@db_transaction.atomic
def rate_create(*, actor: User, agreement: Agreement | int, **fields: Any) -> NegotiatedRate:
    """A negotiated rate on an agreement not yet closed (an amendment when it is active)."""
    agreement = _open_agreement(actor, agreement)
    rate = NegotiatedRate(agreement=agreement)
    _fill(rate, fields)
    save_as(rate, actor=actor)
    amend_if_active(actor, agreement, f"rate {rate.pk}", None, _rate_plain(rate))
    return rate


def _rate_for_actor(actor: User, rate: NegotiatedRate | int) -> NegotiatedRate:
    pk = rate.pk if isinstance(rate, NegotiatedRate) else rate
    found = NegotiatedRate.objects.select_related("category").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Rate %(id)s not found.") % {"id": pk}, field="rate")
    agreement_for_actor(actor, found.agreement_id)
    return found


@db_transaction.atomic
def rate_update(*, actor: User, rate: NegotiatedRate | int, **fields: Any) -> NegotiatedRate:
    rate = _rate_for_actor(actor, rate)
    agreement = _open_agreement(actor, rate.agreement_id)
    before = _rate_plain(rate)
    _fill(rate, fields)
    save_as(rate, actor=actor)
    amend_if_active(actor, agreement, f"rate {rate.pk}", before, _rate_plain(rate))
    return rate


@db_transaction.atomic
def rate_delete(*, actor: User, rate: NegotiatedRate | int) -> None:
    rate = _rate_for_actor(actor, rate)
    agreement = _open_agreement(actor, rate.agreement_id)
    before = _rate_plain(rate)
    key = f"rate {rate.pk}"
    delete_as(rate, actor=actor)
    amend_if_active(actor, agreement, key, before, None)


# --- the off-rate check ------------------------------------------------------------------------


def actual_for(basis: str, amount: Decimal, quantity: Decimal | None, discount: Decimal | None):
    """What the sale charged in the rate's unit, or None when the sale cannot be checked."""
    if amount is None or amount <= 0:
        return None
    if basis == RateBasis.UNIT_PRICE:
        if quantity is None or quantity <= 0:
            return None
        return (Decimal(amount) / Decimal(quantity)).quantize(MILLI)
    return None if discount is None else Decimal(discount)


def off_rate(rates: list[NegotiatedRate], amount, quantity, discount):
    """(rate, actual) of the nearest rate when the sale matches none it can be checked
    against; None when it is on one of them or cannot be checked."""
    nearest: tuple[Decimal, NegotiatedRate, Decimal] | None = None
    for rate in rates:
        actual = actual_for(rate.basis, amount, quantity, discount)
        if actual is None:
            continue
        if rate.matches(actual):
            return None
        gap = abs(actual - rate.value)
        if nearest is None or gap < nearest[0]:
            nearest = (gap, rate, actual)
    return None if nearest is None else (nearest[1], nearest[2])


def _in_force(agreement: Agreement, day: dt.date) -> bool:
    if not agreement.starts_on <= day <= agreement.ends_on:
        return False
    if agreement.status in SIGNED:
        return True
    return bool(
        agreement.status == AgreementStatus.TERMINATED
        and agreement.terminated_on
        and agreement.terminated_on > day
    )


def rate_check(*, transaction: Transaction) -> list[RateReview]:
    """Check one sale; its reviews (new, updated or decided before), none when on rate."""
    rate_check_many([transaction.pk])
    return list(RateReview.objects.filter(transaction_id=transaction.pk).order_by("id"))


#: The columns of a sale the check reads, in the order `_check_chunk` unpacks them.
SALE_COLUMNS = (
    "id", "account_id", "category_id", "occurred_at", "amount", "quantity", "discount_rate",
)  # fmt: skip


@db_transaction.atomic
def rate_check_many(transaction_ids: Iterable[int]) -> int:
    """Check many sales at once (set-based: a few queries per chunk of 2,000). Returns how many
    open reviews were created."""
    ids = list(dict.fromkeys(transaction_ids))
    created = 0
    for start in range(0, len(ids), CHUNK):
        ledger = Transaction.objects.filter(pk__in=ids[start : start + CHUNK])
        created += _check_chunk(list(ledger.values_list(*SALE_COLUMNS)))
    return created


@db_transaction.atomic
def _check_rows(rows: list[tuple]) -> int:
    """Check the sales read as `SALE_COLUMNS` rows, 2,000 at a time; the reviews created."""
    created = 0
    for start in range(0, len(rows), CHUNK):
        created += _check_chunk(rows[start : start + CHUNK])
    return created


def _check_chunk(rows: list[tuple]) -> int:
    covering = covering_agreement_ids({r[1] for r in rows})
    agreement_ids = set().union(*covering.values()) if covering else set()
    agreements = {a.pk: a for a in Agreement.objects.filter(pk__in=agreement_ids)}
    rates: dict[tuple[int, int], list[NegotiatedRate]] = defaultdict(list)
    for rate in NegotiatedRate.objects.filter(agreement_id__in=agreement_ids):
        rates[(rate.agreement_id, rate.category_id)].append(rate)
    existing = {
        (r.transaction_id, r.agreement_id): r
        for r in RateReview.objects.filter(transaction_id__in=[r[0] for r in rows])
    }
    new: list[RateReview] = []
    keep: set[tuple[int, int]] = set()
    for tx_id, account_id, category_id, occurred_at, amount, quantity, discount in rows:
        day = timezone.localdate(occurred_at)
        for agreement_id in sorted(covering.get(account_id, ())):
            agreement = agreements[agreement_id]
            found = rates.get((agreement_id, category_id))
            if not found or not _in_force(agreement, day):
                continue
            verdict = off_rate(found, amount, quantity, discount)
            if verdict is None:
                continue
            rate, actual = verdict
            keep.add((tx_id, agreement_id))
            review = existing.get((tx_id, agreement_id))
            if review is None:
                new.append(RateReview(transaction_id=tx_id, agreement_id=agreement_id,
                                      account_id=account_id, rate=rate, basis=rate.basis,
                                      expected=rate.value, actual=actual))  # fmt: skip
            elif review.status == RateReviewStatus.OPEN:
                review.rate, review.basis = rate, rate.basis
                review.expected, review.actual = rate.value, actual
                review.save(update_fields=["rate", "basis", "expected", "actual"])
    stale = [
        r.pk for key, r in existing.items() if key not in keep and r.status == RateReviewStatus.OPEN
    ]
    RateReview.objects.filter(pk__in=stale).delete()
    RateReview.objects.bulk_create(new)
    return len(new)


def rate_reviews_flag(*, since: dt.datetime | None = None) -> int:
    """After an import: check the sales (created since `since`; all when None) of the accounts
    that agreements with negotiated rates cover, in the rates' categories. Returns how many
    reviews were created."""
    with_rates = Agreement.objects.filter(rates__isnull=False).distinct()
    signed = with_rates.filter(status__in=(*SIGNED, AgreementStatus.TERMINATED))
    bounds = list(signed.values_list("pk", "starts_on", "ends_on"))
    if not bounds:
        return 0
    agreement_ids = [b[0] for b in bounds]
    accounts = set(
        Agreement.objects.filter(pk__in=agreement_ids).values_list("account_id", flat=True)
    )
    through = Agreement.covered_accounts.through.objects.filter(agreement_id__in=agreement_ids)
    accounts.update(through.values_list("account_id", flat=True))
    categories = set(
        NegotiatedRate.objects.filter(agreement_id__in=agreement_ids).values_list(
            "category_id", flat=True
        )
    )
    # On the partition key itself (local midnight), not its local date: the planner prunes
    # the months before the first agreement's start on a partitioned ledger.
    occurred_from = local_midnight(min(b[1] for b in bounds) - dt.timedelta(days=1))
    qs = Transaction.objects.filter(category_id__in=categories, occurred_at__gte=occurred_from)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    created = 0
    account_list = sorted(accounts)
    for start in range(0, len(account_list), CHUNK):
        part = qs.filter(account_id__in=account_list[start : start + CHUNK])
        created += _check_rows(list(part.values_list(*SALE_COLUMNS)))
    return created


# --- decisions -------------------------------------------------------------------------------


def rate_reviews_visible_to(actor: User | None) -> QuerySet[RateReview]:
    """The reviews of the accounts `actor` sees (the access rule of the accounts app)."""
    return visible_to(
        RateReview.objects.select_related(
            "account", "agreement", "transaction__category", "decided_by", "rate"
        ),
        actor,
        prefix="account__",
    )


@db_transaction.atomic
def rate_review_decide(
    *, actor: User, review: RateReview | int, status: str, note: str = ""
) -> RateReview:
    """A manager's decision on an off-rate sale: accepted as it is, or to be corrected (the
    KAM reads the note, which a correction needs)."""
    pk = review.pk if isinstance(review, RateReview) else review
    found = rate_reviews_visible_to(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Review %(id)s not found.") % {"id": pk}, field="review")
    if not actor.sees_all_accounts:
        raise PermissionDenied(_("Only managers decide off-rate reviews."), field="status")
    if status not in (RateReviewStatus.ACCEPTED, RateReviewStatus.CORRECTED):
        raise InvalidInput(_("Unknown review decision: %(s)s.") % {"s": status}, field="status")
    note = (note or "").strip()
    if status == RateReviewStatus.CORRECTED and not note:
        raise InvalidInput(_("Say what must be corrected."), field="note")
    found.status = status
    found.note = note[:300]
    found.decided_by = actor
    found.decided_at = timezone.now()
    found.save(update_fields=["status", "note", "decided_by", "decided_at"])
    return found
