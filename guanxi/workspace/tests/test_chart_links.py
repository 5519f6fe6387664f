"""A dashboard bar opens exactly the list behind it: the agreement pace bands and the months of
the renewals chart; the opened list holds as many rows as the bar counts (trial finding 4)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from guanxi.agreements.tests.renewal_support import make_agreement
from guanxi.workspace.admin_plans_ahead import pace_chart, renewals_chart

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

    renewals = renewals_chart(cast.alice, TODAY)
    counts = renewals.config["data"]["datasets"][0]["data"]
    assert counts[:3] == [1, 2, 1]
    assert len(set(renewals.links)) == len(renewals.links)
    for count, link in zip(counts, renewals.links, strict=True):
        assert _rows(client, link) == count

    pace = pace_chart(cast.alice, TODAY)
    counts = pace.config["data"]["datasets"][0]["data"]
    assert sum(counts) == 5
    for count, link in zip(counts, pace.links, strict=True):
        assert _rows(client, link) == count
