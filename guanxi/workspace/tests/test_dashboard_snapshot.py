"""The dashboard reads its figures from the scope's stored snapshot (issue 16): what the nightly
step stores, a page that computes nothing per request (a bounded number of queries whatever the
book's size), the fresh install before the first nightly run, and the forecast's month bars."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.activities.selectors import compliance
from guanxi.core.models import StoredSnapshot
from guanxi.pipeline.models import SalesTarget
from guanxi.pipeline.tests.deals import make_deal
from guanxi.workspace.snapshots import NAME, VERSION, dashboard_snapshots_store
from guanxi.workspace.tests.dashboard_support import build_book
from tests.support import make_account, make_contact, make_transaction

TODAY = timezone.localdate()
#: The director's page after the session and user: the stored row, then names by id.
MAX_QUERIES = 20
MOVED = ("summary", "birthdays", "funnel", "lights", "nps", "compliance", "forecast",
         "renewals", "pace", "coverage", "pyramid", "pareto", "rfm", "migration", "cohorts",
         "categories")  # fmt: skip


@pytest.fixture
def book(cast):
    make_contact(account=cast.account, name="寿星", birthday=TODAY - dt.timedelta(days=365 * 40))
    return build_book(cast)


def _stored(scope: str) -> StoredSnapshot:
    return StoredSnapshot.objects.get(name=NAME, scope=scope)


def _page_queries(client, user) -> tuple[int, str]:
    client.force_login(user)
    client.get(reverse("admin:index"))  # the session's first read
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_the_snapshot_holds_every_figure_the_page_shows(cast, book):
    dashboard_snapshots_store(as_of=TODAY)
    data = _stored("all").data
    assert set(MOVED) <= set(data) and data["version"] == VERSION
    summary = data["summary"]
    assert summary["accounts_total"] == 4
    assert Decimal(summary["revenue_month"]) == Decimal("3000")
    assert [pk for pk, _total in summary["top"]][:1] == [cast.account.pk]
    assert [pk for _day, pk in data["birthdays"]] == [cast.account.contacts.get().pk]
    report = compliance(actor=cast.mia, start=TODAY.replace(day=1), end=TODAY)
    assert [data["compliance"][k] for k in ("on_time", "late", "open_overdue")] == [
        report.total.on_time, report.total.late, report.total.open_overdue
    ]  # fmt: skip
    assert len(data["forecast"]["months"]) == 6
    alice = _stored(f"user:{cast.alice.pk}").data
    assert alice["summary"]["accounts_total"] == 3  # her own accounts only
    assert _stored(f"user:{cast.charlie.pk}").data["birthdays"] == []


def test_the_page_computes_nothing_the_night_stored(client, cast, book):
    """The figures on the page are the stored row's, shown as of its day."""
    dashboard_snapshots_store(as_of=TODAY)
    row = _stored("all")
    row.data["summary"]["accounts_total"] = 12345
    row.data["lights"] = {"red": 7, "yellow": 0}
    row.save()
    make_account(owner=cast.alice, name="今天新建")  # after the night: not on the page yet
    client.force_login(cast.mia)
    response = client.get(reverse("admin:index"))
    html = response.content.decode()
    assert re.search(r'data-figure="accounts">\s*12345<', html)
    assert 'data-as-of="' + TODAY.isoformat() + '"' in html
    lights = {c.key: c for c in response.context["charts"]}["lights"]
    assert lights.config["data"]["datasets"][0]["data"] == [7, 0]
    assert [c.name for _day, c in response.context["birthdays"]] == ["寿星"]


def _grow(cast, n: int) -> None:
    """Ten times the book: accounts with sales, contacts with birthdays, dormant ones."""
    for i in range(n):
        account = make_account(owner=cast.alice if i % 2 else cast.charlie, name=f"客户{i}")
        make_transaction(account=account, amount=f"{100 + i}.00")
        old = timezone.now() - dt.timedelta(days=400)
        make_transaction(account=make_account(owner=cast.bob, name=f"沉睡{i}"), when=old)
        make_contact(account=account, name=f"联系人{i}", birthday=TODAY.replace(year=1980))


def test_the_directors_page_costs_the_same_few_queries_whatever_the_size(client, cast, book):
    dashboard_snapshots_store(as_of=TODAY)
    small, _html = _page_queries(client, cast.mia)
    _grow(cast, 30)
    dashboard_snapshots_store(as_of=TODAY)
    large, html = _page_queries(client, cast.mia)
    assert 'data-list="birthdays"' in html and 'data-list="dormant"' in html
    assert small <= MAX_QUERIES and large <= MAX_QUERIES, (small, large)
    assert large == small


def test_the_page_bounds_its_queries(client, cast, book, django_assert_max_num_queries):
    dashboard_snapshots_store(as_of=TODAY)
    client.force_login(cast.mia)
    client.get(reverse("admin:index"))
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(reverse("admin:index")).status_code == 200


def test_before_the_first_nightly_run_the_first_page_computes_and_stores(client, cast, book):
    """A fresh install: the page shows the figures at once and keeps them for the day."""
    assert not StoredSnapshot.objects.exists()
    client.force_login(cast.alice)
    first = client.get(reverse("admin:index"))
    assert first.status_code == 200
    assert first.context["dashboard"].accounts_total == 3
    row = _stored(f"user:{cast.alice.pk}")
    assert row.as_of == TODAY and row.data["version"] == VERSION
    make_account(owner=cast.alice, name="今天新建")
    again = client.get(reverse("admin:index"))
    assert again.context["dashboard"].accounts_total == 3  # the stored figures, as of today
    assert StoredSnapshot.objects.count() == 1  # nobody else's scope was computed


def test_a_stale_or_old_shaped_snapshot_is_computed_again(client, cast, book):
    StoredSnapshot.objects.create(name=NAME, scope="all", as_of=TODAY - dt.timedelta(days=3),
                                  data={"version": VERSION, "summary": {}})  # fmt: skip
    client.force_login(cast.mia)
    assert client.get(reverse("admin:index")).context["dashboard"].accounts_total == 4
    assert _stored("all").as_of == TODAY
    StoredSnapshot.objects.filter(scope="all").update(data={"pyramid": {}})  # before issue 16
    assert client.get(reverse("admin:index")).context["dashboard"].accounts_total == 4
    assert _stored("all").data["version"] == VERSION


def test_a_snapshot_of_yesterday_is_shown_as_of_yesterday(client, cast, book):
    dashboard_snapshots_store(as_of=TODAY - dt.timedelta(days=1))
    client.force_login(cast.mia)
    html = client.get(reverse("admin:index")).content.decode()
    assert f'data-as-of="{TODAY - dt.timedelta(days=1):%Y-%m-%d}"' in html


@time_machine.travel(dt.datetime(2026, 3, 10, 4, tzinfo=dt.UTC), tick=False)
def test_each_forecast_month_opens_the_forecast_page_for_that_month(client, cast):
    make_deal(account=cast.account, amount="10000", expected_close=dt.date(2026, 4, 20),
              path=(("propose", dt.date(2026, 2, 1)),))  # fmt: skip
    make_deal(account=cast.account, amount="5000",
              path=(("identify", dt.date(2026, 1, 5)), ("won", dt.date(2026, 3, 3))))  # fmt: skip
    SalesTarget.objects.create(user=cast.alice, starts_on=dt.date(2026, 3, 1), amount=9000)
    client.force_login(cast.alice)
    charts = {c.key: c for c in client.get(reverse("admin:index")).context["charts"]}
    chart = charts["forecast"]
    won, weighted = (chart.config["data"]["datasets"][i]["data"] for i in (1, 2))
    assert len(chart.links) == 6 and len(set(chart.links)) == 6
    for i, link in enumerate(chart.links):
        month = dt.date(2026, 3 + i, 1)
        assert parse_qs(urlsplit(link).query) == {"start": [month.isoformat()], "months": ["1"]}
        page = client.get(link)
        assert page.status_code == 200
        html = page.content.decode()
        assert f'data-start="{month:%Y-%m}"' in html
        own = html.split(f'data-row="kam:{cast.alice.pk}"')[1].split("</tbody>")[0]
        cells = re.findall(r'data-cell="month" data-month="([\d-]+)"', own)
        assert cells == [f"{month:%Y-%m}"]  # that month alone
        shown = re.search(r'data-weighted="([\d.]+)" data-won="([\d.]+)"', own)
        assert (float(shown[1]), float(shown[2])) == (weighted[i], won[i])
    assert won[0] == 5000 and weighted[1] == 4000
