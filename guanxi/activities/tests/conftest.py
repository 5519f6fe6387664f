"""Shared by the activities tests. Policy-engine fixtures are prefixed ``policy_``.

`policy_scheme`: an active service scheme with two tiers and the seed's kind of privileges:
- A (A品质 / "A quality"): call every 3 days, visit every 10, ¥100 birthday and anniversary
  gifts prepared 3 days ahead, a banquet every 3 months hosted by the GM at ¥700 a table,
  a ¥2000 yearly trip, the VIP WeChat group;
- B (B品质 / "B quality"): call every 7 days, visit every 30; nothing else.

`day`: alice's book on 15 June 2026 for Today (`frozen()` stops the clock there).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from guanxi.activities.models import Task, TaskKind, TaskSource, TaskStatus
from guanxi.contacts.models import KeyDate, KeyDateKind
from guanxi.insights.models import AccountScore, AnalysisRun, RunStatus
from guanxi.tiers.models import (
    AccountTier,
    ChangeReason,
    GreetingRole,
    Tier,
    TierChange,
    TierPolicy,
    TierScheme,
)
from guanxi.touchpoints.models import Touchpoint
from tests.support import make_account, make_contact

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


# --- Today: alice's book on 15 June 2026 --------------------------------------------------------

TODAY = dt.date(2026, 6, 15)


def frozen():
    return time_machine.travel(policy_local(2026, 6, 15, 9), tick=False)


def score(run: AnalysisRun, account, clv: str) -> AccountScore:
    return AccountScore.objects.create(
        run=run, account=account, frequency=3, recency=10, age=20, periods_since_last=1,
        monetary=Decimal("100"), total_revenue=Decimal("1000"), total_cost=Decimal("0"),
        r_score=3, f_score=3, m_score=3, rfm_cell="333", segment="champions", abc_class="A",
        revenue_rank=1, clv=Decimal(clv), cost_to_serve=Decimal("0"),
        historic_clp=Decimal("0"),
    )  # fmt: skip


def task(account, kind: str, due: dt.date, *, assignee=None, tier=None, **extra) -> Task:
    extra.setdefault("key", kind if tier is not None else "")
    return Task.objects.create(
        account=account,
        assignee=assignee or account.owner,
        kind=kind,
        title=f"{kind} {account.name}",
        due_date=due,
        source=TaskSource.POLICY if tier is not None else TaskSource.MANUAL,
        tier=tier,
        **extra,
    )


@pytest.fixture
def day(cast, policy_a, policy_b):
    """Alice's book on 15 June 2026: four accounts in different tiers with different CLVs."""
    a1 = cast.account  # A quality, CLV 52,000
    a2 = make_account(owner=cast.alice, name="A二号")  # A quality, CLV 10,000
    b = make_account(owner=cast.alice, name="B客户")  # B quality, CLV 90,000
    none = make_account(owner=cast.alice, name="无等级")  # no tier, CLV 100,000
    policy_put_in_tier(a1, policy_a, dt.date(2026, 5, 1))
    policy_put_in_tier(a2, policy_a, dt.date(2026, 5, 1))
    policy_put_in_tier(b, policy_b, dt.date(2026, 5, 1))
    run = AnalysisRun.objects.create(status=RunStatus.SUCCEEDED, observation_end=TODAY)
    for account, clv in ((a1, "52000"), (a2, "10000"), (b, "90000"), (none, "100000")):
        score(run, account, clv)
    tasks = {
        "b_visit": task(b, TaskKind.VISIT, dt.date(2026, 6, 10), tier=policy_b),
        "a1_call": task(a1, TaskKind.CALL, dt.date(2026, 6, 12), tier=policy_a),
        "none_call": task(none, TaskKind.FOLLOW_UP, dt.date(2026, 6, 1)),
        "a2_visit": task(a2, TaskKind.VISIT, TODAY, tier=policy_a),
        "a1_visit": task(a1, TaskKind.VISIT, dt.date(2026, 6, 18), tier=policy_a),
        "later": task(a1, TaskKind.FOLLOW_UP, dt.date(2026, 6, 30)),
        "done": task(
            a2, TaskKind.CALL, dt.date(2026, 6, 14), tier=policy_a, status=TaskStatus.DONE
        ),  # fmt: skip
        "west": task(cast.west_account, TaskKind.CALL, dt.date(2026, 6, 14)),
    }
    # Contact: a1 last touched 14 days ago (cadence 3 → neglected); a2 yesterday; b never.
    policy_touch(a1, "call", policy_local(2026, 6, 1))
    policy_touch(a2, "call", policy_local(2026, 6, 14))
    # Key dates in the next 7 days (and one outside, one of a contact who left).
    sun = make_contact(account=a1, name="孙立", birthday=dt.date(1980, 6, 18))
    make_contact(account=b, name="钱多", birthday=dt.date(1985, 6, 30))
    make_contact(account=b, name="离职", birthday=dt.date(1985, 6, 16), is_active=False)
    zhou = make_contact(account=b, name="周婚")
    KeyDate.objects.create(contact=zhou, kind=KeyDateKind.WEDDING, date=dt.date(2010, 6, 20),
                           label="结婚纪念日")  # fmt: skip
    make_contact(account=cast.west_account, name="西部生日", birthday=dt.date(1980, 6, 16))
    # Tier moves: b went down on 12 June; an older move is out of the window.
    TierChange.objects.create(account=b, scheme=policy_a.scheme, from_tier=policy_a,
                              to_tier=policy_b, effective_on=dt.date(2026, 6, 12),
                              reason=ChangeReason.RULES)  # fmt: skip
    TierChange.objects.create(account=a1, scheme=policy_a.scheme, from_tier=policy_b,
                              to_tier=policy_a, effective_on=dt.date(2026, 6, 1),
                              reason=ChangeReason.RULES)  # fmt: skip
    return {"a1": a1, "a2": a2, "b": b, "none": none, "sun": sun, "zhou": zhou, **tasks}
