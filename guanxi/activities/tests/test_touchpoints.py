"""Logging touchpoints and handling tasks by hand: validation, completion, access."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from guanxi.activities.models import Task, TaskKind, TaskSource, TaskStatus
from guanxi.activities.selectors import tasks_for
from guanxi.activities.services import (
    policy_tasks_sync,
    task_cancel,
    task_complete,
    task_create,
    task_reschedule,
    touchpoint_log,
)
from guanxi.activities.tests.conftest import policy_local, policy_put_in_tier, policy_touch
from guanxi.core.errors import InvalidInput, NotFound
from guanxi.touchpoints.models import Touchpoint
from guanxi.touchpoints.selectors import last_touchpoints
from tests.support import make_contact

D = dt.date
NOW = policy_local(2026, 3, 10, 17)

# Messages are asserted in English; the default UI language is zh-hans.
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def planned(cast, policy_a, frozen):
    """Alice's account in tier A since 1 March, tasks synced on 10 March."""
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 3, 1))
    policy_tasks_sync()
    return cast


DUE = D(2026, 3, 12)


def manual(cast, kind=TaskKind.FOLLOW_UP, due=DUE, **extra) -> Task:
    return task_create(
        account=cast.account,
        assignee=cast.alice,
        kind=kind,
        title="Send the proposal",
        due_date=due,
        actor=cast.alice,
        **extra,
    )


# --- touchpoint_log -----------------------------------------------------------------------------


def test_logging_a_visit_completes_the_visit_task_and_schedules_the_next(planned):
    cast = planned
    visit = Task.objects.get(account=cast.account, key="visit", status=TaskStatus.OPEN)
    wang = make_contact(account=cast.account)
    touchpoint = touchpoint_log(
        account=cast.account,
        kind="visit",
        occurred_at=policy_local(2026, 3, 10, 11),
        actor=cast.alice,
        contacts=[wang],
        subject="  Quarterly review ",
        notes="Wants a banquet in April",
        cost="0",
    )
    touchpoint.refresh_from_db()
    assert touchpoint.logged_by == cast.alice and touchpoint.subject == "Quarterly review"
    assert list(touchpoint.contacts.all()) == [wang] and touchpoint.cost == Decimal("0.00")
    visit.refresh_from_db()
    assert touchpoint.fulfilled_task == visit and visit.status == TaskStatus.DONE
    assert visit.completed_at == policy_local(2026, 3, 10, 11)
    following = Task.objects.get(account=cast.account, key="visit", status=TaskStatus.OPEN)
    assert following.due_date == D(2026, 3, 20)
    assert last_touchpoints([cast.account.pk]) == {cast.account.pk: {"visit": D(2026, 3, 10)}}


def test_an_explicit_task_is_completed_and_follow_ups_only_when_named(planned):
    cast = planned
    follow_up = manual(cast)
    touchpoint_log(account=cast.account, kind="email", occurred_at=NOW, actor=cast.alice)
    follow_up.refresh_from_db()
    assert follow_up.status == TaskStatus.OPEN  # an email completes nothing by itself

    touchpoint_log(
        account=cast.account, kind="email", occurred_at=NOW, actor=cast.alice, task=follow_up
    )
    follow_up.refresh_from_db()
    assert follow_up.status == TaskStatus.DONE


def test_a_gift_completes_the_task_of_the_contact_it_was_for(cast, policy_a, frozen):
    policy_put_in_tier(cast.account, policy_a, since=D(2026, 1, 1))
    wang = make_contact(account=cast.account, birthday=D(1975, 3, 14))
    zhao = make_contact(account=cast.account, birthday=D(1979, 3, 20))
    policy_tasks_sync()
    touchpoint_log(
        account=cast.account,
        kind="gift",
        occurred_at=NOW,
        actor=cast.alice,
        contacts=[zhao],
        cost="120",
    )
    done = Task.objects.get(status=TaskStatus.DONE)
    assert done.contact == zhao and done.kind == TaskKind.BIRTHDAY_GIFT
    assert Task.objects.get(key=f"birthday:{wang.pk}:2026").status == TaskStatus.OPEN
    # Done gift keys are not offered again by the resync.
    assert Task.objects.filter(key=f"birthday:{zhao.pk}:2026").count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "fax"}, "kind"),
        ({"occurred_at": NOW + dt.timedelta(hours=1)}, "occurred_at"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"cost": "-5"}, "cost"),
        ({"cost": "lots"}, "cost"),
        ({"subject": "x" * 201}, "subject"),
    ],
)
def test_bad_input_is_rejected_with_a_message(cast, frozen, changes, field):
    args = {"account": cast.account, "kind": "call", "occurred_at": NOW, "actor": cast.alice}
    with pytest.raises(InvalidInput) as error:
        touchpoint_log(**{**args, **changes})
    assert field in error.value.errors and error.value.errors[field][0]
    assert not Touchpoint.objects.exists()


def test_contacts_and_tasks_must_belong_to_the_account(planned):
    cast = planned
    stranger = make_contact(account=cast.west_account)
    with pytest.raises(InvalidInput, match="contacts of this account"):
        touchpoint_log(
            account=cast.account,
            kind="call",
            occurred_at=NOW,
            actor=cast.alice,
            contacts=[stranger],
        )
    visit = Task.objects.get(account=cast.account, key="visit")
    with pytest.raises(InvalidInput, match="does not complete"):
        touchpoint_log(
            account=cast.account, kind="call", occurred_at=NOW, actor=cast.alice, task=visit
        )
    policy_put_in_tier(cast.west_account, visit.tier, since=D(2026, 3, 1))
    policy_tasks_sync()
    west_call = Task.objects.get(account=cast.west_account, key="call")
    with pytest.raises(InvalidInput, match="another account"):
        touchpoint_log(
            account=cast.account, kind="call", occurred_at=NOW, actor=cast.alice, task=west_call
        )
    task_cancel(task=visit, actor=cast.alice, reason="Customer abroad")
    with pytest.raises(InvalidInput, match="already"):
        touchpoint_log(
            account=cast.account, kind="visit", occurred_at=NOW, actor=cast.alice, task=visit
        )
    assert not Touchpoint.objects.exists()


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_an_account_the_user_cannot_see_is_not_found(cast, frozen, who):
    with pytest.raises(NotFound):
        touchpoint_log(account=cast.account, kind="call", occurred_at=NOW, actor=getattr(cast, who))


def test_the_team_lead_may_log_on_a_team_account(cast, frozen):
    touchpoint = touchpoint_log(account=cast.account, kind="call", occurred_at=NOW, actor=cast.lena)
    assert touchpoint.logged_by == cast.lena


def test_a_naive_time_is_read_as_shanghai_time(cast, frozen):
    touchpoint = touchpoint_log(
        account=cast.account,
        kind="call",
        occurred_at=dt.datetime(2026, 3, 9, 23, 30),
        actor=cast.alice,
    )
    assert touchpoint.occurred_at == policy_local(2026, 3, 9, 23, 30)


# --- tasks by hand ------------------------------------------------------------------------------


def test_task_create_validates_and_stores_a_manual_task(cast, frozen):
    wang = make_contact(account=cast.account)
    task = manual(cast, contact=wang)
    assert task.source == TaskSource.MANUAL and task.key == "" and task.contact == wang
    with pytest.raises(InvalidInput) as error:
        task_create(
            account=cast.account,
            assignee=cast.charlie,  # cannot see the account
            kind="nap",
            title="  ",
            due_date="soon",
            actor=cast.alice,
            contact=make_contact(account=cast.west_account),
        )
    assert set(error.value.errors) == {"assignee", "kind", "title", "due_date", "contact"}
    with pytest.raises(NotFound):
        manual_for = {"account": cast.account, "assignee": cast.bob, "kind": "follow_up"}
        task_create(**manual_for, title="x", due_date=D(2026, 3, 11), actor=cast.bob)


def test_completing_a_manual_task(cast, frozen):
    task = task_complete(task=manual(cast), actor=cast.alice)
    assert task.status == TaskStatus.DONE and task.completed_at == NOW
    with pytest.raises(InvalidInput, match="already"):
        task_complete(task=task, actor=cast.alice)


def test_completing_a_policy_task_without_a_touchpoint_logs_one(planned):
    cast = planned
    call = Task.objects.get(account=cast.account, key="call")
    task_complete(task=call, actor=cast.alice)
    call.refresh_from_db()
    assert call.status == TaskStatus.DONE
    touchpoint = Touchpoint.objects.get()
    assert touchpoint.kind == "call" and touchpoint.fulfilled_task == call
    assert Task.objects.get(key="call", status=TaskStatus.OPEN).due_date == D(2026, 3, 13)


def test_completing_with_a_touchpoint_links_it(planned):
    cast = planned
    visit = Task.objects.get(account=cast.account, key="visit")
    earlier = policy_touch(cast.account, "visit", policy_local(2026, 3, 9, 10))
    task_complete(task=visit, actor=cast.alice, touchpoint=earlier)
    earlier.refresh_from_db()
    visit.refresh_from_db()
    assert earlier.fulfilled_task == visit and visit.completed_at == earlier.occurred_at
    call = Task.objects.get(account=cast.account, key="call")
    with pytest.raises(InvalidInput, match="does not complete"):
        task_complete(task=call, actor=cast.alice, touchpoint=earlier)


def test_cancelling_needs_a_reason(planned):
    cast = planned
    task = manual(cast)
    with pytest.raises(InvalidInput, match="why"):
        task_cancel(task=task, actor=cast.alice, reason="   ")
    task = task_cancel(task=task, actor=cast.alice, reason="Customer postponed")
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED and task.cancel_reason == "Customer postponed"
    assert task.cancelled_at == NOW
    with pytest.raises(NotFound):
        task_cancel(task=Task.objects.get(key="call"), actor=cast.charlie, reason="no")


def test_a_cancelled_group_invitation_is_not_offered_again(planned):
    cast = planned
    invite = Task.objects.get(key__startswith="group:")
    task_cancel(task=invite, actor=cast.alice, reason="Declined the group")
    assert policy_tasks_sync().created == 0


def test_rescheduling_moves_manual_tasks_only(planned):
    cast = planned
    task = task_reschedule(task=manual(cast), due_date=D(2026, 3, 20), actor=cast.alice)
    task.refresh_from_db()
    assert task.due_date == D(2026, 3, 20)
    with pytest.raises(InvalidInput, match="today or a later day"):
        task_reschedule(task=task, due_date=D(2026, 3, 9), actor=cast.alice)
    with pytest.raises(InvalidInput, match="policy"):
        task_reschedule(
            task=Task.objects.get(key="call"), due_date=D(2026, 3, 20), actor=cast.alice
        )


# --- tasks_for ----------------------------------------------------------------------------------


def test_tasks_for_applies_the_access_rule(planned):
    cast = planned
    assert tasks_for(cast.alice).count() == 5
    assert tasks_for(cast.alice, due_before=D(2026, 3, 9)).count() == 5  # all due 1 March
    assert tasks_for(cast.alice, due_before=D(2026, 2, 28)).count() == 0
    assert tasks_for(cast.bob).count() == 0
    assert tasks_for(cast.bob, assignee=None).count() == 0
    assert tasks_for(cast.lena, assignee=None).count() == 5
    assert tasks_for(cast.lena, assignee=cast.alice).count() == 5
    assert tasks_for(cast.charlie, assignee=cast.alice).count() == 0
    assert tasks_for(cast.mia, assignee=None, status=None).count() == 5
    assert tasks_for(cast.mia, status=TaskStatus.DONE).count() == 0
