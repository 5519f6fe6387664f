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

from guanxi.activities.models import Task, TaskKind, TaskSource, TaskStatus
from guanxi.activities.tests.conftest import policy_local, policy_put_in_tier
from guanxi.touchpoints.models import Touchpoint
from tests.support import make_account, make_contact

TODAY = dt.date(2026, 6, 15)
TASKS = "admin:activities_task_changelist"
ADD = "admin:touchpoints_touchpoint_add"


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
    assert set(listed(client, cast.alice, status__exact="all")) == {overdue, today, lenas, done}
    assert set(listed(client, cast.alice)) == {overdue, today, lenas}  # open by default
    assert set(listed(client, cast.charlie)) == {west}
    assert set(listed(client, cast.bob, status__exact="all")) == set()
    assert listed(client, cast.alice, due="overdue") == [overdue]
    assert listed(client, cast.alice, due="today") == [today]
    assert listed(client, cast.alice, due="week") == [lenas]
    assert set(listed(client, cast.alice, mine="1", status__exact="all")) == {overdue, today, done}
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
        reverse("admin:touchpoints_touchpoint_changelist"),
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
    body = response.content.decode()  # the page asks which touchpoint to log
    assert response.status_code == 200 and 'id="task-action"' in body and 'name="kind"' in body
    assert not Touchpoint.objects.exists()
    response = client.post(reverse(TASKS), {**data, "apply": "1", "kind": ""})
    assert response.status_code == 302
    assert {t.fulfilled_task for t in Touchpoint.objects.all()} == {call, visit}
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
    assert tp.fulfilled_task == visit and list(tp.contacts.all()) == [contact]
    assert tp.logged_by == cast.alice
    visit.refresh_from_db()
    assert visit.status == TaskStatus.DONE
    nxt = Task.objects.get(account=cast.account, kind=TaskKind.VISIT, status=TaskStatus.OPEN)
    assert nxt.due_date == dt.date(2026, 6, 25)
    assert tp.history.count() == 1


def test_touchpoint_form_offers_only_the_chosen_accounts_contacts(client, cast):
    """A dependent select: no contact before an account is chosen; choosing one asks the same
    form again with ?account= (htmx) and swaps in that account's contacts and tasks."""
    mine = make_contact(account=cast.account)
    make_contact(account=cast.west_account)
    other = make_account(owner=cast.alice)
    make_contact(account=other)
    client.force_login(cast.alice)
    blank = client.get(reverse(ADD))
    assert list(blank.context["adminform"].form.fields["contacts"].queryset) == []
    text = blank.content.decode()
    select = (
        text.split('name="account"')[0].rsplit("<select", 1)[1]
        + text.split('name="account"')[1].split(">")[0]
    )
    assert f'hx-get="{reverse(ADD)}"' in select and "#id_contacts,#id_task" in select
    chosen = client.get(reverse(ADD), {"account": cast.account.pk})
    assert list(chosen.context["adminform"].form.fields["contacts"].queryset) == [mine]
    assert 'id="id_contacts"' in chosen.content.decode()


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
    rows = client.get(reverse("admin:touchpoints_touchpoint_changelist")).context["cl"].result_list
    assert list(rows) == [mine]
    assert client.get(reverse("admin:touchpoints_touchpoint_change",
                              args=(west.pk,))).status_code == 404  # fmt: skip
    assert client.get(reverse("admin:touchpoints_touchpoint_history",
                              args=(west.pk,))).status_code == 404  # fmt: skip
    delete = reverse("admin:touchpoints_touchpoint_delete", args=(mine.pk,))
    assert client.get(delete).status_code == 403
    client.force_login(cast.mia)
    assert client.get(delete).status_code == 200


@pytest.mark.parametrize("language,words", [("en", ["SOP compliance", "A quality"]),
                                            ("zh-hans", ["A品质", "East"])])  # fmt: skip
def test_compliance_page_shows_kams_teams_and_cost_per_tier(
    client, cast, policy_a, language, words
):
    on_time = make_task(cast.account, due=dt.date(2026, 6, 10), source=TaskSource.POLICY,
                        key="call", tier=policy_a)  # fmt: skip
    Task.objects.filter(pk=on_time.pk).update(
        status=TaskStatus.DONE, completed_at=policy_local(2026, 6, 9)
    )
    overdue = make_task(cast.account, due=dt.date(2026, 6, 11), source=TaskSource.POLICY,
                        key="visit", tier=policy_a)  # fmt: skip
    Task.objects.filter(pk__in=[on_time.pk, overdue.pk]).update(created_at=policy_local(2026, 6, 1))
    gift = Touchpoint.objects.create(account=cast.account, kind="gift", cost=Decimal("100"),
                                     occurred_at=policy_local(2026, 6, 9))  # fmt: skip
    Task.objects.filter(pk=on_time.pk).update(touchpoint=gift)
    client.force_login(cast.lena)
    response = client.get(reverse("admin:activities_task_compliance"), {"period": "this_month"},
                          HTTP_ACCEPT_LANGUAGE=language)  # fmt: skip
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.total.due, report.total.on_time, report.total.open_overdue) == (2, 1, 1)
    text = response.content.decode()
    for word in words:
        assert word in text, word
    assert 'data-compliance="teams"' in text
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
    assert 'data-overdue="3"' in html
    assert html.count("data-touchpoint=") == 10
    assert "第11次" in html and "第1次" not in html and "¥66.00" in html
    assert f"account={cast.account.pk}" in html
    assert render_card(cast.account, cast.charlie).strip() == ""


def _choices(response, field: str) -> dict[int, str]:
    form = response.context["adminform"].form
    return {int(value.value): label for value, label in form.fields[field].choices if value}


def test_touchpoint_form_names_tasks_and_keeps_to_the_account(client, cast, policy_a, english):
    other = make_account(owner=cast.alice, name="山东省眼科学会")
    visit = make_task(other, kind=TaskKind.VISIT, due=dt.date(2026, 11, 27),
                      source=TaskSource.POLICY, key="visit", tier=policy_a)  # fmt: skip
    Task.objects.filter(pk=visit.pk).update(title="拜访")  # stored in the site language
    mine = make_task(cast.account)
    lenas = make_task(cast.account, assignee=cast.lena)
    make_task(cast.account, status=TaskStatus.DONE)
    make_task(cast.west_account)
    ours = make_contact(account=cast.account, name="甲")
    theirs = make_contact(account=other, name="乙")
    make_contact(account=cast.west_account, name="丙")
    client.force_login(cast.alice)

    # No account yet: only alice's own open tasks, and no contact until the account is chosen
    # (the contacts of every account she sees would be a long list of strangers to pick from).
    response = client.get(reverse(ADD))
    tasks = _choices(response, "task")
    assert set(tasks) == {visit.pk, mine.pk}
    assert tasks[visit.pk] == "Visit — A quality · 山东省眼科学会 · 2026-11-27"
    assert _choices(response, "contacts") == {}
    assert theirs  # offered once its account is chosen, as below for alice's own account

    # The account known: every open task of that account (a colleague's too), its contacts.
    response = client.get(reverse(ADD), {"account": cast.account.pk})
    assert set(_choices(response, "task")) == {mine.pk, lenas.pk}
    assert _choices(response, "contacts") == {ours.pk: "甲"}


def test_a_task_of_another_account_is_refused_with_a_sentence(client, cast, english):
    other = make_account(owner=cast.alice)
    theirs = make_task(other, kind=TaskKind.VISIT)
    client.force_login(cast.alice)
    response = client.post(reverse(ADD), _touchpoint_form(cast.account, task=theirs.pk))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["task"]
    assert errors == ["This task is not an open task of the chosen account."]
    assert str(theirs.pk) not in errors[0]
    assert not Touchpoint.objects.exists()


def test_adding_a_touchpoint_shows_one_message(client, cast, policy_a, english):
    policy_put_in_tier(cast.account, policy_a, dt.date(2026, 5, 1))
    visit = make_task(cast.account, kind=TaskKind.VISIT, source=TaskSource.POLICY, key="visit",
                      tier=policy_a)  # fmt: skip
    client.force_login(cast.alice)
    response = client.post(reverse(ADD), _touchpoint_form(cast.account, task=visit.pk),
                           follow=True)  # fmt: skip
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1 and "is done" in shown[0] and "2026-06-25" in shown[0]
    # Without a task, the admin's own message is the only one.
    response = client.post(reverse(ADD), _touchpoint_form(cast.account, kind="email"),
                           follow=True)  # fmt: skip
    assert len(list(response.context["messages"])) == 1


def test_task_page_shows_the_title_and_role_in_the_readers_language(client, cast, policy_a,
                                                                    english):  # fmt: skip
    banquet = make_task(cast.account, kind=TaskKind.BANQUET, source=TaskSource.POLICY,
                        key="banquet", tier=policy_a, role="general_manager")  # fmt: skip
    Task.objects.filter(pk=banquet.pk).update(title="宴请（A品质）")
    client.force_login(cast.alice)
    text = client.get(reverse("admin:activities_task_change", args=(banquet.pk,))).content
    text = text.decode()
    assert "宴请（A品质）" not in text and "Banquet" in text
    assert "General manager" in text and "general_manager" not in text
    listing = client.get(reverse(TASKS)).content.decode()
    assert "宴请（A品质）" not in listing
    response = client.post(reverse(TASKS), {"action": "cancel_tasks", "index": 0,
                                            ACTION_CHECKBOX_NAME: [banquet.pk]})  # fmt: skip
    assert "宴请（A品质）" not in response.content.decode()


def test_task_list_status_filter_defaults_to_open_with_all_available(client, cast):
    open_ = make_task(cast.account)
    done = make_task(cast.account, status=TaskStatus.DONE)
    cancelled = make_task(cast.account, status=TaskStatus.CANCELLED)
    assert listed(client, cast.alice) == [open_]
    assert set(listed(client, cast.alice, status__exact="all")) == {open_, done, cancelled}
    assert listed(client, cast.alice, status__exact="cancelled") == [cancelled]
    assert listed(client, cast.alice, status__exact="bogus") == [open_]


def test_touchpoint_list_keeps_chinese_names_on_one_line(client, cast, policy_a):
    Touchpoint.objects.create(account=cast.account, kind="call", logged_by=cast.alice,
                              occurred_at=policy_local(2026, 6, 14))  # fmt: skip
    client.force_login(cast.alice)
    text = client.get(reverse("admin:touchpoints_touchpoint_changelist")).content.decode()
    assert f'<span class="whitespace-nowrap">{cast.alice}</span>' in text


def test_a_kam_sees_no_team_table_on_the_compliance_page(client, cast, english):
    client.force_login(cast.alice)
    response = client.get(reverse("admin:activities_task_compliance"))
    text = response.content.decode()
    # Which tables show is the point here, not their titles: select them by their hooks.
    assert 'data-compliance="kams"' in text and 'data-compliance="teams"' not in text
    assert 'data-figure="due"' in text
    client.force_login(cast.lena)
    lead = client.get(reverse("admin:activities_task_compliance")).content.decode()
    assert 'data-compliance="teams"' in lead


def test_last_touchpoint_tag_and_the_360_row(client, cast, english):
    template = Template(
        "{% load activities_tags %}{% last_touchpoint account as tp %}"
        "{% if tp %}{{ tp.touchpoint.kind }} {{ tp.day|date:'Y-m-d' }} {{ tp.days_ago }}"
        "{% else %}none{% endif %}"
    )
    assert template.render(Context({"account": cast.account})) == "none"
    Touchpoint.objects.create(account=cast.account, kind="call",
                              occurred_at=policy_local(2026, 6, 1))  # fmt: skip
    # 23:30 Shanghai on 11 June is 15:30 UTC: the local day counts.
    Touchpoint.objects.create(account=cast.account, kind="visit",
                              occurred_at=policy_local(2026, 6, 11, 23, 30))  # fmt: skip
    Touchpoint.objects.create(account=cast.west_account, kind="gift",
                              occurred_at=policy_local(2026, 6, 14))  # fmt: skip
    assert template.render(Context({"account": cast.account})) == "visit 2026-06-11 4"
    client.force_login(cast.alice)
    page = reverse("admin:accounts_account_view_360", args=(cast.account.pk,))
    text = client.get(page).content.decode()
    row = text.split('data-figure="last-touchpoint">')[1].split("</dd>")[0]
    assert "In-person visit" in row and "2026-06-11" in row and "4 days ago" in row
