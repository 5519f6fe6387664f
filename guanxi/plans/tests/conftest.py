"""Fixtures for the plan tests: a frozen clock in the middle of 2026 and alice's 2026 plan."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from guanxi.plans.services import plan_create

LOCAL = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai has no daylight saving
TODAY = dt.date(2026, 6, 15)


def local(y, m, d, hh=12, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=LOCAL)


@pytest.fixture
def clock():
    with time_machine.travel(local(2026, 6, 15, 10), tick=False):
        yield


@pytest.fixture
def plan(cast, clock):
    return plan_create(account=cast.account, year=2026, owner=cast.alice, actor=cast.alice,
                       title="2026 华东会展", wallet_size="1000000.00")  # fmt: skip
