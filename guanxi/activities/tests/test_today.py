"""The Today page: what a KAM should do today, in priority order with the reason, and the
one-click log that completes a task and schedules the next."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from guanxi.activities.models import Task, TaskKind, TaskStatus
from guanxi.activities.selectors import agenda_subject, agenda_subjects
from guanxi.activities.tests.conftest import TODAY, frozen, policy_put_in_tier, task
from guanxi.core.models import Role
from guanxi.tiers.models import ChangeReason, TierChange
from guanxi.touchpoints.models import Touchpoint
from guanxi.workspace.today import agenda
from tests.support import make_account, make_user

PAGE = "admin:activities_task_today"


def test_due_tasks_come_in_priority_order_tier_then_clv_then_overdue(cast, day, english):
    with frozen():
        result = agenda(user=cast.alice)
    assert [i.task for i in result.due] == [day["a1_call"], day["a2_visit"], day["b_visit"],
                                            day["none_call"]]  # fmt: skip
    assert [i.task for i in result.upcoming] == [day["a1_visit"]]
    reasons = [i.reason for i in result.due]
    assert reasons[0] == "3 days overdue · A quality · CLV ¥52,000"
    assert reasons[1] == "due today · A quality · CLV ¥10,000"
    assert reasons[2] == "5 days overdue · B quality · CLV ¥90,000"
    assert reasons[3] == "14 days overdue · CLV ¥100,000"
    assert result.upcoming[0].reason.startswith("due in 3 days · A quality")
    assert result.due[1].log_label == "Log visit" and result.due[0].log_label == "Log call"


def test_same_tier_and_clv_puts_the_most_overdue_first(cast, policy_a):
    other = make_account(owner=cast.alice)
    policy_put_in_tier(cast.account, policy_a, dt.date(2026, 5, 1))
    policy_put_in_tier(other, policy_a, dt.date(2026, 5, 1))
    late = task(other, TaskKind.VISIT, dt.date(2026, 6, 5), tier=policy_a)
    less = task(cast.account, TaskKind.VISIT, dt.date(2026, 6, 14), tier=policy_a)
    with frozen():
        result = agenda(user=cast.alice)
    assert [i.task for i in result.due] == [late, less]


def test_key_dates_tier_changes_and_neglected_accounts(cast, day, english):
    with frozen():
        result = agenda(user=cast.alice)
    assert [(k.contact, k.day) for k in result.key_dates] == [
        (day["sun"], dt.date(2026, 6, 18)),
        (day["zhou"], dt.date(2026, 6, 20)),
    ]
    assert result.key_dates[0].reason == "birthday in 3 days · A quality · CLV ¥52,000"
    assert result.key_dates[1].reason.startswith("结婚纪念日 in 5 days")
    assert [(c.account, c.upgrade) for c in result.tier_changes] == [(day["b"], False)]
    assert "A quality → B quality (down)" in result.tier_changes[0].reason
    neglected = {n.account: n for n in result.neglected}
    assert set(neglected) == {day["a1"], day["b"]}  # a2 was called yesterday; none has no policy
    assert neglected[day["a1"]].days_since == 14 and neglected[day["a1"]].cadence_days == 3
    assert neglected[day["a1"]].reason == (
        "last touchpoint 14 days ago · cadence every 3 days (A quality) · CLV ¥52,000"
    )
    assert neglected[day["b"]].days_since is None
    assert "no touchpoint yet" in neglected[day["b"]].reason
    assert [n.account for n in result.neglected] == [day["a1"], day["b"]]


def test_a_lead_may_open_a_members_day_but_a_kam_may_not(cast, day):
    assert agenda_subject(cast.lena, cast.alice.pk) == cast.alice
    assert agenda_subject(cast.mia, cast.charlie.pk) == cast.charlie
    assert agenda_subject(cast.alice, cast.bob.pk) is None
    assert agenda_subject(cast.lena, cast.charlie.pk) is None
    assert agenda_subject(cast.alice, "x") is None
    with frozen():
        seen_by_lead = agenda(user=cast.alice, actor=cast.lena)
    assert day["a1_call"] in [i.task for i in seen_by_lead.due]


def test_the_member_picker_leaves_out_the_administrators(cast):
    """A director picks among the people who work accounts; the admin (a superuser or the admin
    role, no accounts, no day) is not one of them, except on their own picker."""
    root = make_user("root", role=Role.KAM, is_superuser=True)
    admin_role = make_user("keeper", role=Role.ADMIN)
    listed = set(agenda_subjects(cast.mia))
    assert {cast.alice, cast.bob, cast.lena, cast.mia} <= listed
    assert root not in listed and admin_role not in listed
    assert agenda_subject(cast.mia, root.pk) is None
    assert admin_role in set(agenda_subjects(admin_role))


@pytest.mark.parametrize("language,words", [("en", ["Today"]),
                                            ("zh-hans", ["A品质", "华东会展集团"])])  # fmt: skip
def test_today_page_in_both_languages(client, cast, day, language, words):
    client.force_login(cast.alice)
    with frozen():
        response = client.get(reverse(PAGE), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    text = response.content.decode()
    assert f'lang="{language}"' in text
    for word in words:
        assert word in text, word
    # One-click log buttons, the calendar feed and how overdue a task is, in either language.
    assert 'data-log-button="visit"' in text and 'data-log-button="call"' in text
    assert 'id="calendar-feed"' in text and 'data-overdue="3"' in text
    assert "西部旅行社" not in text and "西部生日" not in text
    assert f'data-task="{day["a1_call"].pk}"' in text
    assert f'data-task="{day["done"].pk}"' not in text
    assert f'data-task="{day["later"].pk}"' not in text


def test_member_pages_follow_the_access_rule(client, cast, day):
    client.force_login(cast.lena)
    with frozen():
        response = client.get(reverse(PAGE), {"user": cast.alice.pk})
    assert response.status_code == 200
    assert f'data-task="{day["a1_call"].pk}"' in response.content.decode()
    assert response.context["own"] is False
    assert client.get(reverse(PAGE), {"user": cast.charlie.pk}).status_code == 404
    client.force_login(cast.alice)
    assert client.get(reverse(PAGE), {"user": cast.bob.pk}).status_code == 404
    assert client.get(reverse(PAGE), {"user": "nonsense"}).status_code == 404


def test_today_shortcut_redirects_to_the_page(client, cast):
    client.force_login(cast.alice)
    response = client.get("/today/")
    assert response.status_code == 302 and response["Location"] == reverse(PAGE)


def test_one_click_logs_the_visit_and_schedules_the_next(client, cast, policy_a, english):
    policy_put_in_tier(cast.account, policy_a, dt.date(2026, 5, 1))
    visit = task(cast.account, TaskKind.VISIT, TODAY, tier=policy_a)
    client.force_login(cast.alice)
    with frozen():
        response = client.post(
            reverse("admin:activities_task_log", args=(visit.pk,)),
            {"kind": "visit", "notes": "谈了新合同", "next": reverse(PAGE)},
            follow=True,
        )
    assert response.redirect_chain[-1][0] == reverse(PAGE)
    visit.refresh_from_db()
    assert visit.status == TaskStatus.DONE
    touchpoint = Touchpoint.objects.get(fulfilled_task=visit)
    assert touchpoint.kind == "visit" and touchpoint.notes == "谈了新合同"
    assert touchpoint.logged_by == cast.alice
    following = Task.objects.get(account=cast.account, kind=TaskKind.VISIT,
                                 status=TaskStatus.OPEN)  # fmt: skip
    assert following.due_date == TODAY + dt.timedelta(days=10)
    text = response.content.decode()
    assert "2026-06-25" in text  # the message names the next due date
    assert f'data-task="{visit.pk}"' not in text


def test_one_click_records_the_cost_of_a_gift(client, cast, policy_a):
    gift = task(cast.account, TaskKind.BIRTHDAY_GIFT, TODAY)
    client.force_login(cast.alice)
    with frozen():
        client.post(reverse("admin:activities_task_log", args=(gift.pk,)),
                    {"kind": "gift", "cost": "88.50"})  # fmt: skip
    assert Touchpoint.objects.get(fulfilled_task=gift).cost == Decimal("88.50")
    gift.refresh_from_db()
    assert gift.status == TaskStatus.DONE


def test_one_click_refuses_bad_input_with_a_message(client, cast, english):
    call = task(cast.account, TaskKind.CALL, TODAY)
    client.force_login(cast.alice)
    with frozen():
        response = client.post(reverse("admin:activities_task_log", args=(call.pk,)),
                               {"kind": "gift"}, follow=True)  # fmt: skip
        assert response.status_code == 200
        assert "does not complete" in response.content.decode()
        response = client.post(reverse("admin:activities_task_log", args=(call.pk,)),
                               {"kind": "call", "cost": "-5"}, follow=True)  # fmt: skip
        assert "Nothing logged" in response.content.decode()
    assert not Touchpoint.objects.exists()
    call.refresh_from_db()
    assert call.status == TaskStatus.OPEN
    response = client.get(reverse("admin:activities_task_log", args=(call.pk,)))
    assert response.status_code == 302 and response["Location"] == reverse(PAGE)
    assert not Touchpoint.objects.exists()


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_a_kam_cannot_log_on_another_kams_account(client, cast, who):
    call = task(cast.account, TaskKind.CALL, TODAY)
    client.force_login(getattr(cast, who))
    with frozen():
        response = client.post(reverse("admin:activities_task_log", args=(call.pk,)),
                               {"kind": "call"})  # fmt: skip
    assert response.status_code == 404
    assert not Touchpoint.objects.exists()
    call.refresh_from_db()
    assert call.status == TaskStatus.OPEN


def test_a_closed_task_is_not_logged_twice(client, cast):
    call = task(cast.account, TaskKind.CALL, TODAY, status=TaskStatus.DONE)
    client.force_login(cast.alice)
    with frozen():
        client.post(reverse("admin:activities_task_log", args=(call.pk,)), {"kind": "call"})
    assert not Touchpoint.objects.exists()


@pytest.fixture
def moves(cast, policy_a, policy_b):
    """Tier changes in alice's book around 15 June 2026. The scheme rolled out on 10 June (its
    first run gave every account its first tier); since then: one account entered a tier for
    the first time, one moved up, one down, one lost its tier."""
    scheme = policy_a.scheme
    names = ("rollout", "newcomer", "riser", "faller", "leaver")
    acc = {name: make_account(owner=cast.alice, name=name) for name in names}

    def change(account, old, new, day):
        return TierChange.objects.create(account=account, scheme=scheme, from_tier=old,
                                         to_tier=new, effective_on=day,
                                         reason=ChangeReason.RULES)  # fmt: skip

    # An older account of another owner fixes the rollout day before the window: 10 June.
    change(cast.west_account, None, policy_b, dt.date(2026, 6, 10))
    change(acc["rollout"], None, policy_a, dt.date(2026, 6, 10))
    change(acc["newcomer"], None, policy_b, dt.date(2026, 6, 13))
    change(acc["riser"], policy_b, policy_a, dt.date(2026, 6, 14))
    change(acc["faller"], policy_a, policy_b, dt.date(2026, 6, 12))
    change(acc["leaver"], policy_b, None, dt.date(2026, 6, 11))
    return acc


def test_tier_changes_leave_out_the_rollout_and_call_first_tiers_new(cast, moves, english):
    with frozen():
        result = agenda(user=cast.alice)
    got = {c.account.name: c for c in result.tier_changes}
    assert set(got) == {"newcomer", "riser", "faller", "leaver"}  # not the rollout's entries
    assert {name: c.direction for name, c in got.items()} == {
        "newcomer": "new", "riser": "up", "faller": "down", "leaver": "lost",
    }  # fmt: skip
    assert got["newcomer"].upgrade is None and got["riser"].upgrade is True
    assert "(up)" not in got["newcomer"].reason and "new in B quality" in got["newcomer"].reason
    assert "B quality → A quality (up)" in got["riser"].reason
    assert "A quality → B quality (down)" in got["faller"].reason
    assert "(lost)" in got["leaver"].reason


def test_a_first_tier_on_the_rollout_day_still_shows_a_real_move(cast, policy_a, policy_b):
    # On the rollout day itself, an entry is left out but a move (from a tier) is not.
    account = make_account(owner=cast.alice)
    TierChange.objects.create(account=account, scheme=policy_a.scheme, from_tier=None,
                              to_tier=policy_b, effective_on=dt.date(2026, 6, 12),
                              reason=ChangeReason.RULES)  # fmt: skip
    TierChange.objects.create(account=account, scheme=policy_a.scheme, from_tier=policy_b,
                              to_tier=policy_a, effective_on=dt.date(2026, 6, 12),
                              reason=ChangeReason.OVERRIDE)  # fmt: skip
    with frozen():
        result = agenda(user=cast.alice)
    assert [c.direction for c in result.tier_changes] == ["up"]


def test_today_page_and_api_agree_on_the_direction(client, as_user, cast, moves, english):
    client.force_login(cast.alice)
    with frozen():
        text = client.get(reverse(PAGE)).content.decode()
        body = as_user("alice").get("/api/activities/today").json()
    api = {c["account_name"]: c["direction"] for c in body["tier_changes"]}
    assert api == {"newcomer": "new", "riser": "up", "faller": "down", "leaver": "lost"}
    for name, direction in api.items():
        assert f'data-account="{moves[name].pk}"' in text
        assert f'data-direction="{direction}"' in text
    assert f'data-account="{moves["rollout"].pk}"' not in text


def test_budgets_on_today_have_thousands_separators(client, cast, english):
    task(cast.account, TaskKind.BANQUET, TODAY, budget=Decimal("12000.00"))
    client.force_login(cast.alice)
    with frozen():
        text = client.get(reverse(PAGE)).content.decode()
    assert "budget ¥12,000" in text


def test_a_closed_task_warning_names_it_in_the_readers_language(client, cast, policy_a, english):
    visit = task(cast.account, TaskKind.VISIT, TODAY, tier=policy_a, status=TaskStatus.DONE)
    Task.objects.filter(pk=visit.pk).update(title="拜访客户")
    client.force_login(cast.alice)
    with frozen():
        response = client.post(reverse("admin:activities_task_log", args=(visit.pk,)),
                               {"kind": "visit"}, follow=True)  # fmt: skip
    text = response.content.decode()
    assert "was already closed" in text and "拜访客户" not in text
