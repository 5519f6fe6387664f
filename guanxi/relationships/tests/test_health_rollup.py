"""The stored relationship health (health.py): after each kind of write that changes an input,
and after the nightly step, the stored score and risks are what the live computation says."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone, translation

from guanxi.relationships.health import (
    health_refresh_all,
    stored_health_for,
    stored_risk_counts,
)
from guanxi.relationships.models import AccountRelationshipHealth, RelationshipStageEvent
from guanxi.relationships.risks import relationship_health, relationship_health_for
from guanxi.relationships.selectors import buying_centre
from guanxi.relationships.services import (
    buying_centre_member_remove,
    buying_centre_member_set,
    relationship_stage_record,
    relationship_stages_delete,
)
from guanxi.relationships.tasks import relationship_health_job
from guanxi.touchpoints.models import TouchpointKind
from guanxi.workspace import flows
from guanxi.workspace.today import agenda
from tests.support import make_account, make_contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = dt.date(2026, 6, 15)


def local(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(local(TODAY, 9), tick=False) as traveller:
        yield traveller


def said(health) -> tuple:
    """What a page shows of a health: the score and each risk in words, with its people."""
    return (
        health.score,
        [(r.code, r.message, r.contact_ids, r.concerns_decider) for r in health.risks],
    )


def assert_stored_is_live(*accounts) -> None:
    stored = stored_health_for([a.pk for a in accounts])
    for account in accounts:
        live = relationship_health(buying_centre(account))
        for language in ("en", "zh-hans"):
            with translation.override(language):
                assert said(stored[account.pk]) == said(live), language


def log(account, actor, *people, day: dt.date = TODAY):
    return flows.touchpoint_logged(account=account, kind=TouchpointKind.CALL,
                                   occurred_at=local(day, 8), actor=actor,
                                   contacts=list(people))  # fmt: skip


@pytest.fixture
def people(cast):
    """An approver champion (王总), a decision maker (李总) and a user (张经理); 王总 and 李总
    touched ten days ago; goodwill reached with 王总."""
    acc = cast.account
    wang = make_contact(account=acc, name="王总")
    li = make_contact(account=acc, name="李总")
    zhang = make_contact(account=acc, name="张经理")
    seat(acc, wang, buying_roles=["approver"], stance="champion", influence=5)
    seat(acc, li, buying_roles=["decision_maker"], stance="supporter", reports_to=wang)
    seat(acc, zhang, buying_roles=["user"], stance="neutral")
    log(acc, cast.alice, wang, li, day=TODAY - dt.timedelta(days=10))
    relationship_stage_record(account=acc, contact=wang, stage="goodwill", actor=cast.alice,
                              reached_on=dt.date(2026, 1, 10))  # fmt: skip
    return wang, li, zhang


def seat(account, contact, **fields):
    return buying_centre_member_set(account=account, contact=contact, actor=None, **fields)


def codes(account) -> list[str]:
    return [r.code for r in stored_health_for([account.pk])[account.pk].risks]


def test_a_seat_writes_the_row_and_the_last_seat_removed_drops_it(cast):
    boss = make_contact(account=cast.account, name="周总")
    seat(cast.account, boss, buying_roles=["approver"], stance="neutral")
    row = AccountRelationshipHealth.objects.get(account=cast.account)
    assert row.as_of == TODAY and row.risk_count == len(row.risks) > 0
    assert_stored_is_live(cast.account)
    buying_centre_member_remove(account=cast.account, contact=boss, actor=cast.alice)
    assert not AccountRelationshipHealth.objects.filter(account=cast.account).exists()


def test_seats_and_stages_written_and_removed_keep_the_row_live(cast, people):
    wang, li, zhang = people
    assert_stored_is_live(cast.account)
    assert "decision_maker_stage" in codes(cast.account)
    # A changed seat: 张经理 turns supporter (no longer single-threaded through 王总 and 李总 …)
    seat(cast.account, zhang, buying_roles=["user"], stance="supporter")
    assert_stored_is_live(cast.account)
    # A stage: trust with 王总 clears "no decision maker at the target stage".
    relationship_stage_record(account=cast.account, contact=wang, stage="trust",
                              actor=cast.alice)  # fmt: skip
    assert "decision_maker_stage" not in codes(cast.account)
    assert_stored_is_live(cast.account)
    # The stage deleted (recorded in error): the risk is back.
    relationship_stages_delete(events=list(RelationshipStageEvent.objects.filter(stage="trust")))
    assert "decision_maker_stage" in codes(cast.account)
    assert_stored_is_live(cast.account)
    # A seat removed: nobody is mapped as decision maker any more.
    buying_centre_member_remove(account=cast.account, contact=li, actor=cast.alice)
    assert "uncovered_role" in codes(cast.account)
    assert_stored_is_live(cast.account)


def test_a_contact_who_leaves_or_is_renamed_is_said_so_at_once(cast, people):
    wang, _li, _zhang = people
    flows.contact_change(actor=cast.alice, contact=wang, is_active=False)
    assert "champion_left" in codes(cast.account)
    assert_stored_is_live(cast.account)
    flows.contact_change(actor=cast.alice, contact=wang, name="王董")
    [left] = [r for r in stored_health_for([cast.account.pk])[cast.account.pk].risks
              if r.code == "champion_left"]  # fmt: skip
    assert "王董" in left.message
    assert_stored_is_live(cast.account)


def test_a_contact_deleted_leaves_every_map_that_seated_them(cast, people):
    _wang, li, _zhang = people
    flows.contact_remove(actor=cast.alice, contact=li)
    assert "uncovered_role" in codes(cast.account)
    assert_stored_is_live(cast.account)


def test_a_touchpoint_with_mapped_people_refreshes_every_map_that_seats_them(cast, people):
    wang, _li, _zhang = people
    # 王总 also sits on an association's map (an external influencer), as its only champion.
    association = make_account(owner=cast.alice, name="会展行业协会")
    seat(association, wang, buying_roles=["influencer"], stance="champion")
    with time_machine.travel(local(TODAY + dt.timedelta(days=45), 9), tick=False):
        health_refresh_all()  # the nightly run 45 days on: 王总 touched 55 days ago
        assert "champion_inactive" not in codes(cast.account)
    with time_machine.travel(local(TODAY + dt.timedelta(days=80), 9), tick=False):
        health_refresh_all()
        assert "champion_inactive" in codes(cast.account)
        assert "champion_inactive" in codes(association)
        log(cast.account, cast.alice, wang, day=TODAY + dt.timedelta(days=80))
        assert "champion_inactive" not in codes(cast.account)
        assert "champion_inactive" not in codes(association), "logged on another account"
        assert_stored_is_live(cast.account, association)


def test_the_nightly_step_follows_time_and_drops_unmapped_accounts(cast, people):
    wang, _li, _zhang = people
    later = TODAY + dt.timedelta(days=70)
    with time_machine.travel(local(later, 9), tick=False):
        # Time alone: the stored row is the last write's until the nightly step runs.
        assert "champion_inactive" not in codes(cast.account)
        other = make_account(owner=cast.alice, name="旧客户")
        AccountRelationshipHealth.objects.create(account=other, score=10, as_of=TODAY,
                                                 computed_at=timezone.now())  # fmt: skip
        summary = relationship_health_job(as_of=later)
        assert summary == {"as_of": later, "accounts": 1, "with_risks": 1, "dropped": 1}
        assert "champion_inactive" in codes(cast.account)
        assert_stored_is_live(cast.account)
        assert not AccountRelationshipHealth.objects.filter(account=other).exists()
        assert AccountRelationshipHealth.objects.get(account=cast.account).as_of == later


def test_the_risk_counts_sort_without_reading_the_risks(cast, people):
    healthy = make_account(owner=cast.alice, name="无图客户")
    counts = stored_risk_counts([cast.account.pk, healthy.pk])
    row = AccountRelationshipHealth.objects.get(account=cast.account)
    assert counts == {cast.account.pk: (row.score, row.risk_count)}


def test_todays_section_says_what_the_live_computation_says(cast, people):
    single = make_account(owner=cast.alice, name="单线客户")
    seat(single, make_contact(account=single, name="赵总"), buying_roles=["approver"])
    result = agenda(user=cast.alice)
    live = relationship_health_for([cast.account.pk, single.pk])
    assert {i.account.pk for i in result.relationship_risks} == {cast.account.pk, single.pk}
    for item in result.relationship_risks:
        assert said(item.health) == said(live[item.account.pk])
        assert item.reason.startswith(f"coverage {live[item.account.pk].score}/100")
