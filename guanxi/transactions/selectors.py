"""Reads of transactions and payments, limited by the account access rule."""

from __future__ import annotations

from django.db.models import QuerySet

from guanxi.accounts.selectors import visible_to
from guanxi.core.models import User
from guanxi.transactions.models import Payment, Transaction


def transactions_visible_to(user: User | None) -> QuerySet[Transaction]:
    return visible_to(Transaction.objects.all(), user, prefix="account__")


def payments_visible_to(user: User | None) -> QuerySet[Payment]:
    return visible_to(Payment.objects.all(), user, prefix="account__")
