"""Reads of transactions and payments, limited by the account access rule."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from guanxi.accounts.selectors import visible_to
from guanxi.core.dates import local_midnight
from guanxi.core.models import User
from guanxi.core.selectors import filter_given, ordered
from guanxi.transactions.models import Payment, Transaction

if TYPE_CHECKING:
    from guanxi.transactions.schemas import PaymentFilters, TransactionFilters


def transactions_visible_to(user: User | None) -> QuerySet[Transaction]:
    return visible_to(Transaction.objects.all(), user, prefix="account__")


def payments_visible_to(user: User | None) -> QuerySet[Payment]:
    return visible_to(Payment.objects.all(), user, prefix="account__")


def _moment(value: dt.datetime | dt.date, *, end: bool) -> dt.datetime:
    """A filter bound as an aware datetime; a date `to` bound covers that whole day."""
    if isinstance(value, dt.datetime):
        return timezone.make_aware(value) if timezone.is_naive(value) else value
    day = value + dt.timedelta(days=1) if end else value
    return local_midnight(day)


def _within(
    qs: QuerySet,
    field: str,
    start: dt.datetime | dt.date | None,
    end: dt.datetime | dt.date | None,
) -> QuerySet:
    if start is not None:
        qs = qs.filter(**{f"{field}__gte": _moment(start, end=False)})
    if end is not None:
        qs = qs.filter(**{f"{field}__lt": _moment(end, end=True)})
    return qs


# Both lists share these filters: the account and the amount range.
_COMMON_LOOKUPS = {
    "account": "account_id",
    "source": "source",
    "min_amount": "amount__gte",
    "max_amount": "amount__lte",
}


def transaction_list(*, user: User | None, filters: TransactionFilters) -> QuerySet[Transaction]:
    """The API's transaction list: visible rows narrowed by the given filters."""
    qs = visible_to(
        Transaction.objects.select_related("account", "category"), user, prefix="account__"
    )
    qs = filter_given(
        qs,
        filters,
        {
            **_COMMON_LOOKUPS,
            "contact": "contact_id",
            "category": "category__code",
            "channel": "channel",
            "external_id": "external_id",
        },
    )
    return ordered(_within(qs, "occurred_at", filters.occurred_from, filters.occurred_to))


def payment_list(*, user: User | None, filters: PaymentFilters) -> QuerySet[Payment]:
    """The API's payment list: visible rows narrowed by the given filters."""
    qs = visible_to(Payment.objects.select_related("account"), user, prefix="account__")
    qs = filter_given(qs, filters, {**_COMMON_LOOKUPS, "method": "method"})
    return ordered(_within(qs, "received_at", filters.received_from, filters.received_to))
