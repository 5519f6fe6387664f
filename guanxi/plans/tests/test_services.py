"""Account plans: each write rule, and who may write (the account rule)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.core.errors import ApplicationError, Conflict, InvalidInput, NotFound
from guanxi.plans.models import ActionStatus, GoalMeasure, PlanCompetitor
from guanxi.plans.services import (
    action_cancel,
    action_complete,
    action_create,
    action_reopen,
    goal_add,
    goal_update,
    plan_competitor_set,
    plan_create,
    plan_update,
    review_record,
)
from guanxi.relationships.services import buying_centre_member_set
from tests.support import make_account, make_contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "clock")]


def test_a_plan_is_created_with_its_owner_and_creator(cast, plan):
    assert (plan.account, plan.year, plan.owner, plan.created_by) == (
        cast.account, 2026, cast.alice, cast.alice)  # fmt: skip
    assert plan.history.first().history_user == cast.alice


def test_a_second_plan_for_the_same_account_and_year_names_the_first(cast, plan):
    with pytest.raises(Conflict) as exc:
        plan_create(account=cast.account, year=2026, owner=cast.alice, actor=cast.lena)
    assert exc.value.field == "year"
    assert f"plan {plan.pk}" in exc.value.message and "2026 华东会展" in exc.value.message
    other = plan_create(account=cast.account, year=2027, owner=cast.alice, actor=cast.alice)
    with pytest.raises(Conflict):
        plan_update(plan=other, actor=cast.alice, year=2026)


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_an_outsider_cannot_create_or_touch_a_plan(cast, plan, who):
    user = getattr(cast, who)
    with pytest.raises(NotFound):
        plan_create(account=cast.account, year=2027, owner=user, actor=user)
    with pytest.raises(NotFound):
        plan_update(plan=plan, actor=user, title="x")
    with pytest.raises(NotFound):
        goal_add(plan=plan, actor=user, description="x", target_value=1)
    with pytest.raises(NotFound):
        action_create(plan=plan, actor=user, title="x", owner=user, due_on=dt.date(2026, 7, 1))
    with pytest.raises(NotFound):
        review_record(plan=plan, actor=user, held_on=dt.date(2026, 6, 1))
    with pytest.raises(NotFound):
        plan_competitor_set(plan=plan, actor=user, name="x")


def test_staff_who_see_the_account_may_add_actions_and_reviews(cast, plan):
    # The account rule: the team lead and the manager see alice's account, so they work its plan.
    a = action_create(plan=plan, actor=cast.lena, title="Visit the CFO", owner=cast.alice,
                      due_on=dt.date(2026, 7, 1))  # fmt: skip
    r = review_record(plan=plan, actor=cast.mia, held_on=dt.date(2026, 6, 1), decisions="Go")
    assert a.owner == cast.alice and r.recorded_by == cast.mia
    plan_update(plan=plan, actor=cast.lena, status="active")
    plan.refresh_from_db()
    assert plan.status == "active"


def test_the_plan_owner_must_see_the_account_and_be_one_the_actor_may_name(cast, plan):
    with pytest.raises(ApplicationError) as exc:
        plan_update(plan=plan, actor=cast.mia, owner=cast.charlie)
    assert exc.value.field == "owner" and "cannot see" in exc.value.message
    # A KAM names only themselves or the account owner; the lead may name a team member.
    cast.account.co_owners.add(cast.bob)
    with pytest.raises(ApplicationError) as exc:
        plan_update(plan=plan, actor=cast.alice, owner=cast.bob)
    assert exc.value.field == "owner"
    plan_update(plan=plan, actor=cast.lena, owner=cast.bob)
    plan.refresh_from_db()
    assert plan.owner == cast.bob


def test_unknown_fields_and_bad_values_are_refused(cast, plan):
    with pytest.raises(ApplicationError) as exc:
        plan_update(plan=plan, actor=cast.alice, account=cast.west_account)
    assert exc.value.field == "account"
    with pytest.raises(ApplicationError) as exc:
        plan_update(plan=plan, actor=cast.alice, wallet_size="-1")
    assert exc.value.field == "wallet_size"
    with pytest.raises(ApplicationError) as exc:
        plan_create(account=cast.account, year=1999, owner=cast.alice, actor=cast.alice)
    assert exc.value.field == "year"


def test_a_competitor_is_added_then_updated_by_name(cast, plan):
    c = plan_competitor_set(plan=plan, actor=cast.alice, name="锦江", positioning="Low price",
                            share_estimate=30)  # fmt: skip
    again = plan_competitor_set(plan=plan, actor=cast.alice, name="锦江", strongholds="采购部")
    assert again.pk == c.pk and PlanCompetitor.objects.count() == 1
    again.refresh_from_db()
    assert (again.positioning, again.strongholds, again.share_estimate) == (
        "Low price", "采购部", 30)  # fmt: skip
    with pytest.raises(ApplicationError) as exc:
        plan_competitor_set(plan=plan, actor=cast.alice, name="万达", share_estimate=130)
    assert exc.value.field == "share_estimate"
    with pytest.raises(ApplicationError) as exc:
        plan_competitor_set(plan=plan, actor=cast.alice, name="  ")
    assert exc.value.field == "name"


@pytest.mark.parametrize(
    ("measure", "extra", "field"),
    [
        (GoalMeasure.REVENUE, {}, "target_value"),
        (GoalMeasure.TRANSACTIONS, {"target_value": "2.5"}, "target_value"),
        (GoalMeasure.COVERAGE, {"target_value": "120"}, "target_value"),
        (GoalMeasure.MARGIN, {"target_value": "-5"}, "target_value"),
        (GoalMeasure.SUPPLIER_STAGE, {"target_stage": "trust"}, "target_stage"),
        (GoalMeasure.KOTLER_LEVEL, {}, "target_stage"),
        (GoalMeasure.CONTACT_STAGE, {"target_stage": "trust"}, "contact"),
        ("bogus", {"target_value": 1}, "measure"),
    ],
)
def test_each_measure_needs_its_target(cast, plan, measure, extra, field):
    with pytest.raises(ApplicationError) as exc:
        goal_add(plan=plan, actor=cast.alice, description="Goal", measure=measure, **extra)
    assert exc.value.field == field


def test_a_contact_stage_goal_needs_a_person_of_the_account_and_a_relationship_stage(cast, plan):
    cfo = make_contact(account=cast.account, name="李财务")
    with pytest.raises(ApplicationError) as exc:
        goal_add(plan=plan, actor=cast.alice, description="Trust", measure="contact_stage",
                 contact=cfo, target_stage="core")  # fmt: skip
    assert exc.value.field == "target_stage"
    stranger = make_contact(account=make_account(owner=cast.alice), name="外人")
    with pytest.raises(ApplicationError) as exc:
        goal_add(plan=plan, actor=cast.alice, description="Trust", measure="contact_stage",
                 contact=stranger, target_stage="trust")  # fmt: skip
    assert exc.value.field == "contact" and "外人" in exc.value.message
    # On the buying centre, an external influencer is fine.
    buying_centre_member_set(account=cast.account, contact=stranger, actor=cast.alice)
    goal = goal_add(plan=plan, actor=cast.alice, description="Trust", measure="contact_stage",
                    contact=stranger.pk, target_stage="trust", target_value="5")  # fmt: skip
    assert goal.contact == stranger and goal.target_value is None  # unused fields cleared


def test_share_of_wallet_needs_the_wallet_size(cast, plan):
    plan_update(plan=plan, actor=cast.alice, wallet_size=None)
    plan.refresh_from_db()
    with pytest.raises(ApplicationError) as exc:
        goal_add(plan=plan, actor=cast.alice, description="Share", measure="share_of_wallet",
                 target_value=40)  # fmt: skip
    assert exc.value.field == "measure" and "wallet size" in exc.value.message
    plan_update(plan=plan, actor=cast.alice, wallet_size="500000")
    plan.refresh_from_db()
    goal_add(plan=plan, actor=cast.alice, description="Share", measure="share_of_wallet",
             target_value=40)  # fmt: skip
    with pytest.raises(ApplicationError) as exc:
        plan_update(plan=plan, actor=cast.alice, wallet_size=None)
    assert exc.value.field == "wallet_size"


def test_a_goal_is_updated_under_the_same_rules(cast, plan):
    goal = goal_add(plan=plan, actor=cast.alice, description="Revenue", measure="revenue",
                    target_value=Decimal("800000"))  # fmt: skip
    goal_update(goal=goal, actor=cast.alice, target_value=Decimal("900000"))
    goal.refresh_from_db()
    assert goal.target_value == Decimal("900000")
    with pytest.raises(ApplicationError) as exc:
        goal_update(goal=goal, actor=cast.alice, measure="supplier_stage")
    assert exc.value.field == "target_stage"
    with pytest.raises(NotFound):
        goal_update(goal=goal, actor=cast.charlie, description="x")


def test_an_action_owner_must_see_the_account_and_its_goal_be_of_the_plan(cast, plan):
    with pytest.raises(ApplicationError) as exc:
        action_create(plan=plan, actor=cast.alice, title="Call", owner=cast.charlie,
                      due_on=dt.date(2026, 7, 1))  # fmt: skip
    assert exc.value.field == "owner"
    other = plan_create(account=cast.account, year=2027, owner=cast.alice, actor=cast.alice)
    goal = goal_add(plan=other, actor=cast.alice, description="Later", target_value=1)
    with pytest.raises(ApplicationError) as exc:
        action_create(plan=plan, actor=cast.alice, title="Call", owner=cast.alice,
                      due_on=dt.date(2026, 7, 1), goal=goal)  # fmt: skip
    assert exc.value.field == "goal"


def test_an_action_is_completed_reopened_and_cancelled(cast, plan):
    a = action_create(plan=plan, actor=cast.alice, title="Banquet", owner=cast.alice,
                      due_on=dt.date(2026, 6, 20))  # fmt: skip
    done = action_complete(action=a, actor=cast.alice)
    assert (done.status, done.done_on) == (ActionStatus.DONE, dt.date(2026, 6, 15))
    done = action_complete(action=a, actor=cast.alice, done_on=dt.date(2026, 6, 10))
    assert done.done_on == dt.date(2026, 6, 10)
    with pytest.raises(ApplicationError) as exc:
        action_complete(action=a, actor=cast.alice, done_on=dt.date(2026, 6, 16))
    assert exc.value.field == "done_on"
    with pytest.raises(Conflict):
        action_cancel(action=a, actor=cast.alice)
    reopened = action_reopen(action=a, actor=cast.alice)
    assert (reopened.status, reopened.done_on) == (ActionStatus.OPEN, None)
    cancelled = action_cancel(action=a, actor=cast.alice, reason="Budget cut")
    assert cancelled.status == ActionStatus.CANCELLED and "Budget cut" in cancelled.notes
    with pytest.raises(Conflict):
        action_complete(action=a, actor=cast.alice)
    with pytest.raises(NotFound):
        action_reopen(action=a, actor=cast.bob)


def test_a_review_cannot_be_recorded_before_it_is_held(cast, plan):
    with pytest.raises(ApplicationError) as exc:
        review_record(plan=plan, actor=cast.alice, held_on=dt.date(2026, 6, 16))
    assert exc.value.field == "held_on" and "2026-06-16" in exc.value.message
    review = review_record(plan=plan, actor=cast.alice, held_on=dt.date(2026, 6, 15),
                           period="2026 Q2", decisions="More visits")  # fmt: skip
    assert review.recorded_by == cast.alice


def test_an_action_whose_owner_lost_sight_of_the_account_is_still_completed_and_edited(cast, plan):
    from guanxi.plans.models import PlanAction
    from guanxi.plans.services import action_update

    # bob cannot see the account (it was handed over after the action was given to him).
    action = PlanAction.objects.create(plan=plan, title="Old visit", owner=cast.bob,
                                       due_on=dt.date(2026, 5, 1))  # fmt: skip
    assert action_complete(action=action, actor=cast.alice).status == ActionStatus.DONE
    assert action_reopen(action=action, actor=cast.alice).status == ActionStatus.OPEN
    assert action_update(action=action, actor=cast.alice, title="Old visit (moved)").title == (
        "Old visit (moved)")  # fmt: skip
    assert action_update(action=action, actor=cast.alice, owner=cast.bob).owner == cast.bob
    assert action_cancel(action=action, actor=cast.alice).status == ActionStatus.CANCELLED
    with pytest.raises(ApplicationError) as exc:  # naming someone who cannot see it is refused
        action_update(action=action, actor=cast.alice, owner=cast.charlie)
    assert exc.value.field == "owner" and "charlie cannot see the account" in exc.value.message


def test_a_value_the_model_refuses_is_invalid_input_on_its_field(cast, plan):
    # The model's own rules (here a length) come out of the services as the one error family.
    with pytest.raises(InvalidInput) as exc:
        plan_competitor_set(plan=plan, actor=cast.alice, name="竞" * 201)
    assert (exc.value.status_code, exc.value.field) == (422, "name")
    assert "200" in exc.value.errors["name"][0]
    with pytest.raises(InvalidInput) as exc:
        plan_update(plan=plan, actor=cast.alice, title="x" * 201)
    assert exc.value.field == "title"
    assert not PlanCompetitor.objects.filter(plan=plan).exists()
