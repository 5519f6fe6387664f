"""API schemas for contacts, their profile (facts with provenance), related people and key dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from guanxi.contacts.models import Contact, FactSource, Gender, KeyDateKind, Relation
from guanxi.core.schemas import MAX_ID, Day, InputSchema, patch_schema


class ContactIn(InputSchema):
    account: int = Field(..., ge=1, le=MAX_ID, description="Account id")
    code: str = Field(..., min_length=1, max_length=40, description="Your contact number")
    name: str = Field(..., min_length=1, max_length=100)
    english_name: str = Field("", max_length=100)
    nickname: str = Field("", max_length=50)
    gender: Gender = Gender.UNKNOWN
    birthday: Day | None = None
    title: str = Field("", max_length=100)
    department: str = Field("", max_length=100)
    mobile: str = Field("", max_length=40)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    wechat: str = Field("", max_length=60)
    is_primary: bool = False
    is_active: bool = True
    notes: str = Field("", max_length=20_000)


ContactPatch = patch_schema(ContactIn, "ContactPatch")


class ContactOut(Schema):
    id: int
    account: int = Field(..., alias="account_id")
    account_name: str
    code: str
    name: str
    english_name: str
    nickname: str
    gender: str
    birthday: dt.date | None
    constellation: str
    chinese_zodiac: str
    title: str
    department: str
    mobile: str
    phone: str
    email: str
    wechat: str
    is_primary: bool
    is_active: bool
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_account_name(obj: Contact) -> str:
        return obj.account.name


class ContactFilters(InputSchema):
    q: str | None = Field(None, max_length=200, description="Search name, mobile, email, code")
    account: int | None = Field(None, ge=1, le=MAX_ID)
    gender: Gender | None = None
    title: str | None = Field(None, max_length=100, description="Title contains")
    birthday_month: int | None = Field(None, ge=1, le=12)
    is_active: bool | None = None


# --- Profile -----------------------------------------------------------------------------------


class ProvenanceOut(Schema):
    fact_id: int
    recorded_by: str | None
    recorded_at: dt.datetime
    source: str
    verified: bool
    verified_by: str | None
    verified_at: dt.datetime | None


class ProfileFieldOut(Schema):
    key: str
    label: str
    kind: str
    help: str
    choices: list[str]
    value: Any = None
    display: str
    provenance: ProvenanceOut | None = None


class ProfileGroupOut(Schema):
    key: str
    label: str
    description: str
    fields: list[ProfileFieldOut]


class ProfileOut(Schema):
    contact: int
    groups: list[ProfileGroupOut]


class ProfileGroupIn(InputSchema):
    values: dict[str, Any] = Field(
        ..., description="Field key → value; an empty value removes the fact"
    )
    source: FactSource = FactSource.CONVERSATION


# --- Related people and key dates -------------------------------------------------------------


class RelatedPersonIn(InputSchema):
    relation: Relation
    name: str = Field(..., min_length=1, max_length=100)
    phone: str = Field("", max_length=40)
    birthday: Day | None = None
    notes: str = Field("", max_length=300)


RelatedPersonPatch = patch_schema(RelatedPersonIn, "RelatedPersonPatch")


class RelatedPersonOut(Schema):
    id: int
    contact: int = Field(..., alias="contact_id")
    relation: str
    name: str
    phone: str
    birthday: dt.date | None
    notes: str


class KeyDateIn(InputSchema):
    kind: KeyDateKind
    date: Day
    label: str = Field("", max_length=100)


KeyDatePatch = patch_schema(KeyDateIn, "KeyDatePatch")


class KeyDateOut(Schema):
    id: int
    contact: int = Field(..., alias="contact_id")
    kind: str
    date: dt.date
    label: str
