"""The policy engine: which tasks the tier policies ask for, when they are due, and that a
re-run on unchanged data writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from guanxi.activities import policy
from guanxi.activities.models import Task, TaskKind, TaskSource, TaskStatus
from guanxi.activities.policy import task_display_title
from guanxi.activities.services import policy_tasks_sync, touchpoint_log
from guanxi.activities.tests.conftest import (
    VIP_GROUP,
    policy_local,
    policy_put_in_tier,
    policy_touch,
)
from guanxi.contacts.models import KeyDate
from guanxi.core.dates import add_months, next_occurrence, occurrence_in
from guanxi.tiers.models import AccountTier
from tests.support import analyze_count, make_account, make_contact, watch_analyze

D = dt.date


def open_tasks(account) -> dict[str, Task]:
    return {t.key: t for t in Task.objects.filter(account=account, status=TaskStatus.OPEN)}


# --- calendar arithmetic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2027, 11, 30), 3, D(2028, 2, 29)),  # leap year
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2026, 8, 31), 1, D(2026, 9, 30)),
        (D(2026, 10, 15), 3, D(2027, 1, 15)),
        (D(2026, 12, 31), 12, D(2027, 12, 31)),
    ],
)
def test_adding_months_clamps_to_the_end_of_the_month(start, months, expected):
    assert add_months(start, months) == expected


def test_29_february_recurs_on_28_february_in_other_years():
    born = D(1992, 2, 29)
    assert occurrence_in(born, 2027) == D(2027, 2, 28)
    assert occurrence_in(born, 2028) == D(2028, 2, 29)
    assert next_occurrence(born, D(2027, 3, 1)) == D(2028, 2, 29)
    assert next_occurrence(D(1980, 5, 4), D(2026, 5, 4)) == D(2026, 5, 4)


# --- what the policy asks for -------------------------------------------------------------------


def test_a_tier_creates_its_tasks_for_the_owner(cast, policy_a):
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 3, 1))
    result = policy_tasks_sync(as_of=D(2026, 3, 10))

    tasks = open_tasks(cast.account)
    assert set(tasks) == {"call", "visit", "banquet", "trip", f"group:{VIP_GROUP}"}
    assert result.created == 5 and result.written == 5
    for task in tasks.values():
        assert task.source == TaskSource.POLICY
        assert task.assignee == cast.alice
        assert task.tier == policy_a
        # Never happened: due from the day the account entered the tier.
        assert task.due_date == D(2026, 3, 1)
    banquet = tasks["banquet"]
    assert banquet.kind == TaskKind.BANQUET
    assert banquet.role == "general_manager" and banquet.budget == Decimal("700.00")
    assert tasks["trip"].budget == Decimal("2000.00")
    assert tasks[f"group:{VIP_GROUP}"].kind == TaskKind.GROUP_INVITE
    # Charlie's account has no tier: nothing for it.
    assert not Task.objects.filter(account=cast.west_account).exists()


def test_cadence_runs_from_the_last_touchpoint_and_logging_one_moves_the_next(cast, policy_a):
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 1, 1))
    policy_touch(cast.account, "call", policy_local(2026, 3, 5, 9))
    policy_touch(cast.account, "call", policy_local(2026, 2, 1, 9))  # older: ignored
    policy_touch(cast.account, "visit", policy_local(2026, 3, 2, 15))
    policy_tasks_sync(as_of=D(2026, 3, 7))
    tasks = open_tasks(cast.account)
    assert tasks["call"].due_date == D(2026, 3, 8)
    assert tasks["visit"].due_date == D(2026, 3, 12)

    with time_machine.travel(policy_local(2026, 3, 7, 16), tick=False):
        touchpoint = touchpoint_log(
            account=cast.account,
            kind="call",
            occurred_at=policy_local(2026, 3, 7, 15),
            actor=cast.alice,
        )
    done = Task.objects.get(pk=tasks["call"].pk)
    assert done.status == TaskStatus.DONE and touchpoint.fulfilled_task == done
    following = open_tasks(cast.account)["call"]
    assert following.pk != done.pk and following.due_date == D(2026, 3, 10)
    assert open_tasks(cast.account)["visit"].due_date == D(2026, 3, 12)  # untouched


def test_a_touchpoint_late_in_the_shanghai_evening_counts_on_that_local_day(cast, policy_a):
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 1, 1))
    # 23:30 in Shanghai is 15:30 UTC the same day; 00:30 Shanghai is 16:30 UTC the day before.
    late = policy_touch(cast.account, "call", policy_local(2026, 3, 10, 23, 30))
    early = policy_touch(cast.account, "visit", policy_local(2026, 3, 11, 0, 30))
    assert late.occurred_at.astimezone(dt.UTC).hour == 15
    assert early.occurred_at.astimezone(dt.UTC).date() == D(2026, 3, 10)

    policy_tasks_sync(as_of=D(2026, 3, 11))
    tasks = open_tasks(cast.account)
    assert tasks["call"].due_date == D(2026, 3, 13)
    assert tasks["visit"].due_date == D(2026, 3, 21)


def test_touchpoints_after_as_of_do_not_count(cast, policy_a):
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 1, 1))
    policy_touch(cast.account, "call", policy_local(2026, 3, 5))
    policy_touch(cast.account, "call", policy_local(2026, 3, 20))
    policy_tasks_sync(as_of=D(2026, 3, 10))
    assert open_tasks(cast.account)["call"].due_date == D(2026, 3, 8)


@pytest.mark.parametrize(
    ("banquet_on", "due"),
    [(D(2026, 11, 30), D(2027, 2, 28)), (D(2027, 11, 30), D(2028, 2, 29))],
)
def test_banquets_every_three_months_across_month_ends(cast, policy_a, banquet_on, due):
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 1, 1))
    policy_touch(cast.account, "banquet", policy_local(banquet_on.year, 11, 30, 19))
    policy_tasks_sync(as_of=banquet_on + dt.timedelta(days=1))
    assert open_tasks(cast.account)["banquet"].due_date == due


def test_the_yearly_trip_is_due_a_year_after_the_last(cast, policy_a):
    policy_put_in_tier(cast.account, policy_a, since=D(2025, 1, 1))
    policy_touch(cast.account, "trip", policy_local(2025, 10, 1))
    policy_tasks_sync(as_of=D(2026, 3, 1))
    assert open_tasks(cast.account)["trip"].due_date == D(2026, 10, 1)


# --- birthdays and anniversaries ----------------------------------------------------------------


def test_a_birthday_gift_appears_within_30_days_and_is_due_lead_days_before(cast, policy_a):
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 1, 1))
    wang = make_contact(account=cast.account, name="王总", birthday=D(1975, 4, 20))

    policy_tasks_sync(as_of=D(2026, 3, 20))  # 31 days before: not yet
    assert f"birthday:{wang.pk}:2026" not in open_tasks(cast.account)

    policy_tasks_sync(as_of=D(2026, 3, 21))
    gift = open_tasks(cast.account)[f"birthday:{wang.pk}:2026"]
    assert gift.kind == TaskKind.BIRTHDAY_GIFT and gift.contact == wang
    assert gift.due_date == D(2026, 4, 17) and gift.budget == Decimal("100.00")
    assert "王总" in gift.title


@pytest.mark.parametrize(
    ("as_of", "year", "due"),
    [(D(2027, 2, 10), 2027, D(2027, 2, 25)), (D(2028, 2, 10), 2028, D(2028, 2, 26))],
)
def test_a_birthday_on_29_february(cast, policy_a, as_of, year, due):
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 1, 1))
    leap = make_contact(account=cast.account, birthday=D(1992, 2, 29))
    policy_tasks_sync(as_of=as_of)
    assert open_tasks(cast.account)[f"birthday:{leap.pk}:{year}"].due_date == due


def test_a_birthday_across_new_year(cast, policy_a):
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 1, 1))
    li = make_contact(account=cast.account, birthday=D(1980, 1, 5))
    policy_tasks_sync(as_of=D(2026, 12, 20))
    assert open_tasks(cast.account)[f"birthday:{li.pk}:2027"].due_date == D(2027, 1, 2)


def test_an_anniversary_gift(cast, policy_a):
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 1, 1))
    wang = make_contact(account=cast.account, name="王总")
    wedding = KeyDate.objects.create(contact=wang, kind="wedding", date=D(2001, 6, 8))
    policy_tasks_sync(as_of=D(2026, 5, 20))
    gift = open_tasks(cast.account)[f"anniversary:{wedding.pk}:2026"]
    assert gift.kind == TaskKind.ANNIVERSARY_GIFT and gift.contact == wang
    assert gift.due_date == D(2026, 6, 5)


def test_a_done_gift_is_not_offered_again_and_an_overdue_one_stays(cast, policy_a):
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 1, 1))
    wang = make_contact(account=cast.account, birthday=D(1975, 4, 20))
    zhao = make_contact(account=cast.account, birthday=D(1979, 4, 22))
    policy_tasks_sync(as_of=D(2026, 4, 10))
    key_wang, key_zhao = f"birthday:{wang.pk}:2026", f"birthday:{zhao.pk}:2026"
    Task.objects.filter(key=key_wang).update(status=TaskStatus.DONE)

    # After both birthdays: Wang's done gift is not recreated; Zhao's missed one stays open.
    result = policy_tasks_sync(as_of=D(2026, 4, 25))
    assert Task.objects.filter(key=key_wang).count() == 1
    assert open_tasks(cast.account)[key_zhao].due_date == D(2026, 4, 19)
    assert result.created == 0 and result.cancelled == 0


def test_a_contact_who_left_has_their_gift_task_cancelled(cast, policy_a, english):
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 1, 1))
    wang = make_contact(account=cast.account, name="王总", birthday=D(1975, 4, 20))
    policy_tasks_sync(as_of=D(2026, 4, 10))
    key = f"birthday:{wang.pk}:2026"
    assert key in open_tasks(cast.account)

    wang.is_active = False
    wang.save()
    result = policy_tasks_sync(as_of=D(2026, 4, 11))
    task = Task.objects.get(key=key)
    assert task.status == TaskStatus.CANCELLED and task.cancelled_at is not None
    assert "王总" in task.cancel_reason and "left" in task.cancel_reason
    assert result.cancelled == 1
    assert {"call", "visit"} <= set(open_tasks(cast.account))


# --- tier changes -------------------------------------------------------------------------------


def test_a_downgrade_cancels_what_the_lower_tier_does_not_grant(cast, policy_a, policy_b):
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 1, 1))
    policy_touch(cast.account, "call", policy_local(2026, 3, 1))
    policy_tasks_sync(as_of=D(2026, 3, 2))
    before = open_tasks(cast.account)

    policy_put_in_tier(cast.account, policy_b, since=D(2026, 3, 5))
    result = policy_tasks_sync(as_of=D(2026, 3, 5))
    after = open_tasks(cast.account)
    assert set(after) == {"call", "visit"}
    for key in ("banquet", "trip", f"group:{VIP_GROUP}"):
        cancelled = Task.objects.get(pk=before[key].pk)
        assert cancelled.status == TaskStatus.CANCELLED
        assert "A品质" in cancelled.cancel_reason and "B品质" in cancelled.cancel_reason
    assert result.cancelled == 3
    # Calls continue at B's slower cadence, in place: same task, moved, now B's.
    assert after["call"].pk == before["call"].pk
    assert after["call"].due_date == D(2026, 3, 8) and after["call"].tier == policy_b
    assert "B品质" in after["call"].title


def test_an_upgrade_shortens_the_cadence_in_place(cast, policy_a, policy_b):
    policy_put_in_tier(cast.account, policy_b, since=D(2026, 1, 1))
    policy_touch(cast.account, "call", policy_local(2026, 3, 1))
    policy_tasks_sync(as_of=D(2026, 3, 2))
    call = open_tasks(cast.account)["call"]
    assert call.due_date == D(2026, 3, 8)

    policy_put_in_tier(cast.account, policy_a, since=D(2026, 3, 2))
    result = policy_tasks_sync(as_of=D(2026, 3, 2))
    moved = open_tasks(cast.account)["call"]
    assert moved.pk == call.pk and moved.due_date == D(2026, 3, 4) and moved.tier == policy_a
    assert result.rescheduled == 2  # call and visit
    assert result.created == 3  # banquet, trip, group


def test_losing_every_tier_or_deactivating_the_scheme_cancels_with_the_reason(
    cast, policy_a, policy_scheme
):
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 1, 1))
    policy_tasks_sync(as_of=D(2026, 3, 2))
    policy_scheme.is_active = False
    policy_scheme.save()
    result = policy_tasks_sync(as_of=D(2026, 3, 3))
    assert result.cancelled == 5 and not open_tasks(cast.account)
    reasons = set(Task.objects.values_list("cancel_reason", flat=True))
    assert all("服务等级" in r for r in reasons), reasons

    policy_scheme.is_active = True
    policy_scheme.save()
    policy_tasks_sync(as_of=D(2026, 3, 4))
    AccountTier.objects.filter(account=cast.account).update(tier=None, computed_tier=None)
    policy_tasks_sync(as_of=D(2026, 3, 5))
    call = Task.objects.filter(key="call").latest("id")
    assert call.status == TaskStatus.CANCELLED and "A品质" in call.cancel_reason


def test_an_owner_change_reassigns_open_tasks(cast, policy_a):
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 1, 1))
    policy_tasks_sync(as_of=D(2026, 3, 2))
    cast.account.owner = cast.bob
    cast.account.save()
    result = policy_tasks_sync(as_of=D(2026, 3, 2))
    assert result.reassigned == 5 and result.created == 0
    assert {t.assignee for t in open_tasks(cast.account).values()} == {cast.bob}


# --- idempotency --------------------------------------------------------------------------------


def _writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_a_second_run_on_unchanged_data_writes_nothing(cast, policy_a, policy_b):
    other = make_account(owner=cast.bob)
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 1, 1))
    policy_put_in_tier(other, policy_b, since=None)
    wang = make_contact(account=cast.account, birthday=D(1975, 3, 20))
    KeyDate.objects.create(contact=wang, kind="wedding", date=D(2001, 3, 25))
    policy_touch(cast.account, "call", policy_local(2026, 3, 1))
    first = policy_tasks_sync(as_of=D(2026, 3, 10))
    assert first.created == 9  # 5 for A, 2 gifts, 2 for B
    rows = list(Task.objects.order_by("id").values())

    for as_of in (D(2026, 3, 10), D(2026, 3, 11)):
        with CaptureQueriesContext(connection) as queries:
            again = policy_tasks_sync(as_of=as_of)
        assert _writes(queries.captured_queries) == []
        assert again.written == 0 and again.created == again.cancelled == 0
        assert again.unchanged == 9
    assert list(Task.objects.order_by("id").values()) == rows
    # The account without a tier-entry day got today as its first due date, and keeps it.
    assert open_tasks(other)["call"].due_date == D(2026, 3, 10)


def test_the_sync_reads_in_a_fixed_number_of_queries(cast, policy_a, django_assert_max_num_queries):
    for _ in range(30):
        account = make_account(owner=cast.alice)
        policy_put_in_tier(account, policy_a, since=D(2026, 1, 1))
        make_contact(account=account, birthday=D(1980, 3, 15))
        policy_touch(account, "call", policy_local(2026, 3, 1))
    with django_assert_max_num_queries(18):
        result = policy_tasks_sync(as_of=D(2026, 3, 10))
    assert result.created == 30 * 6
    with django_assert_max_num_queries(16):
        assert policy_tasks_sync(as_of=D(2026, 3, 10)).written == 0


def test_a_sync_for_some_accounts_leaves_the_others_alone(cast, policy_a):
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 1, 1))
    policy_put_in_tier(cast.west_account, policy_a, since=D(2026, 1, 1))
    result = policy_tasks_sync(as_of=D(2026, 3, 2), account_ids=[cast.west_account.pk])
    assert result.created == 5
    assert not Task.objects.filter(account=cast.account).exists()
    assert Task.objects.filter(account=cast.west_account, assignee=cast.charlie).count() == 5


# --- titles in both languages -------------------------------------------------------------------


def test_titles_are_stored_in_the_site_language_and_shown_in_the_readers(cast, policy_a, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 1, 1))
    wang = make_contact(account=cast.account, name="王总", birthday=D(1975, 3, 20))
    with translation.override("en"):  # a manager running the sync from the English UI
        policy_tasks_sync(as_of=D(2026, 3, 10))
    gift = Task.objects.select_related("contact", "tier").get(key=f"birthday:{wang.pk}:2026")
    assert "A品质" in gift.title and "王总" in gift.title
    with translation.override("en"):
        assert "A quality" in task_display_title(gift) and "王总" in task_display_title(gift)
    with translation.override("zh-hans"):
        assert "A品质" in task_display_title(gift)
    group = Task.objects.get(key=f"group:{VIP_GROUP}")
    with translation.override("en"):
        assert VIP_GROUP in task_display_title(group)
    # And a run from the Chinese UI changes nothing.
    assert policy_tasks_sync(as_of=D(2026, 3, 10)).written == 0


def test_a_whole_book_sync_that_wrote_refreshes_the_task_statistics(cast, policy_a, monkeypatch):
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 3, 1))
    seen = watch_analyze(monkeypatch, policy)
    before = analyze_count("activities_task")
    policy_tasks_sync(as_of=D(2026, 3, 10))
    assert seen == ["activities_task"]
    if before is not None:  # PostgreSQL: it really ran
        assert analyze_count("activities_task") == before + 1
    policy_tasks_sync(as_of=D(2026, 3, 10))  # nothing to write
    policy_tasks_sync(as_of=D(2026, 3, 10), account_ids=[cast.west_account.pk])  # a few accounts
    assert seen == ["activities_task"]
