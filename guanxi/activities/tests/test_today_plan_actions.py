"""Today's "Account plan actions": the open plan actions a user owns, overdue or due within the
week, on accounts the viewer may see; done actions drop off."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from guanxi.activities.tests.conftest import policy_local
from guanxi.plans.services import action_complete, action_create, plan_create
from guanxi.workspace.today import agenda

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(policy_local(2026, 6, 15, 9), tick=False):
        yield


@pytest.fixture
def actions(cast):
    plan = plan_create(account=cast.account, year=2026, owner=cast.alice, actor=cast.alice)
    day = dt.date(2026, 6, 15)
    return {
        name: action_create(
            plan=plan,
            actor=cast.alice,
            title=name,
            owner=cast.alice,
            due_on=day + dt.timedelta(days=offset),
        )  # fmt: skip
        for name, offset in (("late", -3), ("this week", 5), ("next month", 30))
    }


def test_overdue_and_this_weeks_actions_are_listed_later_ones_are_not(cast, actions):
    listed = [a.title for a in agenda(user=cast.alice).plan_actions]
    assert listed == ["late", "this week"]
    assert agenda(user=cast.charlie).plan_actions == []


def test_a_done_action_leaves_today(cast, actions):
    action_complete(action=actions["late"], actor=cast.alice, done_on=dt.date(2026, 6, 15))
    assert [a.title for a in agenda(user=cast.alice).plan_actions] == ["this week"]


def test_the_today_page_links_each_action_to_its_plan(client, cast, actions):
    client.force_login(cast.alice)
    body = client.get(reverse("admin:activities_task_today")).content.decode()
    assert 'id="plan-actions"' in body and "this week" in body and "next month" not in body
    plan_url = reverse("admin:plans_accountplan_change", args=(actions["late"].plan_id,))
    assert plan_url in body


def test_the_api_pages_through_the_actions_due(as_user, cast, actions):
    client = as_user("alice")
    day = client.get("/api/activities/today").json()
    page = client.get("/api/activities/today/plan_actions", {"limit": 1, "offset": 1}).json()
    assert day["totals"]["plan_actions"] == 2 and page["count"] == 2
    assert [a["title"] for a in day["plan_actions"]] == ["late", "this week"]
    assert [a["days_overdue"] for a in day["plan_actions"]] == [3, -5]
    assert [a["action"] for a in page["items"]] == [actions["this week"].pk]
