"""A plan with many actions, goals, competitors and reviews stays a page a KAM can use
(issue 16): its inlines are paginated (ten rows, three stacked), so the number of form fields
and of queries does not grow with the plan; the other rows are a page link away, and a row on
the second page saves like any other."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.plans.admin_inlines import ROWS_PER_PAGE
from guanxi.plans.models import PlanAction, PlanCompetitor, PlanGoal, PlanReview
from guanxi.plans.tests.test_admin import errors_of, form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

CHANGE = "admin:plans_accountplan_change"
#: Form fields the user sees (not hidden, the pages' own search and language boxes too): the
#: plan's own and one page of each inline with its empty row for "add another" (248 with
#: 10 and 3 rows a page; every row of a 42-row plan made it ~1,000).
MAX_FIELDS = 250
MAX_QUERIES = 40
FIELD = re.compile(r'<(?:input|select|textarea)\b(?![^>]*type="hidden")')


def grow(plan, n: int) -> None:
    day = dt.date(2026, 6, 15)
    for i in range(n):
        goal = PlanGoal.objects.create(plan=plan, description=f"目标{i}", measure="manual",
                                       target_value=10, position=i)  # fmt: skip
        PlanAction.objects.create(plan=plan, title=f"行动{i}", owner=plan.owner, goal=goal,
                                  due_on=day + dt.timedelta(days=i))  # fmt: skip
        PlanCompetitor.objects.create(plan=plan, name=f"对手{i}")
        PlanReview.objects.create(plan=plan, held_on=day - dt.timedelta(days=30 * i),
                                  recorded_by=plan.owner)  # fmt: skip


def page(client, plan, query: str = ""):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(CHANGE, args=(plan.pk,)) + query)
    assert response.status_code == 200
    return response, len(FIELD.findall(response.content.decode())), len(queries)


@pytest.mark.parametrize("who", ["alice", "mia"])
def test_a_big_plan_renders_one_page_of_each_inline(client, cast, plan, who):
    client.force_login(getattr(cast, who))
    grow(plan, 12)
    page(client, plan)  # warm-up
    _, fields, queries = page(client, plan)
    grow(plan, 30)
    response, more_fields, more_queries = page(client, plan)
    assert (more_fields, more_queries) == (fields, queries), "the page grew with the plan"
    assert fields <= MAX_FIELDS and queries <= MAX_QUERIES
    actions = response.context["inline_admin_formsets"][2].formset
    assert len(actions.forms) == ROWS_PER_PAGE and actions.paginator.count == 42
    assert 'name="actions-page"' in response.content.decode() or "actions-page=" in (
        response.content.decode()
    )


def test_a_row_on_a_later_page_saves(client, cast, plan):
    client.force_login(cast.alice)
    grow(plan, 25)
    url = reverse(CHANGE, args=(plan.pk,)) + "?actions-page=3"
    response = client.get(url)
    shown = [f.instance for f in response.context["inline_admin_formsets"][2].formset.forms]
    assert shown and all(a.pk for a in shown) and len(shown) == 5
    data = form_data(response)
    ids = {k: v for k, v in data.items() if k.startswith("actions-") and k.endswith("-id")}
    prefix = next(k for k, v in ids.items() if v == shown[0].pk)
    data[prefix.replace("-id", "-title")] = "已改的行动"
    data["actions-page"] = "3"
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    assert PlanAction.objects.get(pk=shown[0].pk).title == "已改的行动"
    assert PlanAction.objects.filter(plan=plan).count() == 25
