"""The ICS calendar feed: a user's open tasks, behind a secret URL that a reset revokes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from guanxi.activities.ics import calendar_feed_ensure
from guanxi.activities.models import CalendarFeed, Task, TaskKind, TaskSource, TaskStatus
from guanxi.activities.tests.conftest import policy_local


def make_task(account, due: dt.date, *, title="拜访客户", status=TaskStatus.OPEN, **extra):
    return Task.objects.create(account=account, assignee=extra.pop("assignee", account.owner),
                               kind=TaskKind.VISIT, title=title, due_date=due, status=status,
                               source=TaskSource.MANUAL, **extra)  # fmt: skip


def events(body: bytes) -> dict[str, object]:
    cal = Calendar.from_ical(body)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


@pytest.fixture
def tasks(cast):
    return {
        "open": make_task(cast.account, dt.date(2026, 7, 1), title="拜访华东", notes="带合同"),
        "overdue": make_task(cast.account, dt.date(2026, 6, 1), title="回访"),
        "done": make_task(cast.account, dt.date(2026, 6, 2), status=TaskStatus.DONE),
        "cancelled": make_task(cast.account, dt.date(2026, 6, 3), status=TaskStatus.CANCELLED),
        "charlies": make_task(cast.west_account, dt.date(2026, 7, 1)),
        "lenas": make_task(cast.account, dt.date(2026, 7, 2), assignee=cast.lena),
    }


def frozen():
    return time_machine.travel(policy_local(2026, 6, 15, 9), tick=False)


def test_the_feed_lists_the_users_open_tasks_as_all_day_events(client, cast, tasks):
    feed = calendar_feed_ensure(user=cast.alice)
    with frozen():
        response = client.get(reverse("activities_calendar_feed", args=(feed.token,)))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    found = events(response.content)
    host_suffix = {uid.split("@")[0] for uid in found}
    assert host_suffix == {f"task-{tasks['open'].pk}", f"task-{tasks['overdue'].pk}"}
    event = next(e for uid, e in found.items() if uid.startswith(f"task-{tasks['open'].pk}@"))
    assert event.decoded("DTSTART") == dt.date(2026, 7, 1)
    assert event.decoded("DTEND") == dt.date(2026, 7, 2)
    assert "拜访华东" in str(event["SUMMARY"]) and "华东会展集团" in str(event["SUMMARY"])
    description = str(event["DESCRIPTION"])
    assert "华东会展集团" in description and "带合同" in description
    assert str(event["URL"]).endswith(f"/admin/accounts/account/{cast.account.pk}/360/")


def test_uids_are_stable_across_fetches(client, cast, tasks):
    url = reverse("activities_calendar_feed", args=(calendar_feed_ensure(user=cast.alice).token,))
    first = set(events(client.get(url).content))
    Task.objects.filter(pk=tasks["open"].pk).update(due_date=dt.date(2026, 7, 9))
    assert set(events(client.get(url).content)) == first


def test_unknown_token_is_404_and_no_session_is_needed(client, cast):
    assert client.get(reverse("activities_calendar_feed", args=("nope",))).status_code == 404
    assert client.get("/calendar/" + "x" * 80 + ".ics").status_code == 404
    feed = calendar_feed_ensure(user=cast.alice)
    cast.alice.is_active = False
    cast.alice.save()
    assert client.get(reverse("activities_calendar_feed", args=(feed.token,))).status_code == 404


def test_today_creates_the_feed_once_and_shows_its_url(client, cast):
    client.force_login(cast.alice)
    page = reverse("admin:activities_task_today")
    client.get(page)
    client.get(page)
    feed = CalendarFeed.objects.get(user=cast.alice)
    assert f"/calendar/{feed.token}.ics" in client.get(page).content.decode()


def test_reset_makes_a_new_url_and_the_old_one_404s(client, cast, tasks):
    old = calendar_feed_ensure(user=cast.alice).token
    client.force_login(cast.alice)
    assert client.get(reverse("admin:activities_task_calendar_reset")).status_code == 405
    response = client.post(reverse("admin:activities_task_calendar_reset"))
    assert response.status_code == 302
    new = CalendarFeed.objects.get(user=cast.alice).token
    assert new != old
    client.logout()
    assert client.get(reverse("activities_calendar_feed", args=(old,))).status_code == 404
    assert client.get(reverse("activities_calendar_feed", args=(new,))).status_code == 200


def test_a_lead_viewing_a_members_day_sees_no_feed_and_resets_only_their_own(client, cast):
    mine = calendar_feed_ensure(user=cast.alice).token
    client.force_login(cast.lena)
    response = client.get(reverse("admin:activities_task_today"), {"user": cast.alice.pk})
    assert mine not in response.content.decode()
    client.post(reverse("admin:activities_task_calendar_reset"))
    assert CalendarFeed.objects.get(user=cast.alice).token == mine


def test_an_overdue_task_moves_to_today_and_says_since_when(client, cast, tasks):
    feed = calendar_feed_ensure(user=cast.alice)
    with frozen():
        found = events(client.get(reverse("activities_calendar_feed", args=(feed.token,))).content)
    overdue = next(e for uid, e in found.items() if uid.startswith(f"task-{tasks['overdue'].pk}@"))
    assert overdue.decoded("DTSTART") == dt.date(2026, 6, 15)
    assert overdue.decoded("DTEND") == dt.date(2026, 6, 16)
    assert "回访" in str(overdue["SUMMARY"])
    assert "2026-06-01" in str(overdue["SUMMARY"])  # "(逾期自 …)" / "(overdue since …)"
    on_time = next(e for uid, e in found.items() if uid.startswith(f"task-{tasks['open'].pk}@"))
    assert "2026-07-01" not in str(on_time["SUMMARY"])


def test_the_role_is_shown_by_its_label_not_its_code(client, cast, english):
    from guanxi.activities.ics import task_description

    task = make_task(cast.account, dt.date(2026, 7, 1), role="general_manager")
    text = task_description(task)
    assert "General manager" in text and "general_manager" not in text
