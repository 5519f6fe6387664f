"""Today's service cases: the owner sees their open cases with how long until they are due; the
team lead and the director see the cases escalated to them, with the reason; closed ones go."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.service.escalation import case_escalation
from guanxi.service.services import case_open, case_transition
from guanxi.service.tests.conftest import local
from guanxi.workspace.today import agenda

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def case(cast, key_account, travel):
    travel(local(2025, 6, 16, 9))
    return case_open(actor=cast.alice, account=key_account, kind="complaint", subject="Noise")


def test_the_owner_sees_the_case_and_when_it_is_due(cast, case, travel):
    travel(local(2025, 6, 16, 9, 30))
    section = agenda(user=cast.alice).service_cases
    assert [i.case.pk for i in section] == [case.pk]
    assert "due in 0 hours" in section[0].reason and not section[0].escalated_to_user


def test_escalated_cases_reach_the_lead_and_the_director(cast, case, travel):
    travel(local(2025, 6, 16, 11))
    case_escalation()
    lena = agenda(user=cast.lena).service_cases
    mia = agenda(user=cast.mia).service_cases
    assert [i.case.pk for i in mia] == [case.pk] and mia[0].escalated_to_user
    assert "escalated to you (Director)" in mia[0].reason and "SLA breached" in mia[0].reason
    # The lead was passed on the way up: the case sits with the director, the lead still sees it.
    assert [i.case.pk for i in lena] == [case.pk] and lena[0].escalated_to_user
    assert "escalated (Director)" in lena[0].reason
    client = Client()
    client.force_login(cast.mia)
    html = client.get(reverse("admin:activities_task_today")).content.decode()
    assert f'data-case="{case.pk}"' in html and "data-escalated-to-me" in html


def test_a_resolved_case_leaves_today(cast, case, travel):
    case_transition(actor=cast.alice, case=case, to="in_progress")
    case_transition(actor=cast.alice, case=case, to="resolved", resolution="Moved room")
    assert agenda(user=cast.alice).service_cases.total == 0


def test_the_api_lists_the_case_escalated_to_the_director(as_user, cast, case, travel):
    travel(local(2025, 6, 16, 11))
    case_escalation()
    client = as_user("mia")
    day = client.get("/api/activities/today").json()
    page = client.get("/api/activities/today/service_cases").json()
    assert day["totals"]["service_cases"] == 1 and page["count"] == 1
    row = page["items"][0]
    assert row == day["service_cases"][0]
    assert row["case"] == case.pk and row["escalated_to_you"] and row["late"]
    assert "SLA breached" in row["reason"]
