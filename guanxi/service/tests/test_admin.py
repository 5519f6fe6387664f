"""The case pages: the list and its filters, the add form opening a case through the service,
the change page's checklist, timeline, solutions and moves; access; config for managers."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.core.errors import Conflict
from guanxi.service.models import Case, CaseStep
from guanxi.service.services import case_open, case_step_mark, case_transition
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


# A Python tuple shown as text, as the SLA rows once did: ('ok', 'On time'), escaped or not.
TUPLE = re.compile(r"\((?:'|&#x27;|&#39;)(?:ok|late)(?:'|&#x27;|&#39;),")


def _page(client: Client, case: Case, language: str) -> str:
    url = reverse("admin:service_case_change", args=(case.pk,))
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def _button(html: str, hook: str) -> str:
    found = re.search(rf"{hook}[^>]*>([^<]*)</button>", html)
    assert found, hook
    return found.group(1).strip()


def _closed(cast, case: Case) -> Case:
    for to in ("acknowledged", "in_progress"):
        case_transition(actor=cast.alice, case=case, to=to)
    case_transition(actor=cast.alice, case=case, to="resolved", resolution="New room")
    return case_transition(actor=cast.alice, case=case, to="closed")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_sla_rows_show_a_badge_not_a_tuple(cast, case, language):
    html = _page(client_for(cast.alice), case, language)
    # Both rows (first response, resolution) on time: a badge each, no Python tuple.
    assert html.count('data-sla="ok"') == 2 and 'data-sla="late"' not in html
    assert not TUPLE.search(html)


def test_a_late_case_shows_late_badges(cast, case):
    Case.objects.filter(pk=case.pk).update(first_response_breached=True, resolution_breached=True)
    html = _page(client_for(cast.alice), case, "en")
    assert html.count('data-sla="late"') == 2 and not TUPLE.search(html)


def test_the_buttons_name_actions(cast, case):
    client = client_for(cast.alice)
    html = _page(client, case, "en")
    assert _button(html, 'data-step-action="done"') == "Mark done"
    assert _button(html, 'data-move="in_progress"') == "Start handling"
    assert _button(html, 'data-move="acknowledged"') == "Acknowledge"
    closed = _closed(cast, case)
    assert _button(_page(client, closed, "en"), 'data-move="reopened"') == "Reopen"
    assert _button(_page(client, closed, "zh-hans"), 'data-move="reopened"') == "重新打开"


def test_a_closed_case_shows_its_steps_read_only(cast, case):
    case_step_mark(actor=cast.alice, case=case, step="listen")
    closed = _closed(cast, case)
    client = client_for(cast.alice)
    html = _page(client, closed, "en")
    assert 'data-step="listen" data-done="1"' in html and 'data-step="share" data-done="0"' in html
    assert "data-step-action" not in html and 'id="case-steps-closed"' in html
    # Nor does a hand-made POST change them; the service says why.
    step = reverse("admin:service_case_step", args=(case.pk,))
    assert client.post(step, {"step": "share", "done": "1"}).status_code == 302
    assert client.post(step, {"step": "listen", "done": "0"}).status_code == 302
    assert list(CaseStep.objects.filter(case=case).values_list("step", flat=True)) == ["listen"]
    with pytest.raises(Conflict):
        case_step_mark(actor=cast.alice, case=case, step="share")
    # Reopened, the steps are worked again.
    case_transition(actor=cast.alice, case=case, to="reopened")
    assert 'data-step-action="done"' in _page(client, case, "en")
