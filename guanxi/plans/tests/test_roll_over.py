"""Next year's plan (plan_roll_over, POST /api/plans/{id}/roll-over, the plan page's detail
action): what is carried over, what moves, what stays, and that it runs once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from guanxi.core.errors import NotFound
from guanxi.plans.models import AccountPlan, ActionStatus, PlanAction, PlanGoal
from guanxi.plans.roll_over import plan_roll_over
from guanxi.plans.services import (
    action_create,
    goal_add,
    plan_competitor_set,
    plan_update,
    review_record,
)
from tests.support import JSON, make_contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "clock")]


@pytest.fixture
def worked(cast, plan):
    cfo = make_contact(account=cast.account, name="李财务")
    plan_update(plan=plan, actor=cast.alice, challenges_macro="MICE demand recovers",
                customer_strategy="Expand to the west", decision_factors="State-owned",
                strategy="Become the sole supplier", review_cadence="monthly")  # fmt: skip
    plan_competitor_set(plan=plan, actor=cast.alice, name="锦江国际", positioning="Price leader",
                        share_estimate=40)  # fmt: skip
    revenue = goal_add(plan=plan, actor=cast.alice, description="Grow revenue", measure="revenue",
                       target_value="1000")  # fmt: skip
    goal_add(plan=plan, actor=cast.alice, description="Trust with the CFO",
             measure="contact_stage", contact=cfo, target_stage="trust")  # fmt: skip
    goal_add(plan=plan, actor=cast.alice, description="NPS", measure="manual", target_value="50",
             manual_value="42")  # fmt: skip
    action_create(plan=plan, actor=cast.alice, title="Dinner in June", owner=cast.alice,
                  due_on=dt.date(2026, 6, 30))  # fmt: skip
    action_create(plan=plan, actor=cast.alice, title="Kick-off in January", owner=cast.alice,
                  due_on=dt.date(2027, 1, 20), goal=revenue)  # fmt: skip
    done = action_create(plan=plan, actor=cast.alice, title="Done already", owner=cast.alice,
                         due_on=dt.date(2027, 2, 1))  # fmt: skip
    PlanAction.objects.filter(pk=done.pk).update(status=ActionStatus.DONE,
                                                 done_on=dt.date(2026, 6, 1))  # fmt: skip
    review_record(plan=plan, actor=cast.alice, held_on=dt.date(2026, 4, 2), period="2026 Q1")
    return plan


def test_next_years_plan_carries_over_the_analysis_competitors_goals_and_new_year_actions(
    cast, worked
):
    result = plan_roll_over(plan=worked, actor=cast.lena)
    new = result.plan
    assert result.created and (new.account, new.year, new.status) == (cast.account, 2027, "draft")
    assert new.title == "2027 华东会展" and new.owner == cast.alice and new.created_by == cast.lena
    carried = (new.challenges_macro, new.customer_strategy, new.decision_factors, new.strategy)
    assert carried == ("MICE demand recovers", "Expand to the west", "State-owned",
                       "Become the sole supplier")  # fmt: skip
    assert (new.wallet_size, new.review_cadence) == (Decimal("1000000.00"), "monthly")
    assert [(c.name, c.positioning, c.share_estimate) for c in new.competitors.all()] == [
        ("锦江国际", "Price leader", 40)]  # fmt: skip
    goals = list(new.goals.order_by("position"))
    assert [(g.description, g.measure, g.target_value, g.target_stage) for g in goals] == [
        ("Grow revenue", "revenue", Decimal("1000.00"), ""),
        ("Trust with the CFO", "contact_stage", None, "trust"),
        ("NPS", "manual", Decimal("50.00"), ""),
    ]  # fmt: skip
    assert goals[1].contact.name == "李财务" and goals[2].manual_value is None  # typed anew
    # The open action due in 2027 moved, linked to the new plan's copy of its goal.
    kick_off = PlanAction.objects.get(title="Kick-off in January")
    assert (kick_off.plan, kick_off.goal) == (new, goals[0])
    # The one due in 2026 stays (and is listed); done ones stay; reviews start afresh.
    assert worked.actions.filter(title__in=["Dinner in June", "Done already"]).count() == 2
    assert [a.title for a in result.actions_left] == ["Dinner in June"]
    assert new.reviews.count() == 0 and worked.goals.count() == 3
    message = result.message()
    for words in ("Started the 2027 plan for 华东会展集团 as a draft", "1 competitor carried over.",
                  "3 goals with the same measures and targets", "1 open action due in 2027 moved",
                  "stays on the 2026 plan", "Dinner in June (2026-06-30)"):  # fmt: skip
        assert words in message, words


def test_rolling_over_again_opens_the_existing_plan_and_copies_nothing(cast, worked):
    first = plan_roll_over(plan=worked, actor=cast.alice).plan
    again = plan_roll_over(plan=worked, actor=cast.alice)
    assert (again.created, again.plan) == (False, first)
    assert "already has a plan for 2027" in again.message()
    assert AccountPlan.objects.filter(account=cast.account).count() == 2
    assert first.goals.count() == 3 and first.competitors.count() == 1


def test_an_outsider_cannot_roll_a_plan_over(cast, worked):
    with pytest.raises(NotFound):
        plan_roll_over(plan=worked, actor=cast.charlie)
    assert not AccountPlan.objects.filter(year=2027).exists()


def test_an_old_owner_who_lost_sight_of_the_account_hands_the_new_plan_to_the_user(cast, plan):
    AccountPlan.objects.filter(pk=plan.pk).update(owner=cast.bob)
    new = plan_roll_over(plan=plan.pk, actor=cast.alice).plan
    assert new.owner == cast.alice


def test_the_api_rolls_over_once_then_returns_the_plan(as_user, cast, worked):
    alice = as_user("alice")
    url = f"/api/plans/{worked.pk}/roll-over"
    response = alice.post(url, {}, content_type=JSON)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["created"] and body["plan"]["year"] == 2027 and len(body["plan"]["goals"]) == 3
    assert "Carried over" in body["message"]
    again = alice.post(url, {}, content_type=JSON)
    assert again.status_code == 200 and again.json()["plan"]["id"] == body["plan"]["id"]
    assert as_user("charlie").post(url, {}, content_type=JSON).status_code == 404


def test_the_plan_page_asks_then_creates_next_years_plan(client, cast, worked):
    url = reverse("admin:plans_accountplan_roll_over", args=(worked.pk,))
    client.force_login(cast.alice)
    change = client.get(reverse("admin:plans_accountplan_change", args=(worked.pk,)))
    assert url in change.content.decode()  # the detail action
    page = client.get(url)
    assert page.status_code == 200 and 'data-roll-over="2027"' in page.content.decode()
    assert not AccountPlan.objects.filter(year=2027).exists()  # a GET writes nothing
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200
    response = client.post(url, follow=True)
    new = AccountPlan.objects.get(account=cast.account, year=2027)
    assert response.redirect_chain[-1][0] == reverse("admin:plans_accountplan_change",
                                                     args=(new.pk,))  # fmt: skip
    assert "Started the 2027 plan" in response.content.decode()
    client.force_login(cast.charlie)
    assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    assert PlanGoal.objects.filter(plan__year=2027).count() == 3
