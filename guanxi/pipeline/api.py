"""/api/pipeline: the board, the funnel, the forecast against targets and win/loss, read
under the account access rule (the deals of the accounts the caller sees)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from guanxi.core.schemas import Day, Id, InputSchema
from guanxi.pipeline.forecast import MAX_MONTHS, Cell, forecast
from guanxi.pipeline.models import OpportunityType
from guanxi.pipeline.reports import BOARD_CAP, board, default_period, funnel, win_loss

reports_router = Router(tags=["pipeline"])


# --- Schemas ------------------------------------------------------------------------------------


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
    start: Day | None = Field(None, description="Default: a year before today")
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


# --- Endpoints ----------------------------------------------------------------------------------


@reports_router.get(
    "/board",
    response=BoardOut,
    summary="The pipeline board: open deals per stage, with each column's totals",
)
def board_read(request: HttpRequest, query: Query[BoardQuery]):
    kind = query.opportunity_type.value if query.opportunity_type else ""
    data = board(request.auth, owner=query.owner, opportunity_type=kind, cap=query.limit)
    return {
        "pipeline": data.pipeline.pk,
        "closed_since": data.closed_since,
        "count": data.count,
        "amount": data.amount,
        "weighted": data.weighted,
        "columns": [
            {
                "stage": c.stage.pk,
                "name": str(c.stage),
                "outcome": c.outcome,
                "probability": c.stage.probability,
                "count": c.count,
                "amount": c.amount,
                "weighted": c.weighted,
                "cards": [_card(d) for d in c.cards],
            }
            for c in data.columns
        ],
    }


def _card(deal: Any) -> dict:
    return {**deal.__dict__, "account_name": deal.account.name}


def _period(query: PeriodQuery) -> tuple[dt.date, dt.date]:
    start, end = default_period()
    start, end = query.start or start, query.end or end
    return (start, end) if start <= end else (end, start)


@reports_router.get(
    "/funnel",
    response=FunnelOut,
    summary="Stage conversion: of the deals that entered each stage, how many went on",
)
def funnel_read(request: HttpRequest, query: Query[PeriodQuery]):
    start, end = _period(query)
    data = funnel(request.auth, start=start, end=end, owner=query.owner)
    return {
        "pipeline": data.pipeline.pk,
        "start": start,
        "end": end,
        "steps": [
            {
                "stage": s.stage.pk,
                "name": str(s.stage),
                "entered": s.entered,
                "advanced": s.advanced,
                "won": s.won,
                "conversion": s.conversion,
                "win_rate": s.win_rate,
            }
            for s in data.steps
        ],
    }


def _cell(cell: Cell) -> dict:
    return {
        **cell.__dict__,
        "forecast": cell.forecast,
        "forecast_attainment": cell.forecast_attainment,
        "won_attainment": cell.won_attainment,
        "revenue_attainment": cell.revenue_attainment,
    }


@reports_router.get(
    "/forecast",
    response=ForecastOut,
    summary="Weighted forecast by month per KAM, team and company, against targets",
    description="A KAM sees their own row; a team lead the members of their team and the team; "
    "managers every KAM, every team and the company. Attainment two ways: revenue booked on "
    "the accounts and the deals won.",
)
def forecast_read(request: HttpRequest, query: Query[ForecastQuery]):
    data = forecast(
        request.auth, start=query.start, months=query.months, owner=query.owner, team=query.team
    )
    return {
        "start": data.start,
        "months": data.months,
        "rows": [
            {
                "kind": r.kind,
                "key": r.key,
                "label": r.label,
                "months": [_cell(c) for c in r.months],
                "quarters": [_cell(c) for c in r.quarters],
                "total": _cell(r.total),
            }
            for r in data.rows
        ],
    }


def _rates(rows: list) -> list[dict]:
    return [
        {
            "key": None if r.key is None else str(r.key),
            "label": str(r.label),
            "won": r.won,
            "lost": r.lost,
            "win_rate": r.win_rate,
            "won_amount": r.won_amount,
        }
        for r in rows
    ]


@reports_router.get(
    "/win-loss",
    response=WinLossOut,
    summary="Win/loss: win rate by source, type and stage reached; lost reasons; cycle time",
)
def win_loss_read(request: HttpRequest, query: Query[PeriodQuery]):
    start, end = _period(query)
    data = win_loss(request.auth, start=start, end=end, owner=query.owner)
    return {
        "start": start,
        "end": end,
        "won": data.total.won,
        "lost": data.total.lost,
        "win_rate": data.total.win_rate,
        "cycle_days": data.cycle_days,
        "by_source": _rates(data.by_source),
        "by_type": _rates(data.by_type),
        "by_stage_reached": _rates(data.by_stage_reached),
        "lost_reasons": _rates(data.lost_reasons),
    }
