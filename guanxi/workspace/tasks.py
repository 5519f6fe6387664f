"""Jobs that cross apps: the nightly chain (ledger rollups → agreements expired or renewed →
rebate accruals → analytics → agreement facts → tiering → discount reviews → policy tasks →
relationship health → renewal risk → warning lights → loyalty matrix → referral asks → deal
odds → candidate duplicates → the dashboard's figures → the ledger's partitions ahead) and
"re-evaluate tiers now" (tiering → policy tasks).

Order matters: tiers read the latest analysis (CLV, segments), discount reviews and policy tasks
read the tiers. Each step is recorded as its own JobRun; when a step fails, the later ones do not
run (tiers computed from stale scores would be wrong, tasks from stale tiers too), the nightly run
is recorded as failed with the step's error, and Huey retries the whole chain.

The schedule is in local time (settings.TIME_ZONE): Huey's clock is UTC (HUEY["utc"] = True),
so `nightly_due` converts each minute the consumer checks into local time and fires at
GUANXI_NIGHTLY_HOUR:00. A crontab would fire at that hour UTC, i.e. at 10:00 in Shanghai.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from huey.contrib.djhuey import db_periodic_task

from guanxi.activities.tasks import policy_tasks_job
from guanxi.agreements.tasks import (
    agreement_facts_job,
    agreements_expire_job,
    rebate_accruals_job,
    renewal_risk_job,
)
from guanxi.core.jobs import JobFailed, job_record, recorded_task
from guanxi.duplicates.tasks import duplicates_nightly_job
from guanxi.insights.tasks import analytics_job
from guanxi.loyalty.tasks import loyalty_matrix_job, referral_asks_job, warning_lights_job
from guanxi.pipeline.tasks import event_surveys_job, odds_train_job
from guanxi.relationships.tasks import relationship_health_job
from guanxi.surveys.tasks import survey_yearly_job
from guanxi.tiers.tasks import discount_reviews_job, tiering_job
from guanxi.transactions.tasks import ledger_partitions_job, ledger_rollups_job
from guanxi.workspace.snapshots import dashboard_snapshots_store


def dashboard_snapshots_job(
    *, as_of: dt.date | None = None, progress: bool = False
) -> dict[str, Any]:
    """Store the home dashboard's figures of every scope as of ``as_of`` (default today)."""
    return dashboard_snapshots_store(as_of=as_of or timezone.localdate())


NIGHTLY_STEPS: tuple[tuple[str, Callable[..., dict[str, Any]]], ...] = (
    # First: the pages' per-account figures as of the new day (the 12-month window slides).
    ("ledger_rollups", ledger_rollups_job),
    # Which agreements are in force today: the steps after it read them.
    ("agreements_expire", agreements_expire_job),
    # Accrued rebates are cost to serve, which the analysis's lifetime profit (CLP) subtracts.
    ("rebate_accruals", rebate_accruals_job),
    ("analytics", analytics_job),
    # Tier rules read the agreement facts (active strategic agreement, commitment attained %).
    ("agreement_facts", agreement_facts_job),
    ("tiering", tiering_job),
    ("discount_reviews", discount_reviews_job),
    ("policy_tasks", policy_tasks_job),
    # Survey links: the key accounts' yearly NPS (reads the night's tiers), after MICE events.
    ("survey_yearly", survey_yearly_job),
    ("survey_events", event_surveys_job),
    # The buying centres' stored score and risks as of the new day ("no touchpoint for 60
    # days"): renewal risk, the deal odds and Today read them.
    ("relationship_health", relationship_health_job),
    # Renewal risk reads the night's scores (P(alive), segment) and the buying centres' risks.
    ("renewal_risk", renewal_risk_job),
    # The warning lights and the loyalty matrix read the night's scores (P(alive), repeat
    # purchases), the ledger's month rollups, cases and surveys; referral asks read the NPS.
    ("warning_lights", warning_lights_job),
    ("loyalty_matrix", loyalty_matrix_job),
    ("referral_asks", referral_asks_job),
    # The deal odds read the night's scores and tiers.
    ("odds_train", odds_train_job),
    # Candidate duplicates among the accounts and contacts created or changed since the last
    # run (incremental: only their blocks are read), for the managers' review queue.
    ("duplicates_find", duplicates_nightly_job),
    # The dashboard's figures per scope (director, each team lead and KAM) read the night's
    # tiers, moves, scores, rollups, tasks, lights and deals: one row for their home page
    # instead of grouping 100,000 accounts, a month's policy tasks and the stage log.
    ("dashboard_snapshots", dashboard_snapshots_job),
    # Last: rows never wait for it (a month without a partition lands in the default one), so a
    # failure here must not hold back the night's scores, tiers and tasks.
    ("ledger_partitions", ledger_partitions_job),
)


def nightly_job(
    *,
    as_of: dt.date | None = None,
    progress: bool = False,
    attempt: int = 1,
    final: bool = True,
    on_step: Callable[[str, dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Run every step as of ``as_of`` (default today, local time: scores, tiers and due dates all
    count the data recorded up to now), each recorded; stop at the first failure."""
    as_of = as_of or timezone.localdate()
    done: dict[str, Any] = {}
    for name, step in NIGHTLY_STEPS:
        try:
            done[name] = job_record(
                name, step, attempt=attempt, final=final, as_of=as_of, progress=progress
            )
        except Exception as exc:
            skipped = [n for n, _s in NIGHTLY_STEPS if n not in done and n != name]
            raise JobFailed(
                f"step '{name}' failed: {type(exc).__name__}: {exc}",
                summary={"as_of": as_of, "steps": done, "failed": name, "skipped": skipped},
            ) from exc
        if on_step is not None:
            on_step(name, done[name])
    return {"as_of": as_of, "steps": done}


@recorded_task("nightly", pass_attempt=True)
def nightly(
    *, as_of: dt.date | None = None, attempt: int = 1, final: bool = True
) -> dict[str, Any]:
    return nightly_job(as_of=as_of, attempt=attempt, final=final)


def nightly_due(moment: dt.datetime) -> bool:
    """Whether the nightly chain starts in this minute. Huey passes naive UTC (utc=True)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.hour == settings.GUANXI_NIGHTLY_HOUR and local.minute == 0


@db_periodic_task(nightly_due, name="nightly_schedule")
def nightly_schedule() -> None:
    # Enqueue rather than run here: the nightly task carries the retries and the records.
    nightly()


def tier_reevaluate_job(
    *, as_of: dt.date | None = None, attempt: int = 1, final: bool = True
) -> dict[str, Any]:
    """ "Re-evaluate tiers now" (the button on the tier pages): tiering, then the policy tasks, as
    one job so the tasks are synced against the NEW tiers (two separate jobs could run side by
    side on two workers). Each step is recorded as its own JobRun, like the nightly chain."""
    tiering = job_record("tiering", tiering_job, attempt=attempt, final=final, as_of=as_of)
    tasks = job_record("policy_tasks", policy_tasks_job, attempt=attempt, final=final, as_of=as_of)
    return {"tiering": tiering, "policy_tasks": tasks}


tier_reevaluate = recorded_task("tier_reevaluate", pass_attempt=True)(tier_reevaluate_job)
