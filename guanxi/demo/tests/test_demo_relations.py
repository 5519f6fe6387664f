"""The demo after its first nightly run: the restaurant's monthly tiers form a pyramid of its
members, a few discounts wait for review, the owners' touchpoints feed cost to serve, and every
KAM opens Today with overdue and due tasks and birthdays this week."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Max

from guanxi.accounts.models import Account
from guanxi.activities.models import Task, TaskKind, TaskStatus
from guanxi.contacts.models import Contact
from guanxi.core.models import JobRun, JobStatus, Role, User
from guanxi.demo.relations import MEMBER_TAG, RelationsPlanner, month_window, tier_categories
from guanxi.demo.services import (
    demo_build,
    demo_nightly,
    demo_nightly_due,
    demo_tier_history_days,
)
from guanxi.insights.models import AccountScore
from guanxi.tiers.models import AccountTier, DiscountReview, Metric, TierChange, TierScheme
from guanxi.tiers.presets import PRESETS
from guanxi.touchpoints.models import Touchpoint
from guanxi.transactions.models import Transaction

AS_OF = dt.date(2026, 6, 30)  # the tiers' month: May 2026
N = 150
SEED = 2026


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo_build(accounts=N, seed=SEED, as_of=AS_OF)
        summary = demo_nightly(as_of=AS_OF)
        yield summary
        transaction.set_rollback(True)


def tiers_of(scheme: str) -> Counter:
    return Counter(
        AccountTier.objects.filter(scheme__code=scheme, tier__isnull=False).values_list(
            "tier__code", flat=True
        )
    )


def test_the_schemes_are_loaded_and_the_restaurant_one_is_for_members(demo, db):
    active = dict(TierScheme.objects.filter(purpose="tiers").values_list("code", "is_active"))
    assert active == {"restaurant-monthly": True, "clp-levels": True, "pyramid": False}
    scheme = TierScheme.objects.get(code="restaurant-monthly")
    for tier in scheme.tiers.all():
        tags = tier.conditions.filter(metric=Metric.TAG)
        assert [c.values for c in tags] == [[MEMBER_TAG]], tier
    assert JobRun.objects.get(name="nightly").status == JobStatus.SUCCEEDED
    assert list(demo["steps"]) == [
        "ledger_rollups", "agreements_expire", "rebate_accruals", "analytics", "agreement_facts",
        "tiering", "discount_reviews", "policy_tasks", "survey_yearly", "survey_events",
        "relationship_health", "renewal_risk", "warning_lights", "loyalty_matrix",
        "referral_asks", "odds_train", "duplicates_find", "dashboard_snapshots",
        "ledger_partitions",
    ]  # fmt: skip


def test_the_restaurant_tiers_form_a_pyramid_of_members(demo, db):
    counts = tiers_of("restaurant-monthly")
    a = counts["a-quality"] + counts["a-active"]
    b = counts["b-quality"] + counts["b-active"]
    c = counts["c-quality"] + counts["c-active"]
    assert all(counts[t] for t in ("a-quality", "a-active", "b-quality", "b-active",
                                   "c-quality", "c-active")), counts  # fmt: skip
    # of 300 accounts about 12 A, 25 B, 50 C: the same shares of these 150
    assert 0.03 * N <= a <= 0.06 * N and 0.06 * N <= b <= 0.11 * N and 0.13 * N <= c <= 0.22 * N
    assert a < b < c
    members = set(Account.objects.filter(tags__name=MEMBER_TAG).values_list("id", flat=True))
    tiered = set(
        AccountTier.objects.filter(
            scheme__code="restaurant-monthly", tier__isnull=False
        ).values_list("account_id", flat=True)
    )
    assert tiered < members  # every tiered account is a member; lapsed members have no tier
    clp = tiers_of("clp-levels")
    assert sum(clp.values()) == N and clp["strategic"] < clp["value"] < clp["standard"]


def test_a_members_month_decides_its_tier(demo, db):
    tier = AccountTier.objects.filter(
        scheme__code="restaurant-monthly", tier__code="a-quality"
    ).first()
    assert tier is not None
    # the values stored are those of the month before the account reached the tier
    first, last = month_window(tier.since)
    metrics = tier.metrics
    assert int(metrics["month_visits"]) >= 6 and Decimal(str(metrics["month_spend"])) >= 5000
    may = Transaction.objects.filter(
        account=tier.account, occurred_at__date__gte=first, occurred_at__date__lte=last
    )
    counted = tier_categories()
    if counted is not None:  # the scheme counts its categories only: meals, not room nights
        may = may.filter(category__code__in=counted)
    assert may.count() == int(metrics["month_visits"])


def test_most_discounts_respect_the_floor_and_a_few_wait_for_review(demo, db):
    discounted = Transaction.objects.filter(discount_rate__lt=1)
    reviews = DiscountReview.objects.select_related("transaction")
    assert discounted.count() > 200
    assert 3 <= reviews.count() <= 0.05 * discounted.count()
    for review in reviews:
        assert review.discount_rate < review.floor
        assert review.transaction.category.code == "fnb"
        assert review.transaction.occurred_at.date() >= month_window(AS_OF)[0]


def test_touchpoints_are_logged_by_the_owners_with_costs(demo, db):
    kinds = Counter(Touchpoint.objects.values_list("kind", flat=True))
    for kind in ("call", "visit", "wechat", "gift", "banquet", "greeting", "trip", "group_invite"):
        assert kinds[kind], kind
    assert kinds["call"] > kinds["visit"] > kinds["banquet"]
    sample = Touchpoint.objects.select_related("account").order_by("id")[:200]
    assert all(t.logged_by_id == t.account.owner_id for t in sample)
    assert not Touchpoint.objects.filter(kind__in=["gift", "banquet", "trip"], cost=None).exists()
    assert not Touchpoint.objects.filter(occurred_at__date__gte=AS_OF).exists()
    # cost to serve reaches the analysis
    assert AccountScore.objects.filter(cost_to_serve__gt=0).count() >= N // 3


def test_some_accounts_are_neglected_beyond_their_cadence(demo, db):
    """Members are called every 3 (A), 5 (B) or 7 (C) days; most are, a few are not."""
    last_call = dict(
        Touchpoint.objects.filter(kind="call")
        .values_list("account_id")
        .annotate(last=Max("occurred_at"))
        .values_list("account_id", "last")
    )
    cadence = {"a": 3, "b": 5, "c": 7}
    late = kept = 0
    for account_id, code in AccountTier.objects.filter(
        scheme__code="restaurant-monthly", tier__isnull=False
    ).values_list("account_id", "tier__code"):
        last = last_call.get(account_id)
        if last is None or (AS_OF - last.date()).days > cadence[code[0]] + 1:
            late += 1
        else:
            kept += 1
    assert late >= 1 and kept > 3 * late
    calls = Task.objects.filter(kind=TaskKind.CALL, status=TaskStatus.OPEN)
    overdue = calls.filter(due_date__lt=AS_OF)
    assert overdue.exists() and overdue.count() < calls.count() / 4


def test_every_kam_opens_today_with_overdue_and_due_tasks(demo, db):
    week = AS_OF + dt.timedelta(days=7)
    kams = User.objects.filter(role=Role.KAM, owned_accounts__isnull=False).distinct()
    assert kams.count() >= 6
    for kam in kams:
        open_tasks = Task.objects.filter(assignee=kam, status=TaskStatus.OPEN)
        assert open_tasks.filter(due_date__lte=week).exists(), kam
    due = Task.objects.filter(status=TaskStatus.OPEN)
    assert due.filter(due_date__lt=AS_OF).exists()
    assert due.filter(due_date__gte=AS_OF, due_date__lte=week).exists()
    # birthdays this week, with a gift task for them
    soon = [AS_OF + dt.timedelta(days=d) for d in range(1, 8)]
    birthdays = Contact.objects.filter(
        is_active=True,
        birthday__isnull=False,
        account__tiers__tier__policy__birthday_gift_value__isnull=False,
    ).distinct()
    this_week = [c for c in birthdays if (c.birthday.month, c.birthday.day) in
                 {(d.month, d.day) for d in soon}]  # fmt: skip
    assert len(this_week) >= 3
    gifts = Task.objects.filter(kind=TaskKind.BIRTHDAY_GIFT, status=TaskStatus.OPEN)
    assert set(gifts.values_list("contact_id", flat=True)) >= {c.pk for c in this_week}


def test_the_demo_opens_with_half_a_year_of_restaurant_tier_moves(demo, db):
    """Tiered as of the first of each of the last six months, then today: the restaurant's members
    move up and down month to month, and first assignments lie months back."""
    assert [h["as_of"] for h in demo["history"]] == [dt.date(2026, m, 1) for m in range(1, 7)]
    changes = TierChange.objects.filter(scheme__code="restaurant-monthly").select_related(
        "from_tier", "to_tier"
    )
    months = {c.effective_on.replace(day=1) for c in changes}
    assert len(months) >= 4
    moves = [c for c in changes if c.from_tier_id and c.to_tier_id]
    downgrades = [c for c in moves if c.to_tier.rank > c.from_tier.rank]
    upgrades = [c for c in moves if c.to_tier.rank < c.from_tier.rank]
    assert downgrades and upgrades
    first = changes.filter(from_tier=None).order_by("effective_on").first()
    assert first.effective_on == dt.date(2026, 1, 1)
    # the moves of the last week are this month's, not every account's first tier
    week = TierChange.objects.filter(effective_on__gt=AS_OF - dt.timedelta(days=7))
    assert week.count() < AccountTier.objects.filter(tier__isnull=False).count() / 4
    # a tier's since is when the account reached it, months back for some
    assert AccountTier.objects.filter(
        scheme__code="restaurant-monthly", tier__isnull=False, since__lt=dt.date(2026, 6, 1)
    ).exists()


def test_the_tier_history_is_six_months_of_first_days_before_today():
    assert demo_tier_history_days(dt.date(2026, 11, 24)) == [
        dt.date(2026, m, 1) for m in range(6, 12)
    ]
    assert demo_tier_history_days(dt.date(2026, 3, 1)) == [
        dt.date(2025, 9, 1), dt.date(2025, 10, 1), dt.date(2025, 11, 1), dt.date(2025, 12, 1),
        dt.date(2026, 1, 1), dt.date(2026, 2, 1),
    ]  # fmt: skip


def test_a_second_nightly_run_on_the_same_day_changes_nothing(demo, db):
    assert not demo_nightly_due() or JobRun.objects.filter(name="nightly").exists()
    tasks = Task.objects.count()
    again = demo_nightly(as_of=AS_OF)
    assert again["steps"]["tiering"]["changes"] == 0
    assert again["steps"]["discount_reviews"]["flagged"] == 0
    assert again["steps"]["policy_tasks"]["created"] == 0
    assert again["steps"]["policy_tasks"]["written"] == 0
    assert Task.objects.count() == tasks


def test_the_relations_are_deterministic_and_leave_the_hotel_rows_alone():
    from guanxi.demo.generator import DemoGenerator

    def plan(seed):
        return DemoGenerator(accounts=30, seed=seed, as_of=AS_OF).generate()

    one, two = plan(5), plan(5)
    assert [(t.kind, t.occurred_at, t.cost) for t in one.touchpoints] == [
        (t.kind, t.occurred_at, t.cost) for t in two.touchpoints
    ]
    # without the relations pass the hotel's rows are the same ones
    original = RelationsPlanner.plan
    try:
        RelationsPlanner.plan = lambda self, *a: []
        bare = plan(5)
    finally:
        RelationsPlanner.plan = original
    hotel = {(t.account_idx, t.occurred_at, t.amount) for t in bare.transactions}
    assert hotel <= {(t.account_idx, t.occurred_at, t.amount) for t in one.transactions}


@pytest.mark.skipif(
    not {"lifecycle-004", "lifecycle-001"} <= set(PRESETS), reason="lifecycle presets not there yet"
)
def test_the_lifecycle_stage_sets_are_active_with_months_of_stage_history(demo, db):
    lifecycles = dict(
        TierScheme.objects.filter(purpose="lifecycle").values_list("code", "is_active")
    )
    assert lifecycles == {"lifecycle-004": True, "lifecycle-001": True}
    for code in lifecycles:
        stages = Counter(
            AccountTier.objects.filter(scheme__code=code, tier__isnull=False).values_list(
                "tier__code", flat=True
            )
        )
        assert sum(stages.values()) == Account.objects.count(), code  # every account has one
        assert len(stages) >= 3, (code, stages)
        changes = TierChange.objects.filter(scheme__code=code)
        # first stages from the first month of history, moves in the months after
        assert changes.filter(from_tier=None, effective_on=dt.date(2026, 1, 1)).exists(), code
        assert changes.filter(
            from_tier__isnull=False, effective_on__gt=dt.date(2026, 1, 1)
        ).exists()
