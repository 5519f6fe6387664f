"""The service job: escalation of cases near or past their due time, every quarter hour (its
own periodic task, not a nightly step: an SLA of one hour cannot wait for the night)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from guanxi.core.jobs import recorded_task
from guanxi.service.escalation import case_escalation

case_escalation_job = case_escalation
case_escalation_task = recorded_task("case_escalation")(case_escalation_job)


@db_periodic_task(crontab(minute="*/15"), name="case_escalation_schedule")
def case_escalation_schedule() -> None:
    # Enqueue rather than run here: the recorded task carries the retries and the records.
    case_escalation_task()
