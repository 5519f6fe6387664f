"""The shapes of /api/pipeline's reports: the board, the funnel, the forecast and win/loss."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from guanxi.core.schemas import Day, Id, InputSchema
from guanxi.pipeline.forecast import MAX_MONTHS
from guanxi.pipeline.models import OpportunityType
from guanxi.pipeline.reports import BOARD_CAP


class CardOut(Schema):
    id: int
    name: str
    account: int = Field(..., alias="account_id")
    account_name: str
    owner: int = Field(..., alias="owner_id")
    opportunity_type: str
    amount: Decimal
    probability: int
    expected_close: dt.date
    closed_on: dt.date | None
    next_step: str
    next_step_on: dt.date | None


class ColumnOut(Schema):
    stage: int
    name: str = Field(..., description="In the language of the request")
    outcome: str = Field(..., description="open, won or lost")
    probability: int
    count: int = Field(..., description="Deals in the column in all (cards holds the first)")
    amount: Decimal
    weighted: Decimal = Field(..., description="Σ amount × probability / 100")
    cards: list[CardOut] = Field(
        ..., description="Open deals soonest expected close first; won/lost newest first"
    )


class BoardOut(Schema):
    pipeline: int
    closed_since: dt.date = Field(
        ..., description="The won and lost columns hold deals closed since"
    )
    count: int = Field(..., description="Open deals")
    amount: Decimal
    weighted: Decimal
    columns: list[ColumnOut]


class BoardQuery(InputSchema):
    owner: Id | None = Field(None, description="Only this user's deals")
    opportunity_type: OpportunityType | None = None
    limit: int = Field(BOARD_CAP, ge=1, le=200, description="Cards per column")


class PeriodQuery(InputSchema):
    start: Day | None = Field(None, description="Default: three months before today")
    end: Day | None = Field(None, description="Default: today")
    owner: Id | None = Field(None, description="Only this user's deals")


class StepOut(Schema):
    stage: int
    name: str
    entered: int = Field(..., description="Deals that entered the stage in the period")
    advanced: int = Field(..., description="Of them, those that reached a later stage (not lost)")
    won: int
    conversion: float | None = Field(..., description="advanced / entered")
    win_rate: float | None = Field(..., description="won / entered")


class FunnelOut(Schema):
    pipeline: int
    start: dt.date
    end: dt.date
    steps: list[StepOut]


class CellOut(Schema):
    start: dt.date = Field(..., description="First day of the month or quarter")
    target: Decimal | None
    open_count: int
    open_amount: Decimal
    weighted: Decimal = Field(..., description="Open deals expected to close: amount × probability")
    won_count: int
    won: Decimal = Field(..., description="Deals won (closed) in the period")
    forecast: Decimal = Field(..., description="weighted + won")
    revenue: Decimal = Field(..., description="Revenue booked on the accounts (the month rollup)")
    forecast_attainment: float | None = Field(..., description="forecast / target")
    won_attainment: float | None = Field(..., description="won / target")
    revenue_attainment: float | None = Field(..., description="revenue / target")


class RowOut(Schema):
    kind: str = Field(..., description="kam, team or company")
    key: int | None = Field(..., description="The user's or the team's id")
    label: str
    months: list[CellOut]
    quarters: list[CellOut]
    total: CellOut


class ForecastOut(Schema):
    start: dt.date
    months: list[dt.date]
    rows: list[RowOut]


class ForecastQuery(InputSchema):
    start: Day | None = Field(None, description="Any day of the first month; default this month")
    months: int = Field(6, ge=1, le=MAX_MONTHS)
    owner: Id | None = Field(None, description="One KAM you may see (else 404)")
    team: Id | None = Field(None, description="One team you may see (else 404)")


class RateOut(Schema):
    key: str | None
    label: str
    won: int
    lost: int
    win_rate: float | None
    won_amount: Decimal


class WinLossOut(Schema):
    start: dt.date
    end: dt.date
    won: int
    lost: int
    win_rate: float | None
    cycle_days: float | None = Field(..., description="Average days from creation to close")
    by_source: list[RateOut]
    by_type: list[RateOut]
    by_stage_reached: list[RateOut]
    lost_reasons: list[RateOut]
