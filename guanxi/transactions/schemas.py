"""API schemas for transactions and payments: <Entity>In, <Entity>Patch, <Entity>Out, filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from guanxi.core.schemas import MAX_ID, DayOrMoment, InputSchema, Moment, patch_schema
from guanxi.transactions.models import (
    Channel,
    Payment,
    PaymentMethod,
    Transaction,
    TransactionKind,
)

# Transaction.amount is DECIMAL(14, 2): larger numbers are a 422, not a database error.
Money = Decimal
MONEY = {"max_digits": 14, "decimal_places": 2}
MAX_HEAD_COUNT = 2_147_483_647


class TransactionIn(InputSchema):
    account: int = Field(..., ge=1, le=MAX_ID, description="Account id")
    category: str = Field(..., min_length=1, max_length=30, description="Category code, e.g. fnb")
    occurred_at: Moment = Field(..., description="ISO 8601; without offset: server time zone")
    kind: TransactionKind = Field(
        TransactionKind.SALE,
        description="sale, or refund (a credit note): a refund's amount and quantity are zero or "
        "less and reduce every total",
    )
    amount: Money = Field(..., description="A sale's is zero or more, a refund's zero or less",
                          **MONEY)  # fmt: skip
    refund_of: int | None = Field(
        None, ge=1, le=MAX_ID, description="A refund: the sale of the account it gives back for"
    )
    contact: int | None = Field(None, ge=1, le=MAX_ID, description="A contact of the account")
    cost: Money | None = Field(None, ge=0, **MONEY)
    head_count: int | None = Field(None, ge=0, le=MAX_HEAD_COUNT)
    quantity: Decimal | None = Field(
        None,
        max_digits=12,
        decimal_places=2,
        description="Room nights, covers or units (a refund's: zero or less)",
    )
    discount_rate: Decimal | None = Field(
        None, gt=0, le=1, max_digits=4, decimal_places=3, description="0.85 = 15% off"
    )
    channel: Channel = Channel.DIRECT
    source: str = Field("manual", min_length=1, max_length=30)
    external_id: str = Field("", max_length=64, description="Unique per source")
    description: str = Field("", max_length=200)


TransactionPatch = patch_schema(TransactionIn, "TransactionPatch")


class TransactionOut(Schema):
    id: int
    account: int = Field(..., alias="account_id")
    account_name: str
    contact: int | None = Field(None, alias="contact_id")
    category: str
    occurred_at: dt.datetime
    kind: str
    refund_of: int | None = Field(None, alias="refund_of_id")
    amount: Decimal
    cost: Decimal | None
    head_count: int | None
    quantity: Decimal | None
    discount_rate: Decimal | None
    channel: str
    source: str
    external_id: str
    description: str
    created_at: dt.datetime

    @staticmethod
    def resolve_account_name(obj: Transaction) -> str:
        return obj.account.name

    @staticmethod
    def resolve_category(obj: Transaction) -> str:
        return obj.category.code


class TransactionFilters(InputSchema):
    account: int | None = Field(None, ge=1, le=MAX_ID)
    contact: int | None = Field(None, ge=1, le=MAX_ID)
    category: str | None = Field(None, max_length=30, description="Category code")
    kind: TransactionKind | None = None
    channel: Channel | None = None
    source: str | None = Field(None, max_length=30)
    external_id: str | None = Field(None, max_length=64)
    occurred_from: DayOrMoment | None = Field(None, description="Inclusive")
    occurred_to: DayOrMoment | None = Field(
        None, description="Exclusive for a timestamp; a date includes that whole day"
    )
    min_amount: Money | None = Field(None, **MONEY)
    max_amount: Money | None = Field(None, **MONEY)


class PaymentIn(InputSchema):
    account: int = Field(..., ge=1, le=MAX_ID, description="Account id")
    received_at: Moment
    amount: Money = Field(..., gt=0, **MONEY)
    method: PaymentMethod = PaymentMethod.BANK_TRANSFER
    reference: str = Field("", max_length=100, description="Reference / invoice number")
    source: str = Field("manual", min_length=1, max_length=30)
    external_id: str = Field("", max_length=64, description="Unique per source")
    notes: str = Field("", max_length=300)


PaymentPatch = patch_schema(PaymentIn, "PaymentPatch")


class PaymentOut(Schema):
    id: int
    account: int = Field(..., alias="account_id")
    account_name: str
    received_at: dt.datetime
    amount: Decimal
    method: str
    reference: str
    source: str
    external_id: str
    notes: str
    created_at: dt.datetime

    @staticmethod
    def resolve_account_name(obj: Payment) -> str:
        return obj.account.name


class PaymentFilters(InputSchema):
    account: int | None = Field(None, ge=1, le=MAX_ID)
    method: PaymentMethod | None = None
    source: str | None = Field(None, max_length=30)
    received_from: DayOrMoment | None = Field(None, description="Inclusive")
    received_to: DayOrMoment | None = Field(
        None, description="Exclusive for a timestamp; a date includes that whole day"
    )
    min_amount: Money | None = Field(None, **MONEY)
    max_amount: Money | None = Field(None, **MONEY)
