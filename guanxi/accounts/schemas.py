"""API schemas for accounts: AccountIn (create), AccountPatch (partial update), AccountOut."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from guanxi.accounts.models import (
    Account,
    AccountKind,
    AccountStatus,
    AccountType,
    Attitude,
    CreditRating,
    EnterpriseNature,
    Industry,
    OrganisationForm,
    Scale,
)
from guanxi.core.schemas import Day, Id, InputSchema, patch_schema

Blank = Literal[""]


class AccountIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=40, description="Your customer number")
    name: str = Field(..., min_length=1, max_length=200)
    account_type: AccountType
    short_name: str = Field("", max_length=100)
    english_name: str = Field("", max_length=200)
    credit_code: str = Field(
        "",
        max_length=40,
        description="Unified social credit code, 18 characters (check digit checked)",
    )
    kind: AccountKind = AccountKind.ORGANISATION
    organisation_form: OrganisationForm | Blank = ""
    status: AccountStatus = AccountStatus.ACTIVE
    industry: Industry | Blank = ""
    enterprise_nature: EnterpriseNature | Blank = ""
    scale: Scale | Blank = ""
    province: str = Field("", max_length=50)
    city: str = Field("", max_length=50)
    address: str = Field("", max_length=300)
    website: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)
    organisation_structure: str = Field("", max_length=20_000)
    credit_rating: CreditRating | Blank = ""
    annual_sales: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    price_system: str = Field("", max_length=20_000)
    sales_policy: str = Field("", max_length=20_000)
    attitude: Attitude | Blank = ""
    customer_since: Day | None = None
    notes: str = Field("", max_length=20_000)
    owner: Id | None = Field(None, description="User id; defaults to you. Leads/managers only.")
    team: Id | None = Field(None, description="Defaults to the owner's team")
    parent: Id | None = Field(None, description="The corporate group account this one belongs to")
    co_owners: list[Id] = Field(default_factory=list, max_length=100)
    tags: list[str] = Field(default_factory=list, max_length=100)


AccountPatch = patch_schema(AccountIn, "AccountPatch")


class AccountOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    english_name: str
    credit_code: str
    kind: str
    organisation_form: str
    account_type: str
    status: str
    industry: str
    enterprise_nature: str
    scale: str
    province: str
    city: str
    address: str
    website: str
    phone: str
    organisation_structure: str
    credit_rating: str
    annual_sales: Decimal | None
    price_system: str
    sales_policy: str
    attitude: str
    customer_since: dt.date | None
    notes: str
    owner: int = Field(..., alias="owner_id")
    owner_name: str
    team: int | None = Field(None, alias="team_id")
    parent: int | None = Field(None, alias="parent_id")
    co_owners: list[int]
    tags: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner_name(obj: Account) -> str:
        return str(obj.owner)

    @staticmethod
    def resolve_co_owners(obj: Account) -> list[int]:
        return [u.pk for u in obj.co_owners.all()]

    @staticmethod
    def resolve_tags(obj: Account) -> list[str]:
        return [t.name for t in obj.tags.all()]


class AccountFilters(InputSchema):
    q: str | None = Field(None, max_length=200, description="Search name, short name, code")
    account_type: AccountType | None = None
    status: AccountStatus | None = None
    industry: Industry | None = None
    kind: AccountKind | None = None
    city: str | None = Field(None, max_length=50)
    owner: Id | None = None
    team: Id | None = None
    parent: Id | None = None
    tag: str | None = Field(None, max_length=50)
