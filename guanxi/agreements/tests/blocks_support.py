"""Builders for the room-block tests: an agreement, a block of nights, rooms booked on a night."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from guanxi.accounts.models import Account
from guanxi.agreements.models import Agreement, AgreementType, RoomBlock, RoomBlockNight
from guanxi.core.models import User
from guanxi.transactions.models import ProductCategory
from tests.support import make_transaction

FIRST_NIGHT = dt.date(2026, 5, 12)


def rooms_category() -> ProductCategory:
    found, _ = ProductCategory.objects.get_or_create(
        code="rooms", defaults={"name": "客房", "name_en": "Rooms", "sort_order": 10}
    )
    return found


def make_agreement(*, account: Account, owner: User, kind: str = "mice", **fields) -> Agreement:
    fields.setdefault("starts_on", dt.date(2026, 1, 1))
    fields.setdefault("ends_on", dt.date(2026, 12, 31))
    fields.setdefault("status", "active")
    return Agreement.objects.create(
        name=fields.pop("name", "2026年经销商大会"),
        agreement_type=AgreementType.objects.get(builtin=kind),
        account=account,
        owner=owner,
        **fields,
    )


def make_block(
    agreement: Agreement, *, rooms: int = 100, nights: int = 3, first: dt.date = FIRST_NIGHT,
    **fields,
) -> RoomBlock:  # fmt: skip
    fields.setdefault("group_rate", Decimal(600))
    fields.setdefault("cutoff_on", first - dt.timedelta(days=21))
    block = RoomBlock.objects.create(
        agreement=agreement, name=fields.pop("name", "主会场房间"), category=rooms_category(),
        **fields,
    )  # fmt: skip
    for i in range(nights):
        RoomBlockNight.objects.create(block=block, night=first + dt.timedelta(days=i), rooms=rooms)
    return block


def book(account: Account, when: dt.datetime, nights: str | int, amount: str = "0") -> None:
    """Room nights on the ledger, booked at ``when`` (aware); negative nights are a refund."""
    kind = "refund" if Decimal(str(nights)) < 0 else "sale"
    make_transaction(
        account=account, when=when, amount=amount, category=rooms_category(),
        quantity=Decimal(str(nights)), kind=kind,
    )  # fmt: skip
