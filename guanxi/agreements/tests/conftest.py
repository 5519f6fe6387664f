"""Fixtures for the agreements tests: a clock that stands still unless moved, a group with two
subsidiaries (one a grandchild) and a sister company, and a draft agreement of alice's."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine

from guanxi.agreements.services import agreement_create
from tests.support import make_account, make_contact

LOCAL = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai has no daylight saving
TODAY = dt.date(2026, 6, 15)


def local(y, m, d, hh=12, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=LOCAL)


@pytest.fixture
def clock():
    with time_machine.travel(local(2026, 6, 15, 10), tick=False) as traveller:
        yield traveller


@pytest.fixture
def group(cast):
    """alice's group account (集团) with a subsidiary, a grandchild, and a sister company under
    the same parent holding."""
    holding = make_account(owner=cast.alice, name="控股公司")
    cast.account.parent = holding
    cast.account.save()
    sub = make_account(owner=cast.alice, name="华东会展上海分公司", parent=cast.account)
    grandchild = make_account(owner=cast.alice, name="上海会展服务部", parent=sub)
    sister = make_account(owner=cast.alice, name="华东物流集团", parent=holding)
    return SimpleNamespace(
        account=cast.account,
        holding=holding,
        sub=sub,
        grandchild=grandchild,
        sister=sister,
        buyer=make_contact(account=cast.account, name="王采购"),
        sub_buyer=make_contact(account=sub, name="李经理"),
        sister_buyer=make_contact(account=sister, name="赵经理"),
    )


@pytest.fixture
def agreement(cast, group, clock):
    """A draft 2026 framework agreement of alice's group covering the Shanghai subsidiary."""
    return agreement_create(
        actor=cast.alice,
        account=cast.account,
        name="2026 框架协议",
        agreement_type="framework",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        covered_accounts=[group.sub],
        their_signers=[group.buyer],
        reference="FA-2026-01",
    )
