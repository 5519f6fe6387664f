"""/api/activities: the day, tasks, logging a touchpoint and cancelling a task — every code."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from guanxi.activities.models import Task, TaskKind, TaskSource, TaskStatus
from guanxi.activities.tests.conftest import policy_local, policy_put_in_tier
from guanxi.touchpoints.models import Touchpoint
from tests.support import JSON, make_contact

TODAY = dt.date(2026, 6, 15)


def make_task(account, kind=TaskKind.CALL, due=TODAY, **extra) -> Task:
    extra.setdefault("source", TaskSource.MANUAL)
    return Task.objects.create(account=account, assignee=extra.pop("assignee", account.owner),
                               kind=kind, title=f"{kind}", due_date=due, **extra)  # fmt: skip


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(policy_local(2026, 6, 15, 9), tick=False):
        yield


def test_today_returns_the_agenda(as_user, cast):
    overdue = make_task(cast.account, due=dt.date(2026, 6, 12))
    soon = make_task(cast.account, due=dt.date(2026, 6, 17))
    response = as_user("alice").get("/api/activities/today")
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == "2026-06-15" and body["user"] == cast.alice.pk
    assert [r["task"]["id"] for r in body["due"]] == [overdue.pk]
    assert body["due"][0]["reason"] == "3 days overdue"
    assert body["due"][0]["task"]["account_name"] == "华东会展集团"
    assert [r["task"]["id"] for r in body["upcoming"]] == [soon.pk]


def test_today_of_a_member_follows_the_access_rule(as_user, cast):
    make_task(cast.account)
    assert len(as_user("lena").get(f"/api/activities/today?user={cast.alice.pk}")
               .json()["due"]) == 1  # fmt: skip
    assert as_user("alice").get(f"/api/activities/today?user={cast.bob.pk}").status_code == 404
    assert as_user("alice").get("/api/activities/today?user=x").status_code == 422


def test_tasks_list_filters_and_paginates(as_user, cast):
    a = make_task(cast.account, due=dt.date(2026, 6, 10))
    b = make_task(cast.account, due=dt.date(2026, 6, 20))
    done = make_task(cast.account, status=TaskStatus.DONE)
    make_task(cast.west_account)
    client = as_user("alice")
    body = client.get("/api/activities/tasks").json()
    assert body["count"] == 2 and [t["id"] for t in body["items"]] == [a.pk, b.pk]
    body = client.get("/api/activities/tasks?due_before=2026-06-15").json()
    assert [t["id"] for t in body["items"]] == [a.pk]
    body = client.get("/api/activities/tasks?status=done").json()
    assert [t["id"] for t in body["items"]] == [done.pk]
    body = client.get("/api/activities/tasks?limit=1&offset=1").json()
    assert body["count"] == 2 and [t["id"] for t in body["items"]] == [b.pk]
    assert client.get("/api/activities/tasks?status=nonsense").status_code == 422
    assert as_user("charlie").get("/api/activities/tasks").json()["count"] == 1


def test_logging_a_visit_completes_the_task_and_returns_the_next(as_user, cast, policy_a):
    policy_put_in_tier(cast.account, policy_a, dt.date(2026, 5, 1))
    visit = make_task(cast.account, TaskKind.VISIT, source=TaskSource.POLICY, key="visit",
                      tier=policy_a)  # fmt: skip
    contact = make_contact(account=cast.account)
    response = as_user("alice").post(
        "/api/activities/touchpoints",
        {"account": cast.account.pk, "kind": "visit", "task": visit.pk,
         "contacts": [contact.pk], "notes": "ok"},
        content_type=JSON,
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["task"] == visit.pk and body["contacts"] == [contact.pk]
    assert body["next_task"]["due_date"] == "2026-06-25"
    visit.refresh_from_db()
    assert visit.status == TaskStatus.DONE


def test_bad_touchpoints_are_refused_with_a_message(as_user, cast):
    call = make_task(cast.account)
    other = make_task(cast.west_account)
    client = as_user("alice")

    def post(**data):
        payload = {"account": cast.account.pk, "kind": "call", **data}
        return client.post("/api/activities/touchpoints", payload, content_type=JSON)

    response = post(account=cast.west_account.pk)
    assert response.status_code == 404 and response.json()["message"]
    response = post(task=other.pk)
    assert response.status_code == 404
    second = make_task(cast.account, kind=TaskKind.VISIT)
    mia_task = make_task(cast.west_account)
    response = as_user("mia").post(
        "/api/activities/touchpoints",
        {"account": cast.account.pk, "kind": "call", "task": mia_task.pk},
        content_type=JSON,
    )
    assert response.status_code == 422 and "another account" in response.json()["message"]
    response = post(task=second.pk)
    assert response.status_code == 422 and "does not complete" in response.json()["message"]
    assert post(kind="teleport").status_code == 422
    assert post(cost="-1").status_code == 422
    response = post(contacts=[make_contact(account=cast.west_account).pk])
    assert response.status_code == 422 and response.json()["message"]
    assert post(occurred_at="2030-01-01T00:00:00+08:00").status_code == 422
    assert not Touchpoint.objects.exists()
    call.refresh_from_db()
    assert call.status == TaskStatus.OPEN


def test_cancel_a_task(as_user, cast):
    task = make_task(cast.account)
    client = as_user("alice")
    url = f"/api/activities/tasks/{task.pk}/cancel"
    assert client.post(url, {"reason": ""}, content_type=JSON).status_code == 422
    assert client.post(url, {"reason": "   "}, content_type=JSON).status_code == 422
    assert as_user("bob").post(url, {"reason": "x"}, content_type=JSON).status_code == 404
    response = client.post(url, {"reason": "客户要求暂停"}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED and task.cancel_reason == "客户要求暂停"
    assert client.post(url, {"reason": "again"}, content_type=JSON).status_code == 422
    assert client.post("/api/activities/tasks/999999/cancel", {"reason": "x"},
                       content_type=JSON).status_code == 404  # fmt: skip


def test_the_api_needs_a_token(client):
    assert client.get("/api/activities/today").status_code == 401
    assert client.get("/api/activities/tasks").status_code == 401


def test_tasks_list_filters_by_a_visible_account(as_user, cast):
    from tests.support import make_account

    other = make_account(owner=cast.alice)
    mine = make_task(cast.account)
    theirs = make_task(other)
    west = make_task(cast.west_account)
    client = as_user("alice")
    body = client.get(f"/api/activities/tasks?account={cast.account.pk}").json()
    assert [t["id"] for t in body["items"]] == [mine.pk]
    body = client.get(f"/api/activities/tasks?account={other.pk}").json()
    assert [t["id"] for t in body["items"]] == [theirs.pk]
    # An account alice may not see: empty, as the contacts and transactions lists answer.
    body = client.get(f"/api/activities/tasks?account={cast.west_account.pk}").json()
    assert body["count"] == 0 and body["items"] == []
    assert client.get("/api/activities/tasks?account=0").status_code == 422
    body = as_user("charlie").get(f"/api/activities/tasks?account={cast.west_account.pk}").json()
    assert [t["id"] for t in body["items"]] == [west.pk]
