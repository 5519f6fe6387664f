"""The deal-odds status and calibration as the API shows them (`GET /api/pipeline/odds`)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from guanxi.pipeline.models import OddsModel
from guanxi.pipeline.odds import FEATURES, status_message


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
