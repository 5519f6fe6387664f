"""Today: the "overdue and due today" count holds the overdue plan actions shown below it, the
header reads Today (not "Tasks › Tasks") and the sidebar lights Today alone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from guanxi.core.navigation import _tasks_active
from guanxi.plans.models import AccountPlan, PlanAction

pytestmark = pytest.mark.django_db


def test_overdue_plan_actions_count_in_the_due_heading(cast, english):
    plan = AccountPlan.objects.create(account=cast.account, year=2026, owner=cast.alice)
    today = timezone.localdate()
    for days in (-10, -2, 3):
        PlanAction.objects.create(plan=plan, title=f"Visit {days}", owner=cast.alice,
                                  due_on=today + dt.timedelta(days=days))  # fmt: skip
    client = Client()
    client.force_login(cast.alice)
    body = client.get("/admin/activities/task/today/").content.decode()
    assert "Overdue and due today (2)" in body
    assert 'id="due-plan-actions" data-count="2"' in body
    # Unfold's header title: one part per crumb.
    crumbs = re.findall(r'min-w-0 truncate tracking-tight">\s*(.*?)\s*</', body)
    assert crumbs == ["Today"]


def test_the_sidebar_lights_tasks_only_on_the_task_pages():
    factory = RequestFactory()
    assert _tasks_active(factory.get("/admin/activities/task/"))
    assert _tasks_active(factory.get("/admin/activities/task/5/change/"))
    assert not _tasks_active(factory.get("/admin/activities/task/today/"))
    assert not _tasks_active(factory.get("/admin/activities/task/today/due/"))
    assert not _tasks_active(factory.get("/admin/activities/task/compliance/"))
    assert not _tasks_active(factory.get("/admin/accounts/account/"))
