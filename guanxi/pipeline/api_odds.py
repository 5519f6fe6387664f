"""GET /api/pipeline/odds: the deal-odds model's status and its calibration on the holdout.

Aggregates only (no customer's data), so every signed-in user may read it. Kept apart from the
pipeline's own router so the two can be written side by side; `guanxi/api.py` mounts it.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from guanxi.pipeline.models import OddsModel
from guanxi.pipeline.odds import (
    FEATURES,
    latest_odds_attempt,
    latest_odds_model,
    status_message,
)

router = Router(tags=["pipeline"])


class ReliabilityBinOut(Schema):
    low: float
    high: float
    predicted: float
    observed: float
    count: int


class OddsModelOut(Schema):
    id: int
    trained_at: dt.datetime
    n_deals: int
    n_won: int
    n_lost: int
    n_holdout: int
    base_rate: float | None
    brier_score: float | None
    baseline_brier_score: float | None
    reliability: list[ReliabilityBinOut]
    n_predicted: int
    features: list[str]

    @staticmethod
    def resolve_features(obj: OddsModel) -> list[str]:
        return list(obj.model.get("feature_names", FEATURES))


class OddsAttemptOut(Schema):
    trained_at: dt.datetime
    status: str
    message: str

    @staticmethod
    def resolve_message(obj: OddsModel) -> str:
        return status_message(obj)

    n_won: int
    n_lost: int


class OddsOut(Schema):
    status: str  # "trained", "insufficient" (the newest training found too few deals), "none"
    message: str
    latest_attempt: OddsAttemptOut | None
    model: OddsModelOut | None


@router.get(
    "/odds",
    response=OddsOut,
    summary="Deal odds: the model's status and its calibration (Brier score, reliability)",
)
def odds_status(request: HttpRequest):
    attempt = latest_odds_attempt()
    model = latest_odds_model()
    if attempt is None:
        status, message = "none", _("No deal-odds model has been trained yet.")
    else:
        status, message = attempt.status, status_message(attempt)
    return {"status": status, "message": message, "latest_attempt": attempt, "model": model}
