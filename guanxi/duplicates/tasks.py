"""The duplicate finder as a recorded job: `duplicates_find` (all pairs, or with ``hours``
only the blocks holding a row changed in the last hours; `guanxi duplicates --since-hours 26`)
and its nightly step `duplicates_nightly_job` (`workspace.tasks.NIGHTLY_STEPS`): incremental,
it reads only the blocks holding a record created or changed since the last successful run
started (a full run the first night), so it stays cheap however large the book grows, and
scores the open pairs of the queue again by today's rules (`finder.open_pairs_rescore`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from guanxi.core.jobs import recorded_task
from guanxi.core.models import JobRun, JobStatus
from guanxi.duplicates.finder import Found, candidates_find

JOB_NAME = "duplicates_find"


def duplicates_find_job(*, hours: int | None = None, **_ignored: Any) -> dict[str, Any]:
    since = timezone.now() - dt.timedelta(hours=hours) if hours else None
    return _summary(candidates_find(since=since))


def _summary(found: Found) -> dict[str, Any]:
    return {"account_pairs": found.accounts, "contact_pairs": found.contacts,
            "skipped_blocks": found.skipped_blocks,
            "rescored_away": found.rescored_away}  # fmt: skip


def last_run_started() -> dt.datetime | None:
    """When the last successful run of the finder started (by hand or nightly): rows changed
    after that are the ones it has not seen."""
    return (
        JobRun.objects.filter(name=JOB_NAME, status=JobStatus.SUCCEEDED)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )


def duplicates_nightly_job(
    *, as_of: dt.date | None = None, progress: bool = False
) -> dict[str, Any]:
    """The nightly step: the pairs among the records changed since the last run (every record
    the first time). The chain records it under the finder's name, so the next night starts
    from this run."""
    since = last_run_started()
    return {"full": since is None, **_summary(candidates_find(since=since))}


duplicates_find = recorded_task(JOB_NAME)(duplicates_find_job)
