"""The three shipped schemes: valid, idempotent, and they do what the seed says."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from guanxi.core.errors import InvalidInput
from guanxi.tiers.models import (
    AccountTier,
    Tier,
    TierCondition,
    TierPolicy,
    TierScheme,
)
from guanxi.tiers.presets import PRESETS, preset_rules
from guanxi.tiers.rules import first_match, validate_scheme
from guanxi.tiers.selectors import rules_for_scheme
from guanxi.tiers.services import scheme_load_preset, tiering_run
from guanxi.tiers.tests.conftest import local, spend
from guanxi.transactions.models import ProductCategory

pytestmark = pytest.mark.django_db


def _counts():
    return (
        TierScheme.objects.count(),
        Tier.objects.count(),
        TierCondition.objects.count(),
        TierPolicy.objects.count(),
        ProductCategory.objects.count(),
    )


@pytest.mark.parametrize("code", list(PRESETS))
def test_presets_validate_cleanly(code):
    names, rules = preset_rules(code)
    assert validate_scheme(rules, names) == []


@pytest.mark.parametrize("code", list(PRESETS))
def test_loading_is_idempotent_and_inactive(code):
    scheme = scheme_load_preset(code=code)
    assert scheme.code == code and scheme.is_active is False
    tiers, rules = rules_for_scheme(scheme)
    assert validate_scheme(rules, [t.name for t in tiers]) == []
    assert len(tiers) == len(PRESETS[code]["tiers"])
    before = _counts()
    assert scheme_load_preset(code=code).pk == scheme.pk
    assert _counts() == before


def test_reloading_does_not_clobber_admin_edits():
    scheme = scheme_load_preset(code="restaurant-monthly")
    scheme.name = "我们的等级"
    scheme.is_active = True
    scheme.save()
    a = Tier.objects.get(scheme=scheme, code="a-quality")
    a.policy.call_every_days = 2
    a.policy.save()
    TierCondition.objects.filter(tier=a, metric="month_per_head").delete()
    Tier.objects.filter(scheme=scheme, code="c-active").delete()

    scheme_load_preset(code="restaurant-monthly")

    scheme.refresh_from_db()
    assert scheme.name == "我们的等级" and scheme.is_active
    a.policy.refresh_from_db()
    assert a.policy.call_every_days == 2
    assert not TierCondition.objects.filter(tier=a, metric="month_per_head").exists()
    # what was missing comes back
    c_active = Tier.objects.get(scheme=scheme, code="c-active")
    assert c_active.rank == 6 and c_active.conditions.count() == 3 and c_active.policy


def test_unknown_preset(english):
    with pytest.raises(InvalidInput, match="Unknown preset"):
        scheme_load_preset(code="nope")


def test_restaurant_policies_follow_the_seed():
    scheme = scheme_load_preset(code="restaurant-monthly")
    a = TierPolicy.objects.get(tier__scheme=scheme, tier__code="a-quality")
    assert (a.call_every_days, a.visit_every_days) == (3, 10)
    assert a.greeting_role == "general_manager" and a.banquet_budget_per_table == D("700")
    assert a.birthday_gift_value == a.anniversary_gift_value == D("100")
    assert a.discount_floor == D("0.850") and a.groups
    assert sorted(a.discount_exclusions.values_list("code", flat=True)) == [
        "banquets",
        "drinks",
        "seafood",
        "specials",
    ]
    b = TierPolicy.objects.get(tier__scheme=scheme, tier__code="b-active")
    assert (b.call_every_days, b.visit_every_days, b.discount_floor) == (5, 15, D("0.880"))
    c = TierPolicy.objects.get(tier__scheme=scheme, tier__code="c-quality")
    assert c.trip_budget_per_person == D("500") and c.discount_floor == D("0.900")
    assert c.banquet_every_months == 3 and c.banquet_budget_per_table == D("300")


@pytest.mark.parametrize(
    ("visits", "spend", "per_head", "expected"),
    [
        (6, 5000, 80, "A级品质客户"),
        (6, 5000, 79, "A级活跃客户"),
        (6, 4500, 60, "A级活跃客户"),
        (4, 3000, 60, "B级品质客户"),
        (6, 3000, 10, "B级活跃客户"),
        (4, 2500, None, "B级活跃客户"),
        (2, 1500, 50, "C级品质客户"),
        (3, 1000, 40, "C级活跃客户"),
        (3, 1000, 39, None),
        (1, 9000, 200, None),
    ],
)
def test_restaurant_thresholds(visits, spend, per_head, expected):
    names, rules = preset_rules("restaurant-monthly")
    index = first_match(
        rules,
        {
            "month_visits": visits,
            "month_spend": D(spend),
            "month_per_head": None if per_head is None else D(per_head),
        },
    )
    assert (names[index] if index is not None else None) == expected


def test_the_restaurant_scheme_tiers_the_attendance_sheet(cast):
    """刘局长 in seed 004's June sheet: 5 visits, ¥4820, 64 people → per head 75 → B quality."""
    scheme = scheme_load_preset(code="restaurant-monthly")
    scheme.is_active = True
    scheme.save()
    for day, amount, heads in [
        (2, 520, 7),
        (9, 1450, 16),
        (14, 980, 12),
        (20, 870, 12),
        (27, 1000, 17),
    ]:
        spend(cast.account, amount, when=local(2026, 6, day, 19), heads=heads)
    tiering_run(as_of=dt.date(2026, 7, 1))
    row = AccountTier.objects.get(account=cast.account, scheme=scheme)
    assert row.tier.code == "b-quality"
    assert row.metrics == {"month_per_head": 75.31, "month_spend": 4820.0, "month_visits": 5}
