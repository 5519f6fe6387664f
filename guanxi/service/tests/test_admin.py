"""The case pages: the list and its filters, the add form opening a case through the service,
the change page's checklist, timeline, solutions and moves; access; config for managers."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.service.models import Case, CaseStep
from guanxi.service.services import case_open
from guanxi.service.tests.conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("policies")]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def case(cast, room, travel):
    travel(local(2025, 6, 16, 9))
    return case_open(actor=cast.alice, account=cast.account, kind="complaint", subject="Noise",
                     category=room)  # fmt: skip


LIST = "admin:service_case_changelist"


@pytest.mark.parametrize(
    "query",
    ["", "?status=new", "?kind=complaint", "?breached=yes", "?due=overdue", "?due=24h",
     "?tier=1", "?q=Noise", "?escalation_level__exact=0"],
)  # fmt: skip
def test_the_list_and_its_filters(cast, case, query):
    response = client_for(cast.alice).get(reverse(LIST) + query)
    assert response.status_code == 200


def test_the_list_is_scoped(cast, case):
    assert f"/{case.pk}/change/".encode() in client_for(cast.alice).get(reverse(LIST)).content
    assert f"/{case.pk}/change/".encode() not in client_for(cast.bob).get(reverse(LIST)).content
    url = reverse("admin:service_case_change", args=(case.pk,))
    assert client_for(cast.bob).get(url).status_code == 404


def test_the_change_page_shows_handling(cast, case):
    url = reverse("admin:service_case_change", args=(case.pk,))
    html = client_for(cast.alice).get(url).content.decode()
    assert 'id="case-checklist"' in html and 'data-step="follow_up"' in html
    assert 'data-move="acknowledged"' in html and 'data-move="resolved"' not in html
    assert 'data-event="opened"' in html
    assert html.count("data-solution=") == 2


def test_moves_and_steps_from_the_page(cast, case):
    client = client_for(cast.alice)
    move = reverse("admin:service_case_move", args=(case.pk,))
    assert client.post(move, {"to": "acknowledged", "note": "Called back"}).status_code == 302
    assert Case.objects.get(pk=case.pk).status == "acknowledged"
    client.post(move, {"to": "closed"})  # refused: a message, no change
    assert Case.objects.get(pk=case.pk).status == "acknowledged"
    step = reverse("admin:service_case_step", args=(case.pk,))
    client.post(step, {"step": "listen", "done": "1"})
    assert CaseStep.objects.get(case=case).done_by == cast.alice
    assert client_for(cast.bob).post(move, {"to": "in_progress"}).status_code == 404


def test_the_add_form_opens_a_case_with_its_sla(cast, travel):
    travel(local(2025, 6, 16, 9))
    data = {"account": cast.account.pk, "kind": "request", "channel": "phone",
            "severity": "normal", "subject": "Late checkout"}  # fmt: skip
    response = client_for(cast.alice).post(reverse("admin:service_case_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(subject="Late checkout")
    assert case.owner == cast.alice and case.first_response_due_at is not None
    assert case.events.filter(kind="opened").exists()


def test_the_change_form_goes_through_the_services(cast, case):
    url = reverse("admin:service_case_change", args=(case.pk,))
    data = {"contact": "", "channel": "phone", "category": case.category_id, "severity": "high",
            "subject": "Noise at night", "description": "", "transaction": "",
            "owner": cast.alice.pk, "root_cause": "Renovation", "resolution": "",
            "compensation_cost": "200.00"}  # fmt: skip
    response = client_for(cast.alice).post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    assert (case.subject, case.severity, str(case.compensation_cost)) == (
        "Noise at night",
        "high",
        "200.00",
    )
    assert case.events.filter(kind="compensation").exists()


def test_config_pages_are_for_managers(cast):
    url = reverse("admin:service_slapolicy_changelist")
    assert client_for(cast.alice).get(url).status_code == 200
    assert client_for(cast.alice).get(reverse("admin:service_slapolicy_add")).status_code == 403
    assert client_for(cast.mia).get(reverse("admin:service_slapolicy_add")).status_code == 200
    assert client_for(cast.mia).get(reverse("admin:service_solution_add")).status_code == 200


def test_the_360_page_has_the_open_cases_card(cast, case):
    client = client_for(cast.alice)
    html = client.get(reverse("admin:accounts_account_view_360", args=(cast.account.pk,)))
    html = html.content.decode()
    assert 'data-card="open-cases"' in html and f'data-case="{case.pk}"' in html
    listed = reverse(LIST) + f"?account__id__exact={cast.account.pk}"
    assert client.get(listed).status_code == 200


def test_a_number_searches_the_case_number_exactly(cast, case):
    # Another case whose subject holds the first case's number: only the numbered one is found.
    other = case_open(actor=cast.alice, account=cast.account, kind="request",
                      subject=f"Room {case.pk}{case.pk}")  # fmt: skip
    client = client_for(cast.alice)
    for term in (str(case.pk), f"#{case.pk}"):
        content = client.get(reverse(LIST), {"q": term}).content
        assert f"/{case.pk}/change/".encode() in content
        assert f"/{other.pk}/change/".encode() not in content
    # A number that is no case number of the list: the usual search by words.
    content = client.get(reverse(LIST), {"q": f"{case.pk}{case.pk}"}).content
    assert f"/{other.pk}/change/".encode() in content
