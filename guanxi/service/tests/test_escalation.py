"""The escalation job on a frozen clock: the team lead at 80 % of the time used, the director
past due, a task and an event for each, nothing twice; waiting cases stand still."""

from __future__ import annotations

import datetime as dt

import pytest
from huey.contrib.djhuey import HUEY

from guanxi.activities.models import Task
from guanxi.core.models import JobRun
from guanxi.service.escalation import case_escalation
from guanxi.service.models import Case, CaseEvent, EventKind
from guanxi.service.services import case_open, case_transition
from guanxi.service.tasks import case_escalation_task
from guanxi.service.tests.conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def case(cast, key_account, travel):
    travel(local(2025, 6, 16, 9))  # green channel: first response due 10:00
    return case_open(actor=cast.alice, account=key_account, kind="complaint", subject="Noise")


def escalations(case):
    return list(
        CaseEvent.objects.filter(case=case, kind=EventKind.ESCALATED).values_list(
            "level", "assignee__username"
        )
    )


def test_nothing_happens_early(case, travel):
    travel(local(2025, 6, 16, 9, 30))
    assert case_escalation() == {"checked": 1, "escalated": 0, "breached": 0}
    assert Case.objects.get(pk=case.pk).escalation_level == 0


def test_near_the_due_time_the_team_lead_then_past_it_the_director(cast, case, travel):
    travel(local(2025, 6, 16, 9, 48))  # 80 % of the hour used
    assert case_escalation()["escalated"] == 1
    case.refresh_from_db()
    assert (case.escalation_level, case.escalated_to) == (1, cast.lena)
    assert escalations(case) == [(1, "lena")]
    task = Task.objects.get(assignee=cast.lena)
    assert (task.account, task.kind, task.due_date.isoformat()) == (
        cast.account,
        "follow_up",
        "2025-06-16",
    )
    assert str(case.pk) in task.title
    # Again: nothing new.
    assert case_escalation()["escalated"] == 0
    assert Task.objects.count() == 1

    travel(local(2025, 6, 16, 10, 5))
    summary = case_escalation()
    assert summary["escalated"] == 1 and summary["breached"] == 1
    case.refresh_from_db()
    assert (case.escalation_level, case.escalated_to, case.first_response_breached) == (
        2,
        cast.mia,
        True,
    )
    assert escalations(case) == [(1, "lena"), (2, "mia")]
    assert Task.objects.filter(assignee=cast.mia).count() == 1
    assert case_escalation() == {"checked": 0, "escalated": 0, "breached": 0}
    assert CaseEvent.objects.filter(case=case, kind=EventKind.BREACHED).count() == 1


def test_a_case_found_past_due_goes_through_both_levels(cast, case, travel):
    travel(local(2025, 6, 16, 11))
    case_escalation()
    assert escalations(case) == [(1, "lena"), (2, "mia")]
    assert Task.objects.filter(assignee__in=[cast.lena, cast.mia]).count() == 2


def test_the_resolution_due_time_escalates_too(cast, case, travel):
    travel(local(2025, 6, 16, 9, 10))
    case_transition(actor=cast.alice, case=case, to="in_progress")
    travel(local(2025, 6, 18, 11))  # 20 of 24 working hours used (due Wednesday 15:00)
    case_escalation()
    case.refresh_from_db()
    assert case.escalation_level == 1 and not case.resolution_breached
    travel(local(2025, 6, 18, 15, 1))
    case_escalation()
    case.refresh_from_db()
    assert case.escalation_level == 2 and case.resolution_breached


def test_a_case_waiting_on_the_customer_is_not_escalated(cast, case, travel):
    travel(local(2025, 6, 16, 9, 10))
    case_transition(actor=cast.alice, case=case, to="acknowledged")
    case_transition(actor=cast.alice, case=case, to="waiting")
    travel(local(2025, 6, 30, 9))
    assert case_escalation()["checked"] == 0
    case.refresh_from_db()
    assert case.escalation_level == 0 and not case.resolution_breached


def test_the_task_is_recorded_as_a_job(case, travel):
    travel(local(2025, 6, 16, 11))
    case_escalation_task()
    run = JobRun.objects.get(name="case_escalation")
    assert run.status == "succeeded" and run.summary["escalated"] == 1


def test_the_job_is_scheduled_every_quarter_hour():
    def due(minute: int) -> bool:
        moment = dt.datetime(2031, 3, 4, 2, minute)
        return any(t.name.endswith("case_escalation_schedule") for t in HUEY.read_periodic(moment))

    assert [m for m in range(60) if due(m)] == [0, 15, 30, 45]
