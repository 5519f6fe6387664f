""""Re-evaluate tiers now" (the button on the tier pages): tiering, then the policy tasks, as one
background job so the tasks are synced against the NEW tiers (two separate jobs could run side by
side on two workers). Each step is recorded as its own JobRun, like the nightly chain."""

from __future__ import annotations

import datetime as dt
from typing import Any

from guanxi.core.jobs import job_record, recorded_task


def tier_reevaluate_job(
    *, as_of: dt.date | None = None, attempt: int = 1, final: bool = True
) -> dict[str, Any]:
    from guanxi.activities.tasks import policy_tasks_job
    from guanxi.tiers.tasks import tiering_job

    tiering = job_record("tiering", tiering_job, attempt=attempt, final=final, as_of=as_of)
    tasks = job_record(
        "policy_tasks", policy_tasks_job, attempt=attempt, final=final, as_of=as_of
    )
    return {"tiering": tiering, "policy_tasks": tasks}


tier_reevaluate = recorded_task("tier_reevaluate", pass_attempt=True)(tier_reevaluate_job)
