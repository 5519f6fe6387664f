"""A small book of accounts with known buying patterns, shared by the insights tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.support import make_account, make_transaction

AS_OF = dt.date(2026, 6, 30)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def buy(account, day: dt.date, amount: str = "1000.00", cost: str | None = "600.00", hour=12):
    return make_transaction(
        account=account,
        amount=amount,
        when=at(day, hour),
        cost=None if cost is None else Decimal(cost),
    )


@pytest.fixture
def book(cast):
    """Twelve accounts over two years: regular buyers, lapsed ones and one-off buyers."""
    accounts = [cast.account, cast.west_account] + [
        make_account(owner=cast.alice if i % 2 else cast.charlie) for i in range(10)
    ]
    start = dt.date(2024, 7, 1)
    # Spend varies from purchase to purchase (a fixed cycle), as real bills do.
    wobble = (0.7, 1.3, 0.9, 1.6, 0.5, 1.0, 1.2)
    for i, account in enumerate(accounts):
        if i < 5:  # regular: every 3–5 weeks up to now
            day, k = start + dt.timedelta(days=i), i
            while day <= AS_OF:
                buy(account, day, amount=f"{(800 + 100 * i) * wobble[k % 7]:.2f}")
                day, k = day + dt.timedelta(weeks=3 + i % 3), k + 1
        elif i < 9:  # lapsed: regular for a year, then nothing
            day, k = start + dt.timedelta(days=i), i
            while day <= dt.date(2025, 6, 30):
                buy(account, day, amount=f"{500 * wobble[k % 7]:.2f}")
                day, k = day + dt.timedelta(weeks=2 + i % 2), k + 1
        else:  # one purchase
            buy(account, start + dt.timedelta(days=30 * i), amount="3000.00", cost=None)
    return accounts
