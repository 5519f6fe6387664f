"""The demo's service cases: two years of complaints, requests and praise with breaches,
escalations and stories; compensation as cost to serve; the knowledge base."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from guanxi.activities.models import Task
from guanxi.core.dates import local_midnight
from guanxi.demo.services import demo_build
from guanxi.service.models import Case, CaseEvent, CaseKind, EventKind, Solution
from guanxi.touchpoints.models import ServeCost

AS_OF = dt.date(2026, 6, 30)
N = 120
SEED = 11


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_build(accounts=N, seed=SEED, as_of=AS_OF)
        transaction.set_rollback(True)


def test_two_years_of_every_kind(demo, db):
    assert set(Case.objects.values_list("kind", flat=True)) == set(CaseKind.values)
    first = Case.objects.order_by("opened_at").first().opened_at
    assert first < local_midnight(AS_OF - dt.timedelta(days=600))
    assert (
        Case.objects.filter(opened_at__gt=local_midnight(AS_OF + dt.timedelta(days=1))).count() == 0
    )
    assert Case.objects.count() > 50
    assert sum(demo.cases.values()) == Case.objects.count() and "service cases" in demo.describe()


def test_breaches_escalations_and_open_cases(demo, db):
    late = Case.objects.filter(resolution_breached=True)
    assert late.exists() and Case.objects.filter(first_response_breached=True).exists()
    assert Case.objects.filter(escalation_level=2).exists()
    assert CaseEvent.objects.filter(kind=EventKind.ESCALATED, level=1).exists()
    # The complaint past due now sits with the director, with a task on their day.
    now_late = Case.objects.filter(status="in_progress", resolution_breached=True,
                                   escalation_level=2)  # fmt: skip
    assert now_late.exists()
    case = now_late.first()
    assert Task.objects.filter(assignee=case.escalated_to, account=case.account).exists()
    assert Case.objects.filter(status="waiting").exists()
    assert Case.objects.filter(status="reopened").exists()


def test_the_noisy_conference(demo, db):
    case = Case.objects.get(subject="会议期间客房噪音大", compensation_cost=1200)
    assert case.resolution_breached and case.escalation_level == 2 and case.rating == 3
    assert case.steps.count() == 6
    assert case.history.exists()


def test_compensation_is_cost_to_serve_and_the_knowledge_base_is_there(demo, db):
    paid = Case.objects.filter(compensation_cost__gt=0)
    costs = ServeCost.objects.filter(kind="compensation")
    assert costs.count() == paid.count() > 0
    assert Solution.objects.filter(category__code="room").count() >= 2
