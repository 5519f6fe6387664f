"""Fixtures for the pipeline tests: a clock that stands still unless moved, the built-in
stages by key, and a deal of alice's."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from guanxi.pipeline.models import LostReason, Stage
from guanxi.pipeline.services import opportunity_create

LOCAL = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai has no daylight saving
TODAY = dt.date(2026, 6, 15)


def local(y, m, d, hh=12, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=LOCAL)


@pytest.fixture
def clock():
    with time_machine.travel(local(2026, 6, 15, 10), tick=False) as traveller:
        yield traveller


@pytest.fixture
def stages(db) -> dict[str, Stage]:
    return {s.builtin: s for s in Stage.objects.filter(pipeline__is_default=True)}


@pytest.fixture
def price(db) -> LostReason:
    return LostReason.objects.get(builtin="price")


@pytest.fixture
def deal(cast, clock):
    return opportunity_create(
        actor=cast.alice,
        account=cast.account,
        name="2026 年会",
        expected_close=dt.date(2026, 9, 30),
        opportunity_type="mice",
        amount="120000",
    )
