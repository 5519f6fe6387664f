"""Background job: score every account (`guanxi analyze`, first step of the nightly chain)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from guanxi.core.jobs import recorded_task


def analytics_job(*, as_of: dt.date | None = None, progress: bool = False) -> dict[str, Any]:
    """Run the analysis up to the end of ``as_of`` (default today, local time).

    Cost to serve is not passed: `analysis_run` reads it from the touchpoints itself.
    """
    # deferred: Huey imports every tasks.py at start-up; the analysis pulls in polars and scipy
    from guanxi.insights.services import analysis_run

    run = analysis_run(as_of=as_of, progress=progress)
    return {
        "run": run.pk,
        "as_of": run.observation_end,
        "accounts": run.n_accounts,
        "transactions": run.n_transactions,
    }


analytics = recorded_task("analytics")(analytics_job)
