"""/api/lights, /api/loyalty and /api/referrals: the warning lights (list with filters, one
light, the KAM's feedback, the company's countermeasure and the status), the loyalty matrix
(counts per cell, the accounts of a cell) and referrals (转介绍). Access as for accounts: what the
caller may not see is a 404."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from guanxi.core.schemas import MAX_ID, Day, Id, InputSchema, Pagination
from guanxi.loyalty import selectors, services
from guanxi.loyalty.models import LightColour, LightStatus, LoyaltyCell
from guanxi.loyalty.words import reason_words

lights_router = Router(tags=["loyalty"])
loyalty_router = Router(tags=["loyalty"])
referrals_router = Router(tags=["loyalty"])

ObjId = Path(..., ge=1, le=MAX_ID)
TEXT = 4000


# --- Warning lights -----------------------------------------------------------------------------


class LightOut(Schema):
    id: int
    account: int = Field(..., alias="account_id")
    account_name: str = Field(..., alias="account.name")
    owner: int | None = Field(None, alias="account.owner_id", description="The account's KAM")
    rule: str = Field(..., alias="rule.code")
    rule_name: str = Field(..., description="The rule's name in the language of the request")
    kind: str = Field(..., alias="rule.kind", description="The rule's evaluator")
    colour: str = Field(..., description="red or yellow")
    reason: str = Field(..., description="Why the light is lit, in the language of the request")
    facts: dict = Field(..., description="The facts of the reason (numbers, dates, names)")
    raised_at: dt.datetime
    last_seen_on: dt.date
    cleared_at: dt.datetime | None = Field(None, description="Set when the reason went away")
    status: str = Field(..., description="open, acknowledged or resolved")
    kam_feedback: str
    feedback_by: int | None = Field(None, alias="feedback_by_id")
    feedback_at: dt.datetime | None = None
    countermeasure: str
    countermeasure_by: int | None = Field(None, alias="countermeasure_by_id")
    countermeasure_at: dt.datetime | None = None

    @staticmethod
    def resolve_rule_name(obj) -> str:
        return obj.rule.label

    @staticmethod
    def resolve_reason(obj) -> str:
        return reason_words(obj)


class LightQuery(InputSchema):
    colour: LightColour | None = None
    status: LightStatus | None = None
    rule: str | None = Field(None, max_length=40, description="A rule's code")
    account: int | None = Field(None, ge=1, le=MAX_ID)
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="The account's KAM")
    lit: bool | None = Field(True, description="true: lit now (default); false: cleared")
    mine: bool = Field(False, description="Only the lights on accounts you own")


class LightPatch(InputSchema):
    kam_feedback: str | None = Field(None, max_length=TEXT, description="The KAM's feedback")
    countermeasure: str | None = Field(
        None, max_length=TEXT, description="The company's countermeasure (team leads, managers)"
    )
    status: LightStatus | None = None


@lights_router.get("", response=list[LightOut], summary="Warning lights you can see")
@paginate(Pagination)
def list_lights(request: HttpRequest, query: Query[LightQuery]):
    filters = selectors.LightFilters(
        colour=query.colour,
        status=query.status,
        rule=query.rule,
        account_id=query.account,
        owner_id=request.auth.pk if query.mine else query.owner,
        lit=query.lit,
    )
    return selectors.light_list(actor=request.auth, filters=filters)


@lights_router.get("/{light_id}", response=LightOut, summary="A warning light")
def get_light(request: HttpRequest, light_id: int = ObjId):
    return selectors.light_get(actor=request.auth, light_id=light_id)


@lights_router.patch(
    "/{light_id}",
    response=LightOut,
    summary="Record the KAM's feedback, the countermeasure or the status of a light",
)
def update_light(request: HttpRequest, payload: LightPatch, light_id: int = ObjId):
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    services.light_update(actor=request.auth, light=light_id, **changes)
    return selectors.light_get(actor=request.auth, light_id=light_id)


# --- Loyalty matrix -----------------------------------------------------------------------------


class CellCountOut(Schema):
    cell: str = Field(..., description=", ".join(LoyaltyCell.values))
    label: str
    count: int


class MatrixOut(Schema):
    cells: list[CellCountOut] = Field(..., description="Accounts per cell, no survey yet last")


class LoyaltyOut(Schema):
    account: int = Field(..., alias="account_id")
    account_name: str = Field(..., alias="account.name")
    cell: str
    behavioural: str = Field(..., description="high or low")
    repeat_purchases: int
    p_alive: float | None = None
    attitude_source: str = Field(..., description="nps, csat, servqual or empty")
    attitude_value: float | None = None
    attitude_on: dt.date | None = None
    as_of: dt.date


class CellQuery(InputSchema):
    cell: LoyaltyCell


@loyalty_router.get("/matrix", response=MatrixOut, summary="Accounts per loyalty cell")
def loyalty_matrix(request: HttpRequest):
    counts = selectors.loyalty_counts(request.auth)
    return {
        "cells": [
            {"cell": cell.value, "label": str(cell.label), "count": counts.get(cell.value, 0)}
            for cell in LoyaltyCell
        ]
    }


@loyalty_router.get("/accounts", response=list[LoyaltyOut], summary="The accounts of one cell")
@paginate(Pagination)
def loyalty_accounts(request: HttpRequest, query: Query[CellQuery]):
    return selectors.loyalty_accounts(actor=request.auth, cell=query.cell)


# --- Referrals ----------------------------------------------------------------------------------


class ReferralIn(InputSchema):
    referrer_account: Id | None = Field(None, description="Default: the referring contact's")
    referrer_contact: Id | None = None
    referred_account: Id | None = None
    referred_lead: Id | None = None
    referred_on: Day | None = Field(None, description="Default: today")
    note: str = Field("", max_length=TEXT)


class ReferralOut(Schema):
    id: int
    referrer_account: int = Field(..., alias="referrer_account_id")
    referrer_contact: int | None = Field(None, alias="referrer_contact_id")
    referred_account: int | None = Field(None, alias="referred_account_id")
    referred_lead: int | None = Field(None, alias="referred_lead_id")
    referred_on: dt.date
    note: str
    value: Decimal = Field(..., description="The referred account's revenue to date (0: a lead)")


class ReferralQuery(InputSchema):
    referrer_account: int | None = Field(None, ge=1, le=MAX_ID)
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="The referring account's KAM")
    team: int | None = Field(None, ge=1, le=MAX_ID, description="The referring account's team")
    since: Day | None = Field(None, description="Referred on or after this day")
    until: Day | None = Field(None, description="Referred on or before this day")


@referrals_router.get("", response=list[ReferralOut], summary="Referrals you can see")
@paginate(Pagination)
def list_referrals(request: HttpRequest, query: Query[ReferralQuery]):
    filters = selectors.ReferralFilters(
        owner_id=query.owner,
        team_id=query.team,
        since=query.since,
        until=query.until,
        referrer_account_id=query.referrer_account,
    )
    return selectors.referral_list(actor=request.auth, filters=filters)


@referrals_router.post("", response={201: ReferralOut}, summary="Record a referral")
def create_referral(request: HttpRequest, payload: ReferralIn):
    data = payload.model_dump()
    referral = services.referral_create(
        actor=request.auth,
        referrer_account_id=data["referrer_account"],
        referrer_contact_id=data["referrer_contact"],
        referred_account_id=data["referred_account"],
        referred_lead_id=data["referred_lead"],
        referred_on=data["referred_on"],
        note=data["note"],
    )
    return Status(201, selectors.referral_get(actor=request.auth, referral_id=referral.pk))


@referrals_router.get("/{referral_id}", response=ReferralOut, summary="A referral")
def get_referral(request: HttpRequest, referral_id: int = ObjId):
    return selectors.referral_get(actor=request.auth, referral_id=referral_id)
