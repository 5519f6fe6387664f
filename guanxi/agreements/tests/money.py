"""Builders for the money tests of agreements: an agreement of alice's group with its chosen
subsidiary, a sister company outside it, categories, sales at given local times."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from guanxi.agreements.models import (
    Agreement,
    AgreementStatus,
    AgreementType,
    RebateBracket,
    RebateSchedule,
    VolumeCommitment,
)
from guanxi.transactions.models import ProductCategory
from tests.support import make_account, make_transaction

YEAR_START, YEAR_END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def category(code: str) -> ProductCategory:
    names = {"rooms": ("客房", "Rooms"), "fnb": ("餐饮", "Food & beverage")}
    name, name_en = names.get(code, (code, code))
    return ProductCategory.objects.get_or_create(
        code=code, defaults={"name": name, "name_en": name_en}
    )[0]


def local(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def sale(account, amount, day: dt.date, *, hour: int = 12, minute: int = 0, code="rooms", **kw):
    return make_transaction(
        account=account,
        amount=Decimal(str(amount)),
        when=local(day, hour, minute),
        category=category(code),
        **kw,
    )


def agreement_of(cast, *, subsidiaries=(), kind="rebate", **fields) -> Agreement:
    fields.setdefault("starts_on", YEAR_START)
    fields.setdefault("ends_on", YEAR_END)
    agreement = Agreement.objects.create(
        name=fields.pop("name", "2026 年度返点协议"),
        agreement_type=AgreementType.objects.get(builtin=kind),
        account=cast.account,
        owner=cast.alice,
        status=AgreementStatus.ACTIVE,
        **fields,
    )
    agreement.covered_accounts.set(subsidiaries)
    return agreement


def group_of(cast):
    """(subsidiary, sister company): the subsidiary is a child of alice's account, the sister
    another child of the group's head office above it."""
    parent = make_account(owner=cast.alice, name="集团总部")
    cast.account.parent = parent
    cast.account.save()
    subsidiary = make_account(owner=cast.alice, name="华东会展上海分公司", parent=cast.account)
    sister = make_account(owner=cast.alice, name="华东物流", parent=parent)
    return subsidiary, sister


def commitment(agreement, committed, *, basis="amount", categories=(), **fields):
    c = VolumeCommitment.objects.create(
        agreement=agreement, committed=Decimal(str(committed)), basis=basis, **fields
    )
    c.categories.set([category(code) for code in categories])
    return c


ISSUE_BRACKETS = [(0, 2), (1_000_000, 3), (3_000_000, 5)]  # 0–1M 2 %, 1M–3M 3 %, above 5 %


def schedule(agreement, *, method="retroactive", brackets=ISSUE_BRACKETS, categories=(), **kw):
    s = RebateSchedule.objects.create(agreement=agreement, method=method, **kw)
    for low, rate in brackets:
        RebateBracket.objects.create(schedule=s, from_value=Decimal(low), rate=Decimal(rate))
    s.categories.set([category(code) for code in categories])
    return s
