"""Shared by the activities tests. Policy-engine fixtures are prefixed ``policy_``.

`policy_scheme`: an active service scheme with two tiers and the seed's kind of privileges:
- A (A品质 / "A quality"): call every 3 days, visit every 10, ¥100 birthday and anniversary
  gifts prepared 3 days ahead, a banquet every 3 months hosted by the GM at ¥700 a table,
  a ¥2000 yearly trip, the VIP WeChat group;
- B (B品质 / "B quality"): call every 7 days, visit every 30; nothing else.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.tiers.models import AccountTier, GreetingRole, Tier, TierPolicy, TierScheme
from guanxi.touchpoints.models import Touchpoint

VIP_GROUP = "VIP WeChat group"


def policy_local(y: int, m: int, d: int, hh: int = 12, mm: int = 0) -> dt.datetime:
    """A wall-clock time in Shanghai, as an aware datetime."""
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm))


def policy_put_in_tier(account, tier: Tier, since: dt.date) -> AccountTier:
    """Give ``account`` ``tier`` in its scheme from ``since`` (what a tiering run would do)."""
    row, _ = AccountTier.objects.update_or_create(
        account=account,
        scheme=tier.scheme,
        defaults={"tier": tier, "computed_tier": tier, "since": since, "evaluated_on": since},
    )
    return row


def policy_touch(account, kind: str, when: dt.datetime, cost: str | None = None) -> Touchpoint:
    """A touchpoint written directly (an import, say), bypassing touchpoint_log."""
    return Touchpoint.objects.create(
        account=account, kind=kind, occurred_at=when, cost=None if cost is None else Decimal(cost)
    )


@pytest.fixture
def policy_scheme(db) -> TierScheme:
    scheme = TierScheme.objects.create(code="service", name="服务等级", name_en="Service tiers")
    a = Tier.objects.create(scheme=scheme, code="a", name="A品质", name_en="A quality", rank=1)
    b = Tier.objects.create(scheme=scheme, code="b", name="B品质", name_en="B quality", rank=2)
    TierPolicy.objects.create(
        tier=a,
        call_every_days=3,
        visit_every_days=10,
        birthday_gift_value=Decimal("100.00"),
        anniversary_gift_value=Decimal("100.00"),
        gift_lead_days=3,
        banquet_every_months=3,
        banquet_budget_per_table=Decimal("700.00"),
        banquet_host_role=GreetingRole.GENERAL_MANAGER,
        trip_budget_per_person=Decimal("2000.00"),
        groups=[VIP_GROUP],
    )
    TierPolicy.objects.create(tier=b, call_every_days=7, visit_every_days=30)
    return scheme


@pytest.fixture
def policy_a(policy_scheme) -> Tier:
    return policy_scheme.tiers.get(code="a")


@pytest.fixture
def policy_b(policy_scheme) -> Tier:
    return policy_scheme.tiers.get(code="b")
