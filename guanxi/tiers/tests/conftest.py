"""Fixtures for the tier engine tests: a small scheme built from rule dicts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.tiers.models import Tier, TierCondition, TierPolicy, TierScheme
from tests.support import make_transaction


def build_scheme(code: str, tiers: list[tuple[str, list[dict]]], *, active: bool = True, **kw):
    """tiers: [(tier code, [condition dicts as in rules.py])] in rank order."""
    scheme = TierScheme.objects.create(code=code, name=code, is_active=active, **kw)
    for rank, (tier_code, conditions) in enumerate(tiers, start=1):
        tier = Tier.objects.create(scheme=scheme, code=tier_code, name=tier_code, rank=rank)
        for c in conditions:
            TierCondition.objects.create(
                tier=tier,
                metric=c["metric"],
                min_value=c.get("min"),
                max_value=c.get("max"),
                values=c.get("values", []),
            )
    return scheme


def tier(scheme: TierScheme, code: str) -> Tier:
    return Tier.objects.get(scheme=scheme, code=code)


def policy(scheme: TierScheme, code: str, **fields) -> TierPolicy:
    return TierPolicy.objects.create(tier=tier(scheme, code), **fields)


def local(y, m, d, hh=12, mm=0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm))


def spend(account, *amounts, when: dt.datetime, heads: int | None = None):
    for amount in amounts:
        make_transaction(account=account, amount=Decimal(str(amount)), when=when, head_count=heads)


@pytest.fixture
def spend_scheme(db):
    """gold: month_spend >= 1000; silver: month_spend >= 100; no catch-all."""
    return build_scheme(
        "spend",
        [
            ("gold", [{"metric": "month_spend", "min": Decimal("1000")}]),
            ("silver", [{"metric": "month_spend", "min": Decimal("100")}]),
        ],
    )
