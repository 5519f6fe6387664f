"""The lifecycle metrics: purchases (lifetime, 12 months), tenure, days since the last purchase,
revenue trend and attitude — on local dates, with a frozen clock, set-based and within
``account_ids``; and their rules, validation and wording."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from guanxi.accounts.models import Attitude
from guanxi.tiers import metrics as tier_metrics
from guanxi.tiers import rules
from guanxi.tiers.metrics import account_metrics, whole_months
from guanxi.tiers.models import Metric
from guanxi.tiers.templatetags.tiers_tags import condition_text, metric_value
from tests.support import make_account, make_transaction

NOW = dt.datetime(2026, 7, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
AS_OF = dt.date(2026, 7, 10)
LIFECYCLE = [
    Metric.PURCHASES_LIFETIME,
    Metric.PURCHASES_12M,
    Metric.TENURE_MONTHS,
    Metric.DAYS_SINCE_PURCHASE,
    Metric.REVENUE_TREND,
    Metric.ATTITUDE,
]


def local(y, m, d, hh=12, mm=0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm))


@pytest.fixture
def accounts(cast):
    """steady: bought over three years, revenue halved this year, an advocate; newcomer: one
    purchase 30 minutes after the local midnight that starts the 12-month window; empty: none."""
    steady = make_account(owner=cast.alice, name="steady", attitude=Attitude.ADVOCATE)
    for when, amount in [
        (local(2023, 1, 5), "500"),  # before both windows: lifetime only
        (local(2024, 8, 1), "1000"),  # the 12 months before
        (local(2025, 7, 10, 23, 30), "1000"),  # last half hour of the 12 months before
        (local(2025, 7, 11, 0, 30), "300"),  # first hour of the last 12 months
        (local(2026, 7, 1, 0, 30), "700"),  # 16:30 UTC on 30 June: local date 1 July
        (local(2026, 7, 11, 9), "5000"),  # after as_of: not counted
    ]:
        make_transaction(account=steady, amount=amount, when=when)
    newcomer = make_account(owner=cast.alice, name="newcomer")
    # 00:30 local on 11 July 2025 is 16:30 UTC on 10 July: the local date decides.
    make_transaction(account=newcomer, amount="800", when=local(2025, 7, 11, 0, 30))
    empty = make_account(owner=cast.alice, name="empty")
    return steady, newcomer, empty


@time_machine.travel(NOW, tick=False)
def test_lifecycle_metrics_are_computed_on_local_dates(accounts):
    steady, newcomer, empty = accounts
    values = account_metrics(as_of=AS_OF, metrics=LIFECYCLE)
    assert values[steady.pk] == {
        "purchases_lifetime": 5,
        "purchases_12m": 2,
        "tenure_months": 42,  # 5 Jan 2023 → 10 Jul 2026
        "days_since_purchase": 9,  # 1 July local, not 30 June UTC
        "revenue_trend": Decimal("-50.00"),  # 1,000 this year vs 2,000 the year before
        "attitude": "advocate",
    }
    assert values[newcomer.pk] == {
        "purchases_lifetime": 1,
        "purchases_12m": 1,
        "tenure_months": 11,  # local 11 July 2025: not yet a year (UTC would say 12)
        "days_since_purchase": 364,
        "revenue_trend": None,  # nothing the year before: no percentage of zero
        "attitude": None,  # not recorded
    }
    assert values[empty.pk] == {
        "purchases_lifetime": 0,
        "purchases_12m": 0,
        "tenure_months": None,
        "days_since_purchase": None,
        "revenue_trend": None,
        "attitude": None,
    }


@time_machine.travel(NOW, tick=False)
def test_lifecycle_metrics_read_only_the_asked_accounts_and_the_big_list_path(
    accounts, monkeypatch
):
    steady, newcomer, empty = accounts
    few = account_metrics(as_of=AS_OF, metrics=LIFECYCLE, account_ids=[newcomer.pk])
    assert set(few) == {newcomer.pk} and few[newcomer.pk]["purchases_lifetime"] == 1
    monkeypatch.setattr(tier_metrics, "MAX_IN", 1)  # too many ids for an IN list
    many = account_metrics(as_of=AS_OF, metrics=LIFECYCLE, account_ids=[steady.pk, empty.pk])
    assert set(many) == {steady.pk, empty.pk}
    assert many[steady.pk]["revenue_trend"] == Decimal("-50.00")


@time_machine.travel(NOW, tick=False)
def test_revenue_trend_in_one_query_with_the_other_twelve_month_figures(
    accounts, django_assert_num_queries
):
    steady, _newcomer, _empty = accounts
    wanted = [Metric.REVENUE_12M, Metric.PURCHASES_12M, Metric.REVENUE_TREND]
    with django_assert_num_queries(2):  # the accounts, then one GROUP BY for the family
        values = account_metrics(as_of=AS_OF, metrics=wanted)
    assert values[steady.pk] == {
        "revenue_12m": Decimal("1000.00"),
        "purchases_12m": 2,
        "revenue_trend": Decimal("-50.00"),
    }


@time_machine.travel(NOW, tick=False)
def test_trend_rises_and_days_count_from_an_earlier_as_of(cast):
    account = make_account(owner=cast.alice, name="growing")
    make_transaction(account=account, amount="100", when=local(2025, 1, 10))
    make_transaction(account=account, amount="250", when=local(2026, 1, 10))
    values = account_metrics(as_of=dt.date(2026, 3, 1), metrics=LIFECYCLE)[account.pk]
    assert values["revenue_trend"] == Decimal("150.00")
    assert values["days_since_purchase"] == 50 and values["tenure_months"] == 13


def test_whole_months_step_to_the_end_of_a_shorter_month():
    assert whole_months(dt.date(2026, 1, 31), dt.date(2026, 2, 28)) == 1
    assert whole_months(dt.date(2026, 1, 31), dt.date(2026, 2, 27)) == 0
    assert whole_months(dt.date(2025, 7, 11), dt.date(2026, 7, 10)) == 11
    assert whole_months(dt.date(2025, 7, 10), dt.date(2026, 7, 10)) == 12
    assert whole_months(dt.date(2026, 7, 10), dt.date(2026, 7, 10)) == 0


def test_attitude_is_a_choice_metric_checked_against_its_values():
    ok = rules.validate_scheme(
        [[{"metric": "attitude", "min": None, "max": None, "values": ["advocate"]}]], ["fan"]
    )
    assert ok == []
    bad = rules.validate_scheme(
        [[{"metric": "attitude", "min": None, "max": None, "values": ["fanatic"]}]], ["fan"]
    )
    assert len(bad) == 1 and "fanatic" in bad[0]
    cond = {"metric": "attitude", "values": ["advocate", "positive"]}
    assert rules.condition_holds(cond, "positive") and not rules.condition_holds(cond, None)
    column = rules.to_columns([{"attitude": "advocate"}, {"attitude": None}], ["attitude"])
    assert rules.first_match_columns([[cond]], column, 2).tolist() == [0, -1]


def test_numeric_lifecycle_conditions_hold_in_both_evaluation_paths():
    trend = {"metric": "revenue_trend", "min": None, "max": Decimal("-30"), "values": []}
    rows = [{"revenue_trend": Decimal("-50")}, {"revenue_trend": Decimal("-10")}, {}]
    columns = rules.to_columns(rows, ["revenue_trend"])
    assert rules.first_match_columns([[trend]], columns, 3).tolist() == [0, -1, -1]
    assert [rules.first_match([[trend]], r) for r in rows] == [0, None, None]


def test_new_metrics_read_as_words(english):
    assert condition_text({"metric": "revenue_trend", "max": Decimal("-30")}) == (
        "revenue trend vs the 12 months before < −30%"
    )
    assert condition_text({"metric": "tenure_months", "min": Decimal("12")}) == (
        "months since the first purchase ≥ 12"
    )
    assert condition_text({"metric": "attitude", "values": ["advocate"]}) == (
        "attitude is Advocate"
    )
    assert metric_value(12.4, "revenue_trend") == "+12%"
    assert metric_value(-45.0, "revenue_trend") == "−45%"
    assert metric_value(3, "purchases_12m") == "3"
