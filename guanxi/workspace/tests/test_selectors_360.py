"""account_360, account_rollup and dashboard_summary: totals at month and year boundaries."""

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from guanxi.contacts.services import profile_facts_update
from guanxi.transactions.models import ProductCategory
from guanxi.transactions.rollups import ledger_rollups_refresh
from guanxi.transactions.selectors import account_rollup
from guanxi.workspace.selectors import account_360, dashboard_summary
from tests.support import make_account, make_contact, make_payment, make_transaction

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


def test_totals_split_by_local_month_and_year(cast):
    a = cast.account
    make_transaction(account=a, amount="100", cost="60", when=at(2025, 1, 1, 0, 5))
    # 23:30 on 31 December in Shanghai is still last year, though already 15:30 UTC.
    make_transaction(account=a, amount="40", cost="10", when=at(2024, 12, 31, 23, 30))
    make_transaction(account=a, amount="7", when=at(2023, 6, 1, 12))  # cost unknown
    data = account_360(a, today=dt.date(2025, 1, 1))
    assert (data.month.revenue, data.month.count, data.month.margin) == (100, 1, 40)
    assert (data.year.revenue, data.year.cost) == (100, 60)
    assert (data.lifetime.revenue, data.lifetime.count) == (147, 3)
    assert data.lifetime.margin == 70  # the 7 without a cost is left out of the margin
    assert data.last_transaction_at == at(2025, 1, 1, 0, 5)


def test_month_boundary_at_the_end_of_the_month(cast):
    make_transaction(account=cast.account, amount="5", when=at(2025, 3, 31, 23, 59))
    make_transaction(account=cast.account, amount="9", when=at(2025, 4, 1, 0, 0))
    assert account_360(cast.account, today=dt.date(2025, 3, 31)).month.revenue == 5
    assert account_360(cast.account, today=dt.date(2025, 4, 1)).month.revenue == 9


def test_payments_and_outstanding(cast):
    make_transaction(account=cast.account, amount="1000", when=at(2024, 5, 1))
    make_payment(account=cast.account, amount="300", received_at=at(2024, 6, 1))
    make_payment(account=cast.account, amount="200", received_at=at(2025, 2, 1))
    make_payment(account=cast.west_account, amount="999", received_at=at(2025, 2, 1))
    data = account_360(cast.account, today=dt.date(2025, 3, 1))
    assert (data.received_lifetime, data.received_year) == (500, 200)
    assert data.outstanding == 500
    assert data.last_payment_at == at(2025, 2, 1)


def test_monthly_series_has_24_months_with_gaps_as_zero(cast):
    make_transaction(account=cast.account, amount="10", when=at(2025, 3, 1, 0, 10))
    make_transaction(account=cast.account, amount="5", when=at(2025, 3, 31, 23, 50))
    make_transaction(account=cast.account, amount="8", when=at(2023, 4, 2))
    make_transaction(account=cast.account, amount="99", when=at(2023, 3, 31))  # too old
    series = account_360(cast.account, today=dt.date(2025, 3, 15)).monthly_revenue
    assert len(series) == 24
    assert series[0] == (dt.date(2023, 4, 1), Decimal("8"))
    assert series[-1] == (dt.date(2025, 3, 1), Decimal("15"))
    assert sum(v for _m, v in series) == 23


def test_revenue_by_category_is_stacked_per_month_with_gaps_as_none(cast):
    rooms, _ = ProductCategory.objects.get_or_create(
        code="rooms", defaults={"name": "客房", "name_en": "Rooms", "sort_order": 10}
    )
    make_transaction(account=cast.account, amount="10", when=at(2025, 3, 2))
    make_transaction(account=cast.account, amount="30", when=at(2025, 3, 3), category=rooms)
    make_transaction(account=cast.account, amount="7", when=at(2024, 1, 5), category=rooms)
    make_transaction(account=cast.west_account, amount="99", when=at(2025, 3, 2))  # not ours
    data = account_360(cast.account, today=dt.date(2025, 3, 15))
    assert len(data.revenue_months) == 24 and data.revenue_months[-1] == dt.date(2025, 3, 1)
    rooms_series, fnb_series = data.revenue_by_category  # in the categories' order
    assert rooms_series.category == rooms and fnb_series.category.code == "fnb"
    assert rooms_series.values[-1] == Decimal("30") and fnb_series.values[-1] == Decimal("10")
    assert rooms_series.values[data.revenue_months.index(dt.date(2024, 1, 1))] == Decimal("7")
    assert fnb_series.values[:-1] == [None] * 23  # no data: a gap, not a zero


def test_the_360_page_draws_the_stacked_chart(client, cast):
    make_transaction(account=cast.account, amount="10", when=at(2025, 3, 2))
    client.force_login(cast.alice)
    url = reverse("admin:accounts_account_view_360", args=(cast.account.pk,))
    response = client.get(url)
    chart = json.loads(response.context["chart_data"])
    options = json.loads(response.context["chart_options"])
    assert options["scales"]["x"]["stacked"] and options["scales"]["y"]["stacked"]
    assert [d["stack"] for d in chart["datasets"]] == ["revenue"]
    assert len(chart["labels"]) == 24
    assert 'data-chart="revenue-by-category"' in response.content.decode()


def test_contacts_recent_transactions_and_last_profile_update(cast):
    with time_machine.travel(at(2025, 1, 10, 9), tick=False):
        c = make_contact(account=cast.account, name="孙立", is_primary=True)
    with time_machine.travel(at(2025, 2, 3, 9), tick=False):
        profile_facts_update(
            contact=c, group="taboos", values={"dietary": "猪肉"}, actor=cast.alice
        )
    for i in range(25):
        make_transaction(
            account=cast.account, amount="1", when=at(2024, 1, 1) + dt.timedelta(days=i)
        )
    data = account_360(cast.account, today=dt.date(2025, 3, 1))
    assert [x.name for x in data.contacts] == ["孙立"]
    assert len(data.recent_transactions) == 20
    assert data.recent_transactions[0].occurred_at == at(2024, 1, 25)
    assert data.last_profile_update_at == at(2025, 2, 3, 9)


def test_rollup_sums_all_descendants(cast):
    group = cast.account
    sub = make_account(owner=cast.alice, parent=group)
    subsub = make_account(owner=cast.alice, parent=sub)
    make_account(owner=cast.alice)  # unrelated
    make_transaction(account=group, amount="100", when=at(2025, 2, 1))
    make_transaction(account=sub, amount="20", when=at(2024, 2, 1))
    make_transaction(account=subsub, amount="3", when=at(2025, 5, 1))
    rollup = account_rollup(group, today=dt.date(2025, 6, 1))
    assert rollup.descendant_count == 2
    assert (rollup.revenue_year, rollup.revenue_lifetime) == (103, 123)
    assert [s.pk for s in rollup.subsidiaries] == [sub.pk]


def test_rollup_for_a_user_counts_only_visible_descendants(cast):
    sub = make_account(owner=cast.charlie, parent=cast.account)
    make_transaction(account=sub, amount="50", when=at(2025, 2, 1))
    assert account_rollup(cast.account, actor=cast.alice).descendant_count == 0
    assert account_rollup(cast.account, actor=cast.mia).revenue_lifetime == 50


def test_dashboard_summary_month_year_and_top(cast):
    bobs = make_account(owner=cast.bob, name="鲍勃客户")
    make_transaction(account=cast.account, amount="10", when=at(2025, 7, 31, 23, 0))
    make_transaction(account=cast.account, amount="30", when=at(2025, 8, 1, 1, 0))
    make_transaction(account=bobs, amount="500", when=at(2025, 1, 2))
    make_transaction(account=bobs, amount="1", when=at(2024, 12, 31, 23, 59))
    ledger_rollups_refresh(as_of=dt.date(2025, 8, 15))  # that day's nightly run
    summary = dashboard_summary(cast.lena, today=dt.date(2025, 8, 15))
    assert (summary.revenue_month, summary.revenue_year) == (30, 540)
    assert [(a.pk, t) for a, t in summary.top_accounts] == [(bobs.pk, 501), (cast.account.pk, 40)]
    assert dashboard_summary(cast.alice, today=dt.date(2025, 8, 15)).revenue_year == 40


def test_dashboard_counts_a_rollup_only_in_the_month_and_year_it_was_refreshed(cast):
    make_transaction(account=cast.account, amount="30", when=at(2025, 7, 20))
    ledger_rollups_refresh(as_of=dt.date(2025, 7, 31))
    # No nightly run since: July's figures are not August's, the year's still are.
    summary = dashboard_summary(cast.lena, today=dt.date(2025, 8, 1))
    assert (summary.revenue_month, summary.revenue_year) == (0, 30)
    assert dashboard_summary(cast.lena, today=dt.date(2026, 1, 2)).revenue_year == 0


def test_dashboard_dormant_accounts_from_the_last_purchase(cast):
    quiet = make_account(owner=cast.alice, name="沉睡客户")
    make_transaction(account=quiet, amount="5", when=at(2024, 1, 10))
    make_transaction(account=cast.account, amount="5", when=at(2025, 6, 1))
    make_account(owner=cast.alice)  # never bought: not dormant
    summary = dashboard_summary(cast.alice, today=dt.date(2025, 8, 15))
    assert summary.dormant_count == 1
    assert [(a.pk, a.last_transaction_at) for a in summary.dormant_accounts] == [
        (quiet.pk, at(2024, 1, 10))
    ]
