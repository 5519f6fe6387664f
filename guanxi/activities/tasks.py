"""Background job: turn the tier policies into tasks for the account owners (`guanxi tasks`,
the last step of the nightly chain)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from guanxi.activities.services import policy_tasks_sync
from guanxi.core.jobs import recorded_task


def policy_tasks_job(*, as_of: dt.date | None = None, progress: bool = False) -> dict[str, Any]:
    """Create, reschedule, reassign and cancel policy tasks as of ``as_of`` (default today)."""

    result = policy_tasks_sync(as_of=as_of, progress=progress)
    if dataclasses.is_dataclass(result):
        return dataclasses.asdict(result)
    return dict(vars(result))


policy_tasks = recorded_task("policy_tasks")(policy_tasks_job)
