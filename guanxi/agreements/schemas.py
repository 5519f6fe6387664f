"""API shapes of agreements, their negotiated rates, amendments and off-rate reviews."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from guanxi.agreements.models import AgreementStatus, RateBasis, ReviewCadence
from guanxi.core.schemas import MAX_ID, Day, Id, InputSchema, patch_schema

RATE = {"max_digits": 14, "decimal_places": 3, "ge": 0}


class AgreementFilters(InputSchema):
    status: AgreementStatus | None = None
    type: int | None = Field(None, ge=1, le=MAX_ID, description="Agreement type id")
    account: int | None = Field(None, ge=1, le=MAX_ID)
    owner: int | None = Field(None, ge=1, le=MAX_ID)
    ending_within_days: int | None = Field(
        None, ge=0, le=3660, description="Open agreements ending from today to today + n days"
    )
    q: str = Field("", max_length=100, description="Part of the name, reference or account")


class AgreementOut(Schema):
    id: int
    reference: str
    name: str
    type: int = Field(..., alias="agreement_type_id")
    type_name: str
    account: int = Field(..., alias="account_id")
    account_name: str
    owner: int = Field(..., alias="owner_id")
    status: str
    starts_on: dt.date
    ends_on: dt.date
    signed_on: dt.date | None = None
    auto_renew: bool
    successor: int | None = Field(None, alias="successor_id")

    @staticmethod
    def resolve_type_name(obj: Any) -> str:
        return obj["type_name"] if isinstance(obj, dict) else str(obj.agreement_type)

    @staticmethod
    def resolve_account_name(obj: Any) -> str:
        return obj["account_name"] if isinstance(obj, dict) else obj.account.name


class RateIn(InputSchema):
    category: str = Field(..., min_length=1, max_length=30, description="Category code")
    label: str = Field("", max_length=100, description="Room type or package")
    basis: RateBasis = RateBasis.UNIT_PRICE
    value: Decimal = Field(..., **RATE)
    tolerance: Decimal = Field(Decimal("0"), **RATE)


RatePatch = patch_schema(RateIn, "RatePatch")


class RateOut(Schema):
    id: int
    agreement: int = Field(..., alias="agreement_id")
    category: str
    label: str
    basis: str
    value: Decimal
    tolerance: Decimal

    @staticmethod
    def resolve_category(obj: Any) -> str:
        return obj.category.code


class AmendmentOut(Schema):
    version: int
    summary: str
    changes: dict[str, list[Any]]
    effective_on: dt.date
    made_by: int | None = Field(None, alias="made_by_id")
    made_at: dt.datetime


class AgreementDetailOut(AgreementOut):
    covered_accounts: list[int]
    their_signers: list[int]
    our_signer: int | None = None
    notice_days: int
    renewal_date: dt.date | None = None
    renewal_due_on: dt.date
    review_cadence: str
    terminated_on: dt.date | None = None
    termination_reason: str
    predecessor: int | None = None
    notes: str
    rates: list[RateOut]


class AgreementIn(InputSchema):
    account: Id
    name: str = Field(..., min_length=1, max_length=200)
    agreement_type: Id | str = Field(..., description="Type id or built-in key (rebate …)")
    starts_on: Day
    ends_on: Day
    reference: str = Field("", max_length=50)
    covered_accounts: list[Id] = Field([], max_length=1000, description="Subsidiaries covered")
    their_signers: list[Id] = Field([], max_length=100, description="Contacts who sign")
    owner: Id | None = None
    our_signer: Id | None = None
    status: AgreementStatus = AgreementStatus.DRAFT
    notice_days: int = Field(90, ge=0, le=3650)
    renewal_date: Day | None = None
    auto_renew: bool = False
    review_cadence: ReviewCadence = ReviewCadence.QUARTERLY
    notes: str = Field("", max_length=20000)


class AgreementPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    agreement_type: Id | str | None = None
    account: Id | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    reference: str | None = Field(None, max_length=50)
    covered_accounts: list[Id] | None = Field(None, max_length=1000)
    their_signers: list[Id] | None = Field(None, max_length=100)
    owner: Id | None = None
    our_signer: Id | None = None
    notice_days: int | None = Field(None, ge=0, le=3650)
    renewal_date: Day | None = None
    auto_renew: bool | None = None
    review_cadence: ReviewCadence | None = None
    notes: str | None = Field(None, max_length=20000)
    summary: str = Field("", max_length=300, description="What the amendment changes")
    effective_on: Day | None = Field(None, description="When the amendment takes effect")


class SignIn(InputSchema):
    signed_on: Day | None = None
    our_signer: Id | None = None


class TerminateIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=300)
    terminated_on: Day | None = None


class RenewIn(InputSchema):
    starts_on: Day | None = None
    ends_on: Day | None = None
    name: str = Field("", max_length=200)


class RateReviewFilters(InputSchema):
    status: str | None = Field(None, pattern="^(open|accepted|corrected)$")
    agreement: int | None = Field(None, ge=1, le=MAX_ID)
    account: int | None = Field(None, ge=1, le=MAX_ID)


class RateReviewOut(Schema):
    id: int
    transaction: int = Field(..., alias="transaction_id")
    agreement: int = Field(..., alias="agreement_id")
    account: int = Field(..., alias="account_id")
    basis: str
    expected: Decimal
    actual: Decimal
    status: str
    flagged_at: dt.datetime
    decided_by: int | None = Field(None, alias="decided_by_id")
    decided_at: dt.datetime | None = None
    note: str


class DecideIn(InputSchema):
    status: str = Field(..., pattern="^(accepted|corrected)$")
    note: str = Field("", max_length=300)
