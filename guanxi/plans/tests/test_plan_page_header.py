"""The plan's page offers printing once: the trial saw a "Print" button in the header beside
"Printable plan" in the progress panel, and at 1024 px the three header buttons cut the title
short."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_plan_page_links_the_printable_plan_once(client, cast, plan, language):
    client.force_login(cast.alice)
    printable = reverse("admin:plans_accountplan_print_plan", args=(plan.pk,))
    response = client.get(
        reverse("admin:plans_accountplan_change", args=(plan.pk,)), HTTP_ACCEPT_LANGUAGE=language
    )
    body = response.content.decode()
    assert body.count(f'href="{printable}"') == 1
    assert "data-print-link" in body.split(f'href="{printable}"')[1].split(">")[0]
    # The header keeps its other action.
    assert reverse("admin:plans_accountplan_roll_over", args=(plan.pk,)) in body
    assert client.get(printable).status_code == 200


def test_the_printable_plan_asks_a_visitor_to_log_in(client, plan):
    printable = reverse("admin:plans_accountplan_print_plan", args=(plan.pk,))
    response = client.get(printable)
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
