"""Background job: train the deal odds on the closed deals and predict the open ones (a step of
the nightly chain, after the tiers and the policy tasks it reads)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from guanxi.core.jobs import recorded_task
from guanxi.pipeline.odds import odds_train, status_message


def odds_train_job(*, as_of: dt.date | None = None, progress: bool = False) -> dict[str, Any]:
    """Train as of ``as_of`` (default today, local time): open deals' features are read as of
    that day. Too few closed deals is not a failure: the summary says so and the chain goes on."""
    record = odds_train(today=as_of)
    return {
        "model": record.pk,
        "status": record.status,
        "deals": record.n_deals,
        "won": record.n_won,
        "lost": record.n_lost,
        "holdout": record.n_holdout,
        "brier_score": record.brier_score,
        "baseline_brier_score": record.baseline_brier_score,
        "predicted": record.n_predicted,
        "message": status_message(record),
    }


odds_train_task = recorded_task("odds_train")(odds_train_job)
