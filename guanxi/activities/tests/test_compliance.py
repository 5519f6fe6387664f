"""SOP compliance: policy tasks done on time per KAM and team, and the cost of privileges
delivered per tier, each reader seeing only the rows the access rule allows."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from guanxi.activities.models import Task, TaskSource, TaskStatus
from guanxi.activities.selectors import compliance
from guanxi.activities.tests.conftest import policy_local, policy_put_in_tier
from guanxi.tiers.models import Tier, TierScheme
from guanxi.touchpoints.models import Touchpoint
from guanxi.workspace.today import agenda
from tests.support import make_account

D = dt.date
START, END, AS_OF = D(2026, 3, 1), D(2026, 3, 31), D(2026, 3, 20)


def task(
    account, assignee, due, *, done=None, status=None, source=TaskSource.POLICY, tier=None,
    created=None,
):  # fmt: skip
    row = Task.objects.create(
        account=account,
        assignee=assignee,
        kind="call",
        title="call",
        due_date=due,
        source=source,
        tier=tier,
        status=status or (TaskStatus.DONE if done else TaskStatus.OPEN),
        completed_at=done,
    )
    # Created well before it was due, unless the test says otherwise (auto_now_add).
    Task.objects.filter(pk=row.pk).update(created_at=created or policy_local(2026, 1, 1))
    row.refresh_from_db()
    return row


@pytest.fixture
def book(cast, policy_a):
    bob_account = make_account(owner=cast.bob)
    # alice: on time (23:30 Shanghai on the due day = 15:30 UTC), late, overdue, not yet due.
    task(
        cast.account,
        cast.alice,
        D(2026, 3, 5),
        done=policy_local(2026, 3, 5, 23, 30),
        tier=policy_a,
    )
    task(cast.account, cast.alice, D(2026, 3, 6), done=policy_local(2026, 3, 7, 0, 30))
    task(cast.account, cast.alice, D(2026, 3, 10))
    task(cast.account, cast.alice, D(2026, 3, 25))
    # Not counted: cancelled, manual, due outside the period.
    task(cast.account, cast.alice, D(2026, 3, 8), status=TaskStatus.CANCELLED)
    task(cast.account, cast.alice, D(2026, 3, 8), source=TaskSource.MANUAL)
    task(cast.account, cast.alice, D(2026, 2, 28))
    task(cast.account, cast.alice, D(2026, 4, 1))
    task(bob_account, cast.bob, D(2026, 3, 2), done=policy_local(2026, 3, 1))
    task(cast.west_account, cast.charlie, D(2026, 3, 3))
    return bob_account


def rows_by_user(report):
    return {row.user.username: row for row in report.kams}


def test_a_manager_sees_every_kam_and_team(cast, book):
    report = compliance(actor=cast.mia, start=START, end=END, as_of=AS_OF)
    rows = rows_by_user(report)
    assert set(rows) == {"alice", "bob", "charlie"}
    alice = rows["alice"]
    # Due so far: the task due on 25 March is still to come.
    assert (alice.due, alice.on_time, alice.late, alice.open_overdue, alice.open_not_due) == (
        3, 1, 1, 1, 1,
    )  # fmt: skip
    assert alice.share_on_time == pytest.approx(1 / 3)
    assert rows["bob"].share_on_time == 1.0
    assert rows["charlie"].open_overdue == 1 and rows["charlie"].share_on_time == 0.0
    teams = {row.team.name: row for row in report.teams}
    assert teams["East"].due == 4 and teams["East"].on_time == 2
    assert teams["West"].due == 1
    assert report.total.due == 5 and report.total.decided == 5


def test_a_team_lead_sees_the_team_and_a_kam_only_themselves(cast, book):
    lena = compliance(actor=cast.lena, start=START, end=END, as_of=AS_OF)
    assert set(rows_by_user(lena)) == {"alice", "bob"}
    assert [row.team.name for row in lena.teams] == ["East"]
    alice = compliance(actor=cast.alice, start=START, end=END, as_of=AS_OF)
    assert set(rows_by_user(alice)) == {"alice"} and alice.total.due == 3
    assert compliance(actor=cast.charlie, start=START, end=END, as_of=AS_OF).total.due == 1


def test_a_task_created_past_its_due_date_is_judged_from_its_creation(cast):
    # The first sync after a tier started on 1 March made a visit "due" on 1 March only on
    # 10 March: done on 12 March it is late by two days, not eleven; done on the 10th on time.
    late_born = task(cast.account, cast.alice, D(2026, 3, 1), created=policy_local(2026, 3, 10, 2),
                     done=policy_local(2026, 3, 10, 18))  # fmt: skip
    task(cast.account, cast.alice, D(2026, 3, 1), created=policy_local(2026, 3, 10, 2),
         done=policy_local(2026, 3, 12))  # fmt: skip
    # Created on 18 March for 1 March and still open on the 20th: overdue since the 18th.
    task(cast.account, cast.alice, D(2026, 3, 1), created=policy_local(2026, 3, 18))
    # Created on 22 March for 1 March: due on the 22nd, not due yet on the 20th.
    task(cast.account, cast.alice, D(2026, 3, 1), created=policy_local(2026, 3, 22))
    # Created on 1 April for a day in March: due in April, outside the period.
    task(cast.account, cast.alice, D(2026, 3, 15), created=policy_local(2026, 4, 1))
    row = compliance(actor=cast.alice, start=START, end=END, as_of=AS_OF).total
    assert (row.due, row.on_time, row.late, row.open_overdue, row.open_not_due) == (3, 1, 1, 1, 1)
    # Local day of creation: 01:00 Shanghai on 10 March is still 9 March in UTC.
    Task.objects.filter(pk=late_born.pk).update(
        created_at=policy_local(2026, 3, 10, 1), completed_at=policy_local(2026, 3, 10, 23, 30)
    )
    assert compliance(actor=cast.alice, start=START, end=END, as_of=AS_OF).total.on_time == 1


def test_due_so_far_leaves_out_tasks_still_to_come_but_counts_early_ones_done(cast):
    task(cast.account, cast.alice, D(2026, 3, 20))  # due today, open: due, not overdue
    task(cast.account, cast.alice, D(2026, 3, 28))  # not due yet
    task(cast.account, cast.alice, D(2026, 3, 29), done=policy_local(2026, 3, 19))  # done early
    row = compliance(actor=cast.alice, start=START, end=END, as_of=AS_OF).total
    assert (row.due, row.on_time, row.open_overdue, row.open_not_due) == (2, 1, 0, 1)
    assert row.share_on_time == 1.0


def test_nothing_due_has_no_share(cast):
    report = compliance(actor=cast.alice, start=START, end=END, as_of=AS_OF)
    assert report.kams == [] and report.total.share_on_time is None


def test_cost_of_privileges_per_tier(cast, policy_a, policy_b, policy_scheme):
    # A second active scheme sorting after "service": attribution uses the first one.
    later = TierScheme.objects.create(code="zz-strategic", name="战略")
    strategic = Tier.objects.create(scheme=later, code="s", name="战略型", rank=1)
    a_task = task(
        cast.account, cast.alice, D(2026, 3, 5), done=policy_local(2026, 3, 5), tier=policy_a
    )
    other = make_account(owner=cast.alice)
    untiered = make_account(owner=cast.alice)
    policy_put_in_tier(other, policy_b, since=D(2026, 1, 1))
    policy_put_in_tier(other, strategic, since=D(2026, 1, 1))

    def spend(account, cost, when, task=None):
        touchpoint = Touchpoint.objects.create(
            account=account, kind="gift", occurred_at=when, cost=Decimal(cost)
        )
        if task is not None:
            Task.objects.filter(pk=task.pk).update(touchpoint=touchpoint)

    spend(cast.account, "100", policy_local(2026, 3, 5), task=a_task)  # via A's task
    spend(other, "50", policy_local(2026, 3, 6))  # no task: other's tier in "service" = B
    spend(other, "30", policy_local(2026, 3, 31, 23, 30))  # last local day of the period
    spend(untiered, "20", policy_local(2026, 3, 7))  # no tier at all
    spend(other, "999", policy_local(2026, 4, 1, 0, 30))  # after the period (local day)
    spend(cast.west_account, "70", policy_local(2026, 3, 8))  # charlie's

    report = compliance(actor=cast.mia, start=START, end=END, as_of=AS_OF)
    costs = {
        (c.tier.code if c.tier else None): (c.cost, c.touchpoints) for c in report.cost_by_tier
    }
    assert costs == {
        "a": (Decimal("100.00"), 1),
        "b": (Decimal("80.00"), 2),
        None: (Decimal("90.00"), 2),
    }
    assert report.attribution_scheme == policy_scheme
    assert report.cost_total == Decimal("270.00")
    # Alice does not see what was spent on charlie's account.
    mine = compliance(actor=cast.alice, start=START, end=END, as_of=AS_OF)
    assert mine.cost_total == Decimal("200.00")


FIGURES = ("due", "on_time", "late", "open_overdue", "open_due_today")


def adds_up(row) -> bool:
    return row.due == row.on_time + row.late + row.open_overdue + row.open_due_today


def test_the_breakdown_adds_up_and_agrees_with_todays_overdue_list(cast, book):
    # The demo's case: the nightly run created today tasks whose due dates passed long ago
    # (a tier began months back). They are overdue on Today, so they are overdue here too.
    for due in (D(2025, 10, 12), D(2026, 3, 2)):
        task(cast.account, cast.alice, due, created=policy_local(2026, 3, 20, 9))
    task(cast.account, cast.alice, AS_OF)  # open and due today
    report = compliance(actor=cast.mia, start=START, end=END, as_of=AS_OF)
    for row in [*report.kams, *report.teams, report.total]:
        assert adds_up(row), [getattr(row, name) for name in FIGURES]
    alice = rows_by_user(report)["alice"]
    assert (alice.due, alice.open_overdue, alice.open_due_today) == (6, 3, 1)

    mine = compliance(actor=cast.alice, start=START, end=END, as_of=AS_OF)
    with time_machine.travel(policy_local(2026, 3, 20, 12), tick=False):
        today = agenda(user=cast.alice, as_of=AS_OF)
    overdue = [i for i in today.due if i.days_overdue > 0 and i.task.source == TaskSource.POLICY]
    # 10 March (in the period), the two created today, and 28 February (before the period).
    assert mine.total.open_overdue + mine.overdue_earlier == len(overdue) == 4
    assert mine.overdue_earlier == 1
    due_today = [i for i in today.due if i.days_overdue == 0]
    assert mine.total.open_due_today == len(due_today) == 1


def test_the_compliance_page_shows_the_parts_of_due(cast, book, client):
    task(cast.account, cast.alice, D(2025, 10, 12), created=policy_local(2026, 3, 20, 9))
    client.force_login(cast.alice)
    with time_machine.travel(policy_local(2026, 3, 20, 12), tick=False):
        response = client.get(reverse("admin:activities_task_compliance"))
    assert response.status_code == 200
    figures = {
        name: int(re.search(rf'data-figure="{name}">(\d+)<', response.content.decode())[1])
        for name in ("due", "on-time", "late", "overdue", "due-today")
    }
    assert figures == {"due": 4, "on-time": 1, "late": 1, "overdue": 2, "due-today": 0}
    assert 'data-figure="overdue-earlier"' in response.content.decode()
