"""Tasks and touchpoints in the admin, the compliance page and the 360° activity card —
in both languages, within the access rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from guanxi.activities.models import Task, TaskKind, TaskSource, TaskStatus, Touchpoint
from guanxi.activities.tests.conftest import policy_local, policy_put_in_tier
from guanxi.core.testing import make_contact

TODAY = dt.date(2026, 6, 15)
TASKS = "admin:activities_task_changelist"
ADD = "admin:activities_touchpoint_add"


def make_task(account, kind=TaskKind.CALL, due=TODAY, **extra) -> Task:
    extra.setdefault("source", TaskSource.MANUAL)
    return Task.objects.create(account=account, assignee=extra.pop("assignee", account.owner),
                               kind=kind, title=f"{kind} task", due_date=due,
                               **extra)  # fmt: skip


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(policy_local(2026, 6, 15, 9), tick=False):
        yield


def listed(client, user, **params) -> list:
    client.force_login(user)
    response = client.get(reverse(TASKS), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_task_list_is_scoped_and_filters(client, cast):
    overdue = make_task(cast.account, due=dt.date(2026, 6, 1))
    today = make_task(cast.account, kind=TaskKind.VISIT)
    lenas = make_task(cast.account, due=dt.date(2026, 6, 18), assignee=cast.lena)
    done = make_task(cast.account, status=TaskStatus.DONE)
    west = make_task(cast.west_account)
    assert set(listed(client, cast.alice)) == {overdue, today, lenas, done}
    assert set(listed(client, cast.charlie)) == {west}
    assert set(listed(client, cast.bob)) == set()
    assert listed(client, cast.alice, due="overdue") == [overdue]
    assert listed(client, cast.alice, due="today") == [today]
    assert listed(client, cast.alice, due="week") == [lenas]
    assert set(listed(client, cast.alice, mine="1")) == {overdue, today, done}
    assert listed(client, cast.alice, status__exact="done") == [done]
    assert listed(client, cast.alice, kind__exact="visit") == [today]
    client.force_login(cast.charlie)
    for name in ("change", "history"):
        url = reverse(f"admin:activities_task_{name}", args=(overdue.pk,))
        assert client.get(url).status_code == 404
    client.force_login(cast.alice)
    assert (
        client.get(reverse("admin:activities_task_history", args=(overdue.pk,))).status_code == 200
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_pages_render_in_both_languages(client, cast, language):
    make_task(cast.account)
    client.force_login(cast.alice)
    for url in (
        reverse(TASKS),
        reverse("admin:activities_touchpoint_changelist"),
        reverse(ADD),
        reverse("admin:activities_task_compliance"),
        reverse("admin:activities_task_today"),
    ):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        assert f'lang="{language}"' in response.content.decode()


def test_mark_done_asks_for_the_kind_then_logs_touchpoints(client, cast, english):
    call = make_task(cast.account)
    visit = make_task(cast.account, kind=TaskKind.VISIT)
    west = make_task(cast.west_account)
    client.force_login(cast.alice)
    data = {"action": "mark_done", ACTION_CHECKBOX_NAME: [call.pk, visit.pk, west.pk],
            "index": 0}  # fmt: skip
    response = client.post(reverse(TASKS), data)
    assert response.status_code == 200 and "touchpoint to log" in response.content.decode()
    assert not Touchpoint.objects.exists()
    response = client.post(reverse(TASKS), {**data, "apply": "1", "kind": ""})
    assert response.status_code == 302
    assert {t.task for t in Touchpoint.objects.all()} == {call, visit}
    assert set(Touchpoint.objects.values_list("kind", flat=True)) == {"call", "visit"}
    west.refresh_from_db()
    assert west.status == TaskStatus.OPEN


def test_mark_done_with_a_kind_that_does_not_fit_says_so(client, cast, english):
    call = make_task(cast.account)
    client.force_login(cast.alice)
    response = client.post(reverse(TASKS), {"action": "mark_done", "apply": "1", "kind": "gift",
                                            ACTION_CHECKBOX_NAME: [call.pk], "index": 0},
                           follow=True)  # fmt: skip
    assert "does not complete" in response.content.decode()
    call.refresh_from_db()
    assert call.status == TaskStatus.OPEN


def test_cancel_needs_a_reason_and_keeps_it(client, cast, english):
    call = make_task(cast.account)
    client.force_login(cast.alice)
    data = {"action": "cancel_tasks", ACTION_CHECKBOX_NAME: [call.pk], "index": 0}
    response = client.post(reverse(TASKS), {**data, "apply": "1", "reason": "  "})
    assert response.status_code == 200 and "Say why" in response.content.decode()
    call.refresh_from_db()
    assert call.status == TaskStatus.OPEN
    client.post(reverse(TASKS), {**data, "apply": "1", "reason": "客户出国"})
    call.refresh_from_db()
    assert call.status == TaskStatus.CANCELLED and call.cancel_reason == "客户出国"


def test_policy_tasks_cannot_be_moved_by_hand_but_manual_ones_can(client, cast, policy_a):
    manual = make_task(cast.account, kind=TaskKind.FOLLOW_UP)
    policy = make_task(cast.account, source=TaskSource.POLICY, key="call", tier=policy_a)
    client.force_login(cast.alice)
    form = client.get(reverse("admin:activities_task_change", args=(policy.pk,)))
    assert 'name="due_date"' not in form.content.decode()
    response = client.post(reverse("admin:activities_task_change", args=(manual.pk,)),
                           {"title": "再跟进", "due_date": "2026-06-20", "notes": ""})  # fmt: skip
    assert response.status_code == 302
    manual.refresh_from_db()
    assert manual.due_date == dt.date(2026, 6, 20) and manual.title == "再跟进"


def _touchpoint_form(account, **extra) -> dict:
    return {"account": account.pk, "kind": "visit", "occurred_at_0": "2026-06-15",
            "occurred_at_1": "08:30", "subject": "季度回顾", "notes": "", "cost": "",
            **extra}  # fmt: skip


def test_touchpoint_form_logs_through_the_service_and_completes_the_task(client, cast, policy_a):
    policy_put_in_tier(cast.account, policy_a, dt.date(2026, 5, 1))
    visit = make_task(cast.account, kind=TaskKind.VISIT, source=TaskSource.POLICY, key="visit",
                      tier=policy_a)  # fmt: skip
    contact = make_contact(account=cast.account)
    client.force_login(cast.alice)
    back = reverse("admin:activities_task_today")
    form = client.get(reverse(ADD), {"account": cast.account.pk})
    assert list(form.context["adminform"].form.fields["contacts"].queryset) == [contact]
    response = client.post(f"{reverse(ADD)}?account={cast.account.pk}&next={back}",
                           _touchpoint_form(cast.account, contacts=[contact.pk],
                                            task=visit.pk))  # fmt: skip
    assert response.status_code == 302 and response["Location"] == back
    tp = Touchpoint.objects.get()
    assert tp.task == visit and list(tp.contacts.all()) == [contact]
    assert tp.logged_by == cast.alice
    visit.refresh_from_db()
    assert visit.status == TaskStatus.DONE
    nxt = Task.objects.get(account=cast.account, kind=TaskKind.VISIT, status=TaskStatus.OPEN)
    assert nxt.due_date == dt.date(2026, 6, 25)
    assert tp.history.count() == 1


def test_touchpoint_form_refuses_foreign_contacts_tasks_and_accounts(client, cast, english):
    stranger = make_contact(account=cast.west_account)
    colleague = make_contact(account=cast.account)
    other_account_task = make_task(cast.west_account, kind=TaskKind.VISIT)
    client.force_login(cast.alice)

    def errors(**extra):
        response = client.post(reverse(ADD), {**_touchpoint_form(cast.account), **extra})
        assert response.status_code == 200, "the form should come back with errors"
        return response.context["adminform"].form.errors

    assert "contacts" in errors(contacts=[stranger.pk])
    assert "task" in errors(task=other_account_task.pk)
    assert "account" in errors(account=cast.west_account.pk)
    assert "occurred_at" in errors(occurred_at_0="2027-01-01")
    assert "cost" in errors(cost="-3")
    assert not Touchpoint.objects.exists()
    assert colleague  # a contact of the account itself is fine (see the test above)


def test_touchpoints_are_scoped_and_only_managers_delete(client, cast):
    mine = Touchpoint.objects.create(
        account=cast.account, kind="call", occurred_at=policy_local(2026, 6, 14), cost=Decimal("5")
    )
    west = Touchpoint.objects.create(account=cast.west_account, kind="call",
                                     occurred_at=policy_local(2026, 6, 14))  # fmt: skip
    client.force_login(cast.alice)
    rows = client.get(reverse("admin:activities_touchpoint_changelist")).context["cl"].result_list
    assert list(rows) == [mine]
    assert client.get(reverse("admin:activities_touchpoint_change",
                              args=(west.pk,))).status_code == 404  # fmt: skip
    assert client.get(reverse("admin:activities_touchpoint_history",
                              args=(west.pk,))).status_code == 404  # fmt: skip
    delete = reverse("admin:activities_touchpoint_delete", args=(mine.pk,))
    assert client.get(delete).status_code == 403
    client.force_login(cast.mia)
    assert client.get(delete).status_code == 200


@pytest.mark.parametrize("language,words", [("en", ["SOP compliance", "Per team", "A quality"]),
                                            ("zh-hans", ["A品质", "East"])])  # fmt: skip
def test_compliance_page_shows_kams_teams_and_cost_per_tier(
    client, cast, policy_a, language, words
):
    on_time = make_task(cast.account, due=dt.date(2026, 6, 10), source=TaskSource.POLICY,
                        key="call", tier=policy_a)  # fmt: skip
    Task.objects.filter(pk=on_time.pk).update(
        status=TaskStatus.DONE, completed_at=policy_local(2026, 6, 9)
    )
    make_task(cast.account, due=dt.date(2026, 6, 11), source=TaskSource.POLICY, key="visit",
              tier=policy_a)  # fmt: skip
    Touchpoint.objects.create(account=cast.account, kind="gift", task=on_time, cost=Decimal("100"),
                              occurred_at=policy_local(2026, 6, 9))  # fmt: skip
    client.force_login(cast.lena)
    response = client.get(reverse("admin:activities_task_compliance"), {"period": "this_month"},
                          HTTP_ACCEPT_LANGUAGE=language)  # fmt: skip
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.total.due, report.total.on_time, report.total.open_overdue) == (2, 1, 1)
    text = response.content.decode()
    for word in words:
        assert word in text, word
    assert "50%" in text and "¥100.00" in text
    client.force_login(cast.charlie)
    assert client.get(reverse("admin:activities_task_compliance")).context["report"].total.due == 0
    assert client.get(reverse("admin:activities_task_compliance"),
                      {"period": "bogus"}).status_code == 200  # fmt: skip


def test_period_bounds():
    from guanxi.activities.views import period_bounds

    day = dt.date(2026, 5, 20)
    assert period_bounds("this_month", day) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert period_bounds("last_month", day) == (dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert period_bounds("quarter", day) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert period_bounds("last_quarter", day) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert period_bounds("last_quarter", dt.date(2026, 2, 1)) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
    )


def render_card(account, user) -> str:
    request = RequestFactory().get("/admin/accounts/account/1/360/")
    request.user = user
    template = Template("{% load activities_tags %}{% account_activity_card account user %}")
    return template.render(Context({"account": account, "user": user, "request": request}))


def test_activity_card_lists_open_tasks_and_recent_touchpoints(cast, english):
    overdue = make_task(cast.account, due=dt.date(2026, 6, 12))
    done = make_task(cast.account, status=TaskStatus.DONE)
    for i in range(12):
        Touchpoint.objects.create(account=cast.account, kind="call", subject=f"第{i}次",
                                  occurred_at=policy_local(2026, 6, 1 + i))  # fmt: skip
    Touchpoint.objects.filter(subject="第11次").update(cost=Decimal("66"))
    html = render_card(cast.account, cast.alice)
    assert f'data-task="{overdue.pk}"' in html and f'data-task="{done.pk}"' not in html
    assert "3 days overdue" in html
    assert html.count("data-touchpoint=") == 10
    assert "第11次" in html and "第1次" not in html and "¥66.00" in html
    assert f"account={cast.account.pk}" in html
    assert render_card(cast.account, cast.charlie).strip() == ""
