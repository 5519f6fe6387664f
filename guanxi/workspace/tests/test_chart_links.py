"""A dashboard bar opens exactly the list behind it: the agreement pace bands and the months of
the renewals chart; the opened list holds as many rows as the bar counts (trial finding 4)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from guanxi.activities.models import Task, TaskSource, TaskStatus
from guanxi.activities.tests.conftest import policy_local
from guanxi.agreements.tests.renewal_support import make_agreement
from guanxi.workspace.admin_plans_ahead import pace_chart, renewals_chart
from guanxi.workspace.admin_sections import compliance_chart
from guanxi.workspace.figures import pace_figures, renewals_figures
from guanxi.workspace.snapshots import dashboard_figures, dashboard_snapshots_store

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)
NOON = dt.datetime(2026, 6, 15, 4, 0, tzinfo=dt.UTC)


def _rows(client: Client, url: str) -> int:
    body = client.get(url).content.decode()
    return len(set(re.findall(r'/admin/agreements/agreement/(\d+)/change/', body)))


@time_machine.travel(NOON, tick=False)
def test_each_renewal_month_and_pace_band_opens_its_own_agreements(cast):
    for ends in (dt.date(2026, 6, 30), dt.date(2026, 7, 10), dt.date(2026, 7, 20),
                 dt.date(2026, 8, 31), dt.date(2027, 3, 31)):  # fmt: skip
        make_agreement(cast.account, ends_on=ends, owner=cast.alice)
    client = Client()
    client.force_login(cast.alice)

    renewals = renewals_chart(renewals_figures(cast.alice, TODAY))
    counts = renewals.config["data"]["datasets"][0]["data"]
    assert counts[:3] == [1, 2, 1]
    assert len(set(renewals.links)) == len(renewals.links)
    for count, link in zip(counts, renewals.links, strict=True):
        assert _rows(client, link) == count

    pace = pace_chart(pace_figures(cast.alice, TODAY))
    counts = pace.config["data"]["datasets"][0]["data"]
    assert sum(counts) == 5
    for count, link in zip(counts, pace.links, strict=True):
        assert _rows(client, link) == count


def _policy_task(account, assignee, due: dt.date, done: dt.datetime | None = None) -> None:
    row = Task.objects.create(
        account=account, assignee=assignee, kind="call", title="call", due_date=due,
        source=TaskSource.POLICY, completed_at=done,
        status=TaskStatus.DONE if done else TaskStatus.OPEN,
    )  # fmt: skip
    Task.objects.filter(pk=row.pk).update(created_at=policy_local(2026, 1, 1))


@time_machine.travel(policy_local(2026, 3, 20, 12), tick=False)
def test_each_part_of_the_compliance_chart_opens_its_tasks(cast):
    """The trial: the SOP compliance parts opened the compliance page, not the tasks counted."""
    today = dt.date(2026, 3, 20)
    _policy_task(cast.account, cast.alice, dt.date(2026, 3, 5), policy_local(2026, 3, 5, 10))
    _policy_task(cast.account, cast.alice, dt.date(2026, 3, 6), policy_local(2026, 3, 9, 10))
    _policy_task(cast.account, cast.alice, dt.date(2026, 3, 10))
    _policy_task(cast.west_account, cast.charlie, dt.date(2026, 3, 11))
    _policy_task(cast.account, cast.alice, dt.date(2026, 3, 25))  # not due yet: in no part
    _policy_task(cast.account, cast.alice, dt.date(2026, 2, 10))  # last month: in no part
    dashboard_snapshots_store(as_of=today)  # the night's figures: the lists agree with them
    for who, expected in ((cast.mia, [1, 1, 2]), (cast.alice, [1, 1, 1])):
        chart = compliance_chart(dashboard_figures(who, today=today)["compliance"])
        counts = chart.config["data"]["datasets"][0]["data"]
        assert counts == expected
        client = Client()
        client.force_login(who)
        for count, link in zip(counts, chart.links, strict=True):
            listed = client.get(link).context["cl"].result_list
            assert len(listed) == count, link
