"""The duplicate finder as a recorded job: `duplicates_find` (all pairs, or with ``hours``
only the blocks holding a row changed in the last hours: the incremental run a nightly chain
would use; `guanxi duplicates --since-hours 26`). Not in `workspace.tasks.NIGHTLY_STEPS` yet:
see the merge note in the issue's report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from guanxi.core.jobs import recorded_task
from guanxi.duplicates.finder import candidates_find


def duplicates_find_job(*, hours: int | None = None, **_ignored: Any) -> dict[str, Any]:
    since = timezone.now() - dt.timedelta(hours=hours) if hours else None
    found = candidates_find(since=since)
    return {"account_pairs": found.accounts, "contact_pairs": found.contacts,
            "skipped_blocks": found.skipped_blocks}  # fmt: skip


duplicates_find = recorded_task("duplicates_find")(duplicates_find_job)
