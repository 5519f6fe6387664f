"""Combining the policies of an account's tiers across active schemes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from guanxi.tiers.models import AccountTier
from guanxi.tiers.selectors import effective_policies, effective_policy
from guanxi.tiers.tests.conftest import build_scheme, policy, tier
from guanxi.transactions.models import ProductCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_schemes(cast):
    monthly = build_scheme("monthly", [("a", [{"metric": "month_visits", "min": 6}]), ("b", [])])
    strategic = build_scheme("strategic", [("s1", [{"metric": "clv", "min": 1}]), ("s2", [])])
    drinks = ProductCategory.objects.create(code="drinks", name="酒水")
    seafood = ProductCategory.objects.create(code="seafood", name="海鲜")
    pa = policy(
        monthly,
        "a",
        call_every_days=3,
        visit_every_days=10,
        greeting_role="general_manager",
        birthday_gift_value=D("100"),
        banquet_every_months=6,
        banquet_budget_per_table=D("700"),
        banquet_host_role="general_manager",
        groups=["VIP"],
        discount_floor=D("0.850"),
    )
    pa.discount_exclusions.set([drinks, seafood])
    policy(
        strategic,
        "s2",
        call_every_days=14,
        visit_every_days=7,
        greeting_role="store_manager",
        birthday_gift_value=D("300"),
        banquet_every_months=3,
        banquet_budget_per_table=D("500"),
        trip_budget_per_person=D("800"),
        groups=["VIP", "Golf"],
        discount_floor=D("0.900"),
    )
    for scheme, code in [(monthly, "a"), (strategic, "s2")]:
        t = tier(scheme, code)
        AccountTier.objects.create(account=cast.account, scheme=scheme, tier=t, computed_tier=t)
    return monthly, strategic, drinks, seafood


def test_combination_rules_and_drivers(cast, two_schemes):
    monthly, strategic, drinks, seafood = two_schemes
    a, s2 = tier(monthly, "a"), tier(strategic, "s2")
    p = effective_policy(cast.account)
    assert set(p.tiers) == {a, s2}
    assert (p.call_every_days, p.driver["call_every_days"]) == (3, a)
    assert (p.visit_every_days, p.driver["visit_every_days"]) == (7, s2)
    assert (p.birthday_gift_value, p.driver["birthday_gift_value"]) == (D("300"), s2)
    assert (p.banquet_every_months, p.driver["banquet_every_months"]) == (3, s2)
    assert (p.banquet_budget_per_table, p.driver["banquet_budget_per_table"]) == (D("700"), a)
    assert p.trip_budget_per_person == D("800")
    assert p.groups == ("VIP", "Golf")
    # both rank 1? no: a is rank 1, s2 rank 2 → the greeting comes from a
    assert (p.greeting_role, p.driver["greeting_role"]) == ("general_manager", a)
    assert p.banquet_host_role == "general_manager"
    # discount floor per category
    other = ProductCategory.objects.create(code="rooms-x", name="客房")
    assert (p.floor_for(other.pk).floor, p.floor_for(other.pk).tier) == (D("0.850"), a)
    assert (p.floor_for(drinks.pk).floor, p.floor_for(drinks.pk).tier) == (D("0.900"), s2)
    assert p.discount_floor == D("0.850")


def test_a_category_excluded_by_every_floor_allows_no_discount(cast, two_schemes):
    monthly, strategic, drinks, seafood = two_schemes
    tier(strategic, "s2").policy.discount_exclusions.set([drinks])
    p = effective_policy(cast.account)
    floor = p.floor_for(drinks.pk)
    assert floor.floor == D("1.000") and floor.category_excluded
    assert p.floor_for(seafood.pk).floor == D("0.900")


def test_inactive_schemes_and_expired_overrides_do_not_count(cast, two_schemes):
    monthly, strategic, *_ = two_schemes
    strategic.is_active = False
    strategic.save()
    assert effective_policy(cast.account).visit_every_days == 10
    # an override past its end no longer grants its tier, even before the nightly run
    row = AccountTier.objects.get(account=cast.account, scheme=monthly)
    row.computed_tier = tier(monthly, "b")
    row.override_tier = row.tier
    row.override_until = dt.date(2026, 1, 31)
    row.save()
    assert effective_policy(cast.account, on=dt.date(2026, 1, 31)).visit_every_days == 10
    p = effective_policy(cast.account, on=dt.date(2026, 2, 1))
    assert p.tiers == (tier(monthly, "b"),) and p.visit_every_days is None


def test_accounts_without_tiers_are_absent_and_combos_are_shared(cast, two_schemes):
    monthly, strategic, *_ = two_schemes
    t = tier(monthly, "a")
    AccountTier.objects.create(account=cast.west_account, scheme=monthly, tier=t, computed_tier=t)
    from tests.support import make_account

    lone = make_account(owner=cast.alice)
    policies = effective_policies()
    assert lone.pk not in policies
    assert policies[cast.west_account.pk].visit_every_days == 10
    only = effective_policies([cast.west_account.pk])
    assert list(only) == [cast.west_account.pk]
    assert effective_policy(lone).tiers == ()
