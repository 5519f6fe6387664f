"""/api/opportunities: deals (商机) — list, create, read, change, delete (open ones), move to a
stage, event lines — and /api/pipeline: the pipelines with their stages, the lost reasons, and
the reports (board, funnel, forecast against targets, win/loss; `pipeline.reports`/`forecast`).

Access: a deal is seen by whoever sees its account; a deal out of sight is a 404. Errors: 404
missing or out of sight, 403 an owner the caller may not name, 409 deleting a won or lost
deal, 422 bad input naming the field (a stage of another pipeline, a lost move without a lost
reason, a contact of another account, the stage sent in a PATCH)."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from guanxi.core.errors import NotFound
from guanxi.core.schemas import MAX_ID, paged_list
from guanxi.pipeline import selectors, services
from guanxi.pipeline.forecast import Cell, forecast
from guanxi.pipeline.models import LostReason, OpportunityLine
from guanxi.pipeline.odds import latest_odds_attempt, latest_odds_model, status_message
from guanxi.pipeline.odds_schemas import OddsOut
from guanxi.pipeline.report_schemas import (
    BoardOut,
    BoardQuery,
    ForecastOut,
    ForecastQuery,
    FunnelOut,
    PeriodQuery,
    WinLossOut,
)
from guanxi.pipeline.reports import board, default_period, funnel, win_loss
from guanxi.pipeline.schemas import (
    LostReasonOut,
    OpportunityDetailOut,
    OpportunityFilters,
    OpportunityIn,
    OpportunityLineIn,
    OpportunityLineOut,
    OpportunityLinePatch,
    OpportunityMoveIn,
    OpportunityOut,
    OpportunityPatch,
    PipelineOut,
)

router = Router(tags=["opportunities"])
pipeline_router = Router(tags=["pipeline"])

OpportunityId = Path(..., ge=1, le=MAX_ID)
LineId = Path(..., ge=1, le=MAX_ID)


def _detail(request: HttpRequest, pk: int) -> dict:
    o = selectors.opportunity_for_actor(request.auth, pk)
    body = {
        name: getattr(o, name) for name in OpportunityDetailOut.model_fields if hasattr(o, name)
    }
    body.update(
        account_id=o.account_id, account_name=o.account.name, opportunity_type=o.opportunity_type,
        pipeline_id=o.pipeline_id, stage_id=o.stage_id, stage_name=str(o.stage),
        owner_id=o.owner_id, source_id=o.source_id, lead_id=o.lead_id,
        lost_reason_id=o.lost_reason_id,
        contacts=list(o.contacts.values_list("pk", flat=True)),
        lines=list(selectors.lines_of(o)),
        stage_log=list(selectors.stage_log(o)),
        stage_times=[
            {"stage": t.stage.pk, "stage_name": str(t.stage), "seconds": t.seconds,
             "days": t.days, "visits": t.visits, "current": t.current}
            for t in selectors.stage_times(o)
        ],
        expected_revenue=[
            {"month": r.month, "category": r.category.code if r.category else None,
             "amount": r.amount}
            for r in o.expected_revenue.select_related("category")
        ],
    )  # fmt: skip
    return body


def _fields(data: dict) -> dict:
    if "type" in data:
        data["opportunity_type"] = data.pop("type")
    return data


def _line(request: HttpRequest, opportunity_id: int, line_id: int) -> OpportunityLine:
    o = selectors.opportunity_for_actor(request.auth, opportunity_id)
    line = OpportunityLine.objects.filter(pk=line_id, opportunity=o).first()
    if line is None:
        raise NotFound(_("Line %(id)s not found.") % {"id": line_id}, field="line_id")
    return line


@paged_list(
    router,
    OpportunityOut,
    "Deals you can see, by expected close (filters: owner, stage, pipeline, type, "
    "outcome, expected close range, account, name)",
)
def list_opportunities(request: HttpRequest, filters: Query[OpportunityFilters]):
    return selectors.opportunity_list(
        request.auth,
        owner=filters.owner,
        stage=filters.stage,
        pipeline=filters.pipeline,
        opportunity_type=filters.type,
        outcome=filters.outcome,
        close_from=filters.close_from,
        close_to=filters.close_to,
        account=filters.account,
        search=filters.q,
    )


@router.post(
    "",
    response={201: OpportunityDetailOut},
    summary="Open a deal on an account you see (stage default: the first open stage; owner "
    "default: you; probability default: the stage's)",
)
def create_opportunity(request: HttpRequest, payload: OpportunityIn):
    data = _fields(payload.model_dump())
    for name in ("probability", "lead", "source", "closed_on", "lost_reason"):
        if data[name] is None:
            data.pop(name)
    o = services.opportunity_create(actor=request.auth, **data)
    return Status(201, _detail(request, o.pk))


@router.get(
    "/{opportunity_id}",
    response=OpportunityDetailOut,
    summary="A deal with its lines, stage log, cycle time per stage and expected revenue",
)
def get_opportunity(request: HttpRequest, opportunity_id: int = OpportunityId):
    return _detail(request, opportunity_id)


@router.patch(
    "/{opportunity_id}",
    response=OpportunityDetailOut,
    summary="Change a deal's fields (only those sent); the stage changes only by a move, the "
    "account only while the deal is open",
)
def update_opportunity(
    request: HttpRequest, payload: OpportunityPatch, opportunity_id: int = OpportunityId
):
    data = _fields(payload.model_dump(exclude_unset=True))
    if data.get("owner", 0) is None:
        data.pop("owner")
    services.opportunity_update(actor=request.auth, opportunity=opportunity_id, **data)
    return _detail(request, opportunity_id)


@router.delete(
    "/{opportunity_id}",
    response={204: None},
    summary="Delete an open deal (a won or lost one is kept: 409)",
)
def delete_opportunity(request: HttpRequest, opportunity_id: int = OpportunityId):
    services.opportunity_delete(actor=request.auth, opportunity=opportunity_id)
    return Status(204, None)


@router.post(
    "/{opportunity_id}/move",
    response=OpportunityDetailOut,
    summary="Move a deal to a stage of its pipeline (logged with the time in the stage left); "
    "lost needs lost_reason; won keeps the expected revenue; leaving won or lost clears them",
)
def move_opportunity(
    request: HttpRequest, payload: OpportunityMoveIn, opportunity_id: int = OpportunityId
):
    services.opportunity_move(
        actor=request.auth, opportunity=opportunity_id, **payload.model_dump()
    )
    return _detail(request, opportunity_id)


@router.post(
    "/{opportunity_id}/lines",
    response={201: OpportunityLineOut},
    summary="Add an event line (rooms, meeting space, F&B …); the amount follows the lines "
    "when amount_from_lines",
)
def add_line(request: HttpRequest, payload: OpportunityLineIn, opportunity_id: int = OpportunityId):
    data = payload.model_dump()
    line = services.opportunity_line_add(actor=request.auth, opportunity=opportunity_id, **data)
    return Status(201, line)


@router.patch("/{opportunity_id}/lines/{line_id}", response=OpportunityLineOut,
              summary="Change an event line (only the fields sent)")  # fmt: skip
def update_line(
    request: HttpRequest,
    payload: OpportunityLinePatch,
    opportunity_id: int = OpportunityId,
    line_id: int = LineId,
):
    line = _line(request, opportunity_id, line_id)
    data = payload.model_dump(exclude_unset=True)
    return services.opportunity_line_update(actor=request.auth, line=line, **data)


@router.delete("/{opportunity_id}/lines/{line_id}", response={204: None},
               summary="Remove an event line")  # fmt: skip
def delete_line(request: HttpRequest, opportunity_id: int = OpportunityId, line_id: int = LineId):
    line = _line(request, opportunity_id, line_id)
    with transaction.atomic():
        services.opportunity_line_delete(actor=request.auth, line=line)
    return Status(204, None)


@pipeline_router.get("/stages", response=list[PipelineOut],
                     summary="The active pipelines with their active stages in order")  # fmt: skip
def list_stages(request: HttpRequest):
    return selectors.pipelines_with_stages()


@pipeline_router.get("/lost-reasons", response=list[LostReasonOut],
                     summary="The active lost reasons (for a move to a lost stage)")  # fmt: skip
def list_lost_reasons(request: HttpRequest):
    return list(LostReason.objects.filter(active=True).order_by("position", "id"))


@pipeline_router.get(
    "/odds",
    response=OddsOut,
    summary="Deal odds: the model's status and its calibration (Brier score, reliability)",
)
def odds_status(request: HttpRequest):
    # Aggregates only (no customer's data), so every signed-in user may read it.
    attempt = latest_odds_attempt()
    model = latest_odds_model()
    if attempt is None:
        status, message = "none", _("No deal-odds model has been trained yet.")
    else:
        status, message = attempt.status, status_message(attempt)
    return {"status": status, "message": message, "latest_attempt": attempt, "model": model}


# --- Reports: board, funnel, forecast, win/loss ------------------------------------------------


@pipeline_router.get(
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


@pipeline_router.get(
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


@pipeline_router.get(
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


@pipeline_router.get(
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
