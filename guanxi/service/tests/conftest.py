"""Fixtures of the service tests: a key-account tier with the green channel, the standard
policy as default, a category with a solution, and a clock to move."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from guanxi.service.models import CaseCategory, SlaPolicy, Solution
from guanxi.tiers.models import AccountTier, Tier, TierScheme

LOCAL = ZoneInfo("Asia/Shanghai")


def local(y, m, d, hh=12, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=LOCAL)


@pytest.fixture
def travel():
    """travel(moment) → the clock stands at ``moment`` (local time) until moved again."""
    travellers = []

    def go(moment: dt.datetime):
        if travellers:
            travellers.pop().stop()
        t = time_machine.travel(moment, tick=False)
        t.start()
        travellers.append(t)

    yield go
    for t in travellers:
        t.stop()


@pytest.fixture
def policies(db):
    SlaPolicy.objects.all().delete()
    scheme = TierScheme.objects.create(code="svc-tiers", name="服务等级", name_en="Service tiers")
    key = Tier.objects.create(scheme=scheme, code="key", name="重点客户", name_en="Key", rank=1)
    other = Tier.objects.create(scheme=scheme, code="std", name="普通", name_en="Standard", rank=2)
    standard = SlaPolicy.objects.create(
        name="标准",
        name_en="Standard",
        is_default=True,
        first_response_hours=Decimal(4),
        resolution_hours=Decimal(72),
    )
    green = SlaPolicy.objects.create(
        name="绿色通道",
        name_en="Green channel",
        tier=key,
        first_response_hours=Decimal(1),
        resolution_hours=Decimal(24),
    )
    return type(
        "P",
        (),
        {"scheme": scheme, "key": key, "other": other, "standard": standard, "green": green},
    )


@pytest.fixture
def key_account(cast, policies):
    AccountTier.objects.create(account=cast.account, scheme=policies.scheme, tier=policies.key)
    return cast.account


@pytest.fixture
def room(db):
    category, _ = CaseCategory.objects.get_or_create(
        code="room", defaults={"name": "客房", "name_en": "Rooms"}
    )
    Solution.objects.create(
        category=category, title="升级房型", title_en="Upgrade the room", body="…", position=1
    )
    Solution.objects.create(title="致歉信", title_en="Letter of apology", body="…")
    return category
