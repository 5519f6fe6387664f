"""API shapes of opportunities, their event lines, stage moves, and the pipelines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from guanxi.core.schemas import MAX_ID, Day, Id, InputSchema, patch_schema
from guanxi.pipeline.models import LineKind, OpportunityType, Outcome

MONEY = {"max_digits": 14, "decimal_places": 2, "ge": 0}
QUANTITY = {"max_digits": 10, "decimal_places": 2, "ge": 0}
TEXT = 20000


class OpportunityFilters(InputSchema):
    owner: int | None = Field(None, ge=1, le=MAX_ID)
    stage: int | None = Field(None, ge=1, le=MAX_ID)
    pipeline: int | None = Field(None, ge=1, le=MAX_ID)
    type: OpportunityType | None = Field(None, description="The opportunity type")
    outcome: Outcome | None = None
    close_from: Day | None = Field(None, description="Expected close on or after")
    close_to: Day | None = Field(None, description="Expected close on or before")
    account: int | None = Field(None, ge=1, le=MAX_ID)
    q: str = Field("", max_length=100, description="Part of the name")


class OpportunityOut(Schema):
    id: int
    name: str
    account: int = Field(..., alias="account_id")
    account_name: str
    type: str = Field(..., alias="opportunity_type")
    pipeline: int = Field(..., alias="pipeline_id")
    stage: int = Field(..., alias="stage_id")
    stage_name: str
    outcome: str
    amount: Decimal
    amount_from_lines: bool
    probability: int
    predicted_probability: float | None = None
    expected_close: dt.date
    owner: int = Field(..., alias="owner_id")
    next_step: str
    next_step_on: dt.date | None = None
    closed_on: dt.date | None = None
    stage_changed_at: dt.datetime

    @staticmethod
    def resolve_account_name(obj) -> str:
        return obj["account_name"] if isinstance(obj, dict) else obj.account.name

    @staticmethod
    def resolve_stage_name(obj) -> str:
        return obj["stage_name"] if isinstance(obj, dict) else str(obj.stage)


class OpportunityLineOut(Schema):
    id: int
    kind: str
    category: str | None = Field(None, description="Product category code")
    day: dt.date | None = None
    quantity: Decimal
    unit_price: Decimal
    total: Decimal
    description: str

    @staticmethod
    def resolve_total(obj) -> Decimal:
        return obj.total.quantize(Decimal("0.01"))

    @staticmethod
    def resolve_category(obj) -> str | None:
        return obj.category.code if obj.category_id else None


class OpportunityStageTimeOut(Schema):
    stage: int
    stage_name: str
    seconds: int
    days: float
    visits: int
    current: bool


class OpportunityStageChangeOut(Schema):
    from_stage: int | None = Field(None, alias="from_stage_id")
    to_stage: int = Field(..., alias="to_stage_id")
    changed_at: dt.datetime
    actor: int | None = Field(None, alias="actor_id")
    seconds_in_from_stage: int | None = None


class ExpectedRevenueOut(Schema):
    month: dt.date
    category: str | None = None
    amount: Decimal


class OpportunityDetailOut(OpportunityOut):
    contacts: list[int]
    competitor: str
    source: int | None = Field(None, alias="source_id")
    campaign: str
    lead: int | None = Field(None, alias="lead_id")
    lost_reason: int | None = Field(None, alias="lost_reason_id")
    lost_note: str
    event_start: dt.date | None = None
    event_end: dt.date | None = None
    attendees: int | None = None
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime
    lines: list[OpportunityLineOut]
    stage_log: list[OpportunityStageChangeOut]
    stage_times: list[OpportunityStageTimeOut] = Field(..., description="Cycle time per stage")
    expected_revenue: list[ExpectedRevenueOut] = Field(
        ..., description="By month and category, while the deal is won"
    )


class OpportunityLineIn(InputSchema):
    kind: LineKind
    quantity: Decimal = Field(..., **QUANTITY)
    unit_price: Decimal = Field(..., **MONEY)
    day: Day | None = None
    category: str | None = Field(None, max_length=30, description="Product category code")
    description: str = Field("", max_length=200)


OpportunityLinePatch = patch_schema(OpportunityLineIn, "OpportunityLinePatch")


class _OpportunityFields(InputSchema):
    account: Id
    name: str = Field(..., min_length=1, max_length=200)
    type: OpportunityType = OpportunityType.OTHER
    amount: Decimal = Field(Decimal(0), **MONEY)
    amount_from_lines: bool = False
    probability: int | None = Field(
        None, ge=0, le=100, description="Default (or null in a PATCH): the stage's"
    )
    expected_close: Day
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="Default: you")
    contacts: list[Id] = Field(default_factory=list, max_length=100)
    next_step: str = Field("", max_length=200)
    next_step_on: Day | None = None
    competitor: str = Field("", max_length=100)
    source: int | None = Field(None, ge=1, le=MAX_ID)
    campaign: str = Field("", max_length=100)
    event_start: Day | None = None
    event_end: Day | None = None
    attendees: int | None = Field(None, ge=0, le=10_000_000)
    notes: str = Field("", max_length=TEXT)


class _PatchFields(_OpportunityFields):
    closed_on: Day | None = Field(None, description="Closed deals only")
    lost_reason: int | None = Field(None, ge=1, le=MAX_ID, description="Lost deals only")
    lost_note: str = Field("", max_length=TEXT)


OpportunityPatch = patch_schema(_PatchFields, "OpportunityPatch")


class OpportunityIn(_PatchFields):
    stage: int | None = Field(
        None, ge=1, le=MAX_ID, description="Default: the default pipeline's first open stage"
    )
    lead: int | None = Field(None, ge=1, le=MAX_ID)
    lines: list[OpportunityLineIn] = Field(default_factory=list, max_length=500)


class OpportunityMoveIn(InputSchema):
    stage: Id
    lost_reason: int | None = Field(None, ge=1, le=MAX_ID, description="Required when lost")
    lost_note: str = Field("", max_length=TEXT)
    closed_on: Day | None = Field(None, description="When won or lost; default: today")
    probability: int | None = Field(None, ge=0, le=100, description="Default: the new stage's")


class PipelineStageOut(Schema):
    id: int
    name: str
    key: str = Field(..., alias="builtin", description="Built-in stage key; empty if custom")
    position: int
    probability: int
    outcome: str
    stale_after_days: int

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)


class PipelineOut(Schema):
    id: int
    name: str
    is_default: bool
    stages: list[PipelineStageOut]

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)

    @staticmethod
    def resolve_stages(obj) -> list:
        return list(obj.stages.all())


class LostReasonOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)
