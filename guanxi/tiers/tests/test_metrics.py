"""Account metrics: windows in local time, set-based aggregates, analytics-derived values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from guanxi.insights.models import AccountScore, AnalysisRun, RunStatus
from guanxi.tiers.metrics import account_metrics, month_window, percentile_ranks
from guanxi.tiers.tests.conftest import local
from guanxi.touchpoints.models import Touchpoint
from tests.support import make_account, make_transaction

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 7, 5)


def test_month_window_is_the_last_complete_month():
    assert month_window(dt.date(2026, 7, 5)) == (dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    assert month_window(dt.date(2026, 7, 1)) == (dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    assert month_window(dt.date(2026, 3, 31)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert month_window(dt.date(2026, 1, 15)) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))


def test_month_boundaries_are_local_midnight(cast):
    account = cast.account
    make_transaction(account=account, amount="100", when=local(2026, 6, 30, 23, 30))  # in
    make_transaction(account=account, amount="10", when=local(2026, 7, 1, 0, 10))  # next month
    make_transaction(account=account, amount="1000", when=local(2026, 6, 1, 0, 10))  # in
    make_transaction(account=account, amount="5", when=local(2026, 5, 31, 23, 30))  # before
    values = account_metrics(as_of=AS_OF, metrics={"month_visits", "month_spend"})
    assert values[account.pk] == {"month_visits": 2, "month_spend": D("1100.00")}
    # accounts without transactions get zeros, not a missing key
    assert values[cast.west_account.pk] == {"month_visits": 0, "month_spend": D("0.00")}


def test_the_time_zone_decides_the_month(cast, settings):
    shanghai = ZoneInfo("Asia/Shanghai")
    # 00:30 on 1 July in Shanghai is 16:30 on 30 June in UTC.
    when = dt.datetime(2026, 7, 1, 0, 30, tzinfo=shanghai)
    make_transaction(account=cast.account, amount="100", when=when)
    settings.TIME_ZONE = "Asia/Shanghai"
    assert account_metrics(as_of=AS_OF, metrics={"month_visits"})[cast.account.pk] == {
        "month_visits": 0
    }
    settings.TIME_ZONE = "UTC"
    assert timezone.get_current_timezone_name() == "UTC"
    assert account_metrics(as_of=AS_OF, metrics={"month_visits"})[cast.account.pk] == {
        "month_visits": 1
    }


def test_per_head_uses_visits_with_a_head_count(cast):
    a = cast.account
    make_transaction(account=a, amount="800", when=local(2026, 6, 3), head_count=10)
    make_transaction(account=a, amount="700", when=local(2026, 6, 4), head_count=5)
    make_transaction(account=a, amount="999", when=local(2026, 6, 5))  # no head count
    values = account_metrics(as_of=AS_OF, metrics={"month_per_head", "month_spend", "month_visits"})
    assert values[a.pk]["month_per_head"] == D("100.00")  # 1500 / 15
    assert values[a.pk]["month_spend"] == D("2499.00")
    assert values[a.pk]["month_visits"] == 3
    assert values[cast.west_account.pk]["month_per_head"] is None


def test_revenue_profit_and_lifetime(cast):
    a = cast.account
    make_transaction(account=a, amount="1000", cost="300", when=local(2026, 7, 5, 23, 0))
    make_transaction(account=a, amount="500", when=local(2025, 7, 6, 0, 5))  # first day of 365
    make_transaction(account=a, amount="50", when=local(2025, 7, 5, 23, 0))  # lifetime only
    make_transaction(account=a, amount="7", when=local(2026, 7, 6, 0, 5))  # after as_of
    Touchpoint.objects.create(account=a, kind="gift", occurred_at=local(2026, 3, 1), cost=D("120"))
    Touchpoint.objects.create(account=a, kind="gift", occurred_at=local(2025, 1, 1), cost=D("99"))
    values = account_metrics(
        as_of=AS_OF, metrics={"revenue_12m", "profit_12m", "revenue_lifetime"}
    )[a.pk]
    assert values == {
        "revenue_12m": D("1500.00"),
        "profit_12m": D("1080.00"),  # 1500 - 300 cost of goods - 120 cost to serve
        "revenue_lifetime": D("1550.00"),
    }


def test_only_requested_accounts(cast):
    values = account_metrics(as_of=AS_OF, metrics={"month_visits"}, account_ids=[cast.account.pk])
    assert list(values) == [cast.account.pk]


def test_unknown_metric_is_an_error(cast):
    with pytest.raises(ValueError):
        account_metrics(as_of=AS_OF, metrics={"nope"})


def _score(run, account, clv, clp, segment="Champions", abc="A"):
    return AccountScore.objects.create(
        run=run,
        account=account,
        frequency=1,
        recency=1,
        age=1,
        periods_since_last=0,
        monetary=D("1"),
        total_revenue=D("1"),
        total_cost=D("0"),
        r_score=5,
        f_score=5,
        m_score=5,
        rfm_cell="555",
        segment=segment,
        abc_class=abc,
        revenue_rank=1,
        clv=clv,
        p_alive=0.9,
        cost_to_serve=D("0"),
        historic_clp=D("1"),
        predictive_clp=clp,
    )


def test_analytics_metrics_from_the_latest_successful_run(cast):
    third = make_account(owner=cast.alice)
    old = AnalysisRun.objects.create(
        status=RunStatus.SUCCEEDED, observation_end=dt.date(2026, 5, 31)
    )
    _score(old, cast.account, D("1"), D("1"), abc="C")
    run = AnalysisRun.objects.create(
        status=RunStatus.SUCCEEDED, observation_end=dt.date(2026, 6, 30)
    )
    AnalysisRun.objects.create(status=RunStatus.FAILED, observation_end=dt.date(2026, 7, 1))
    _score(run, cast.account, D("900"), D("50"))
    _score(run, cast.west_account, D("100"), D("500"), segment="Lost", abc="C")
    wanted = {"clv", "clv_percentile", "clp_percentile", "abc_class", "rfm_segment", "p_alive"}
    values = account_metrics(as_of=AS_OF, metrics=wanted)
    assert values[cast.account.pk]["clv"] == D("900.00")
    assert values[cast.account.pk]["abc_class"] == "A"
    assert values[cast.account.pk]["clv_percentile"] == 100.0
    assert values[cast.account.pk]["clp_percentile"] == 0.0
    assert values[cast.west_account.pk]["rfm_segment"] == "Lost"
    assert values[cast.west_account.pk]["clp_percentile"] == 100.0
    # not scored → no data
    assert values[third.pk]["clv"] is None and values[third.pk]["clv_percentile"] is None


def test_percentile_ranks():
    ranks = percentile_ranks({i: i for i in range(1, 101)})
    assert ranks[100] == 100.0 and ranks[1] == 0.0
    assert sum(1 for v in ranks.values() if v >= 99) == 1
    assert sum(1 for v in ranks.values() if v >= 95) == 5
    assert percentile_ranks({7: 3}) == {7: 100.0}
    assert percentile_ranks({1: 5, 2: 5, 3: 1}) == {1: 50.0, 2: 50.0, 3: 0.0}


def test_account_type_and_tags(cast):
    from guanxi.accounts.models import Tag

    cast.account.tags.add(Tag.objects.create(name="VIP"))
    values = account_metrics(as_of=AS_OF, metrics={"tag", "account_type"})
    assert values[cast.account.pk] == {"tag": frozenset({"VIP"}), "account_type": "corporate"}
    assert values[cast.west_account.pk]["tag"] == frozenset()


def test_many_requested_accounts_are_filtered_without_an_in_list(cast, monkeypatch):
    from guanxi.tiers import metrics

    monkeypatch.setattr(metrics, "MAX_IN", 1)
    make_transaction(account=cast.account, amount="100", when=local(2026, 6, 3))
    ids = [cast.account.pk, make_account(owner=cast.alice).pk]
    values = account_metrics(as_of=AS_OF, metrics={"month_spend", "tag"}, account_ids=iter(ids))
    assert sorted(values) == sorted(ids)
    assert values[cast.account.pk]["month_spend"] == D("100.00")
