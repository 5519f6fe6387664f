"""/api/insights: analysis runs, and each account's score history."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema

from guanxi.accounts.services import account_for_actor
from guanxi.core.errors import NotFound
from guanxi.core.schemas import MAX_ID, ErrorOut
from guanxi.insights.selectors import account_score_history, latest_run

router = Router(tags=["insights"])


class RunOut(Schema):
    id: int
    status: str
    observation_end: dt.date
    started_at: dt.datetime
    finished_at: dt.datetime | None
    model_version: str
    parameters: dict
    n_accounts: int
    n_transactions: int
    purchase_model: dict
    spend_model: dict
    calibration: dict
    pareto: dict
    segment_counts: dict
    warnings: list
    error: str


class ScoreOut(Schema):
    run_id: int
    observation_end: dt.date
    frequency: int
    recency: float
    age: float
    periods_since_last: float
    total_revenue: float
    total_cost: float
    r_score: int
    f_score: int
    m_score: int
    rfm_cell: str
    segment: str
    abc_class: str
    revenue_rank: int
    expected_purchases_90d: float | None
    p_alive: float | None
    expected_spend: float | None
    clv: float | None
    cost_to_serve: float
    historic_clp: float
    predictive_clp: float | None

    @staticmethod
    def resolve_observation_end(obj) -> dt.date:
        return obj.run.observation_end


@router.get(
    "/runs/latest",
    response={200: RunOut, 404: ErrorOut},
    summary="The latest successful analysis run: fitted models, holdout check, Pareto curve",
)
def run_latest(request: HttpRequest):
    run = latest_run()
    if run is None:
        raise NotFound(_("No analysis has run yet; start one with `guanxi analyze`."))
    return run


@router.get(
    "/accounts/{account_id}/scores",
    response=list[ScoreOut],
    summary="An account's scores over the analysis runs, oldest first",
)
def account_scores(request: HttpRequest, account_id: int = Path(..., ge=1, le=MAX_ID)):
    account = account_for_actor(actor=request.auth, account_id=account_id, field="id")
    return account_score_history(account)
