"""/api/plans: list, detail with goals and progress, create, patch, goals, actions and their
complete/reopen/cancel, reviews — within the access rule, with clear 4xx messages."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.plans.models import AccountPlan, ActionStatus, PlanAction
from guanxi.plans.services import action_create, goal_add
from guanxi.plans.tests.conftest import local
from tests.support import JSON, make_contact, make_transaction

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def post(client, url, body=None):
    return client.post(url, body if body is not None else {}, content_type=JSON)


def patch(client, url, body):
    return client.patch(url, body, content_type=JSON)


def test_the_list_shows_visible_plans_and_filters(as_user, cast, plan):
    other = AccountPlan.objects.create(account=cast.west_account, year=2026, owner=cast.charlie)
    body = as_user("alice").get("/api/plans").json()
    assert [p["id"] for p in body["items"]] == [plan.pk] and body["count"] == 1
    assert body["items"][0]["account_name"] == "华东会展集团"
    mia = as_user("mia")
    assert {p["id"] for p in mia.get("/api/plans").json()["items"]} == {plan.pk, other.pk}
    assert [p["id"] for p in mia.get(f"/api/plans?account={cast.west_account.pk}").json()[
        "items"]] == [other.pk]  # fmt: skip
    assert mia.get("/api/plans?year=2027").json()["count"] == 0
    assert mia.get("/api/plans?status=active").json()["count"] == 0
    assert mia.get("/api/plans?status=bogus").status_code == 422
    assert as_user("bob").get("/api/plans").json()["count"] == 0


def test_the_detail_has_goals_with_progress_actions_competitors_and_reviews(as_user, cast,
                                                                             plan):  # fmt: skip
    make_transaction(account=cast.account, amount="250000", when=local(2026, 2, 1))
    goal_add(plan=plan, actor=cast.alice, description="Revenue", measure="revenue",
             target_value="500000")  # fmt: skip
    action_create(plan=plan, actor=cast.alice, title="Call", owner=cast.alice,
                  due_on=dt.date(2026, 6, 1))  # fmt: skip
    response = as_user("alice").get(f"/api/plans/{plan.pk}")
    assert response.status_code == 200
    body = response.json()
    goal = body["goals"][0]
    assert goal["current"] == "250000.00" or float(goal["current"]) == 250000
    assert float(goal["percent"]) == 50.0 and goal["reached"] is False
    assert "Transactions" in goal["source"]
    assert body["progress"]["actions_overdue"] == 1 and body["progress"]["goals_total"] == 1
    assert body["progress"]["next_review_on"] == "2026-04-01"
    assert body["actions"][0]["title"] == "Call" and body["competitors"] == []
    assert body["account"] == cast.account.pk and body["owner"] == cast.alice.pk


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_an_outsider_gets_404_everywhere(as_user, cast, plan, who):
    action = action_create(plan=plan, actor=cast.alice, title="Call", owner=cast.alice,
                           due_on=dt.date(2026, 6, 1))  # fmt: skip
    c = as_user(who)
    base = f"/api/plans/{plan.pk}"
    assert c.get(base).status_code == 404
    assert patch(c, base, {"title": "x"}).status_code == 404
    assert post(c, f"{base}/goals", {"description": "x", "target_value": 1}).status_code == 404
    assert post(c, f"{base}/actions", {"title": "x", "due_on": "2026-07-01"}).status_code == 404
    assert post(c, f"{base}/actions/{action.pk}/complete").status_code == 404
    assert post(c, f"{base}/reviews", {"held_on": "2026-06-01"}).status_code == 404
    response = post(c, "/api/plans", {"account": cast.account.pk, "year": 2027})
    assert response.status_code == 404
    assert AccountPlan.objects.count() == 1


def test_a_plan_is_created_with_competitors_and_a_duplicate_is_409(as_user, cast):
    c = as_user("alice")
    response = post(c, "/api/plans", {
        "account": cast.account.pk, "year": 2026, "title": "Grow MICE",
        "challenges_macro": "Travel budgets cut", "wallet_size": "800000",
        "competitors": [{"name": "锦江", "positioning": "Price", "share_estimate": 35}],
    })  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == cast.alice.pk and body["challenges_macro"] == "Travel budgets cut"
    assert body["competitors"][0]["name"] == "锦江"
    again = post(c, "/api/plans", {"account": cast.account.pk, "year": 2026})
    assert again.status_code == 409
    assert again.json()["field"] == "year" and f"plan {body['id']}" in again.json()["message"]


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"year": 1990}, 422, "year"),
    ({"wallet_size": "-5"}, 422, "wallet_size"),
    ({"status": "maybe"}, 422, "status"),
    ({"owner": 99999}, 400, "owner"),
])  # fmt: skip
def test_bad_plan_input_is_4xx_with_the_field(as_user, cast, body, status, field):
    response = post(as_user("alice"), "/api/plans",
                    {"account": cast.account.pk, "year": 2026, **body})  # fmt: skip
    assert response.status_code == status
    assert response.json()["field"] == field and response.json()["message"]


def test_patch_changes_only_what_is_sent(as_user, cast, plan):
    c = as_user("lena")
    response = patch(c, f"/api/plans/{plan.pk}", {"status": "active", "strategy": "Own MICE",
                                                 "competitors": [{"name": "万达"}]})  # fmt: skip
    assert response.status_code == 200, response.json()
    plan.refresh_from_db()
    assert (plan.status, plan.strategy, plan.title) == ("active", "Own MICE", "2026 华东会展")
    assert plan.competitors.get().name == "万达"
    response = patch(c, f"/api/plans/{plan.pk}", {"owner": cast.charlie.pk})
    assert response.status_code == 400 and response.json()["field"] == "owner"
    response = patch(c, f"/api/plans/{plan.pk}", {"title": None})
    assert response.status_code in (400, 422) and response.json()["field"] == "title"


def test_goals_are_added_with_their_rules(as_user, cast, plan):
    c = as_user("alice")
    url = f"/api/plans/{plan.pk}/goals"
    response = post(c, url, {"description": "Revenue", "measure": "revenue"})
    assert response.status_code == 400 and response.json()["field"] == "target_value"
    cfo = make_contact(account=cast.account, name="李财务")
    response = post(c, url, {"description": "Trust", "measure": "contact_stage",
                             "contact": cfo.pk, "target_stage": "trust"})  # fmt: skip
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reached"] is False and body["target_display"] == "Trust"
    response = post(c, url, {"description": "Trust", "measure": "contact_stage",
                             "contact": 999999, "target_stage": "trust"})  # fmt: skip
    assert response.status_code == 404 and response.json()["field"] == "contact"
    response = post(c, url, {"description": "Share", "measure": "share_of_wallet",
                             "target_value": 150})  # fmt: skip
    assert response.status_code == 400 and response.json()["field"] == "target_value"


def test_actions_are_added_completed_reopened_and_cancelled(as_user, cast, plan):
    c = as_user("alice")
    base = f"/api/plans/{plan.pk}/actions"
    response = post(c, base, {"title": "Visit", "due_on": "2026-07-01", "owner": cast.charlie.pk})
    assert response.status_code == 400 and response.json()["field"] == "owner"
    response = post(c, base, {"title": "Visit", "due_on": "2026-07-01"})
    assert response.status_code == 201
    action_id = response.json()["id"]
    assert response.json()["owner"] == cast.alice.pk and response.json()["status"] == "open"
    response = post(c, f"{base}/{action_id}/complete", {"done_on": "2026-06-20"})
    assert response.status_code == 400 and response.json()["field"] == "done_on"
    response = post(c, f"{base}/{action_id}/complete")
    assert response.status_code == 200 and response.json()["done_on"] == "2026-06-15"
    assert post(c, f"{base}/{action_id}/cancel").status_code == 409
    assert post(c, f"{base}/{action_id}/reopen").json()["status"] == "open"
    response = post(c, f"{base}/{action_id}/cancel", {"reason": "No budget"})
    assert response.status_code == 200 and "No budget" in response.json()["notes"]
    assert PlanAction.objects.get(pk=action_id).status == ActionStatus.CANCELLED
    assert post(c, f"{base}/999999/complete").status_code == 404


def test_an_action_of_another_plan_is_not_found_under_this_one(as_user, cast, plan):
    other = AccountPlan.objects.create(account=cast.account, year=2027, owner=cast.alice)
    action = action_create(plan=other, actor=cast.alice, title="Later", owner=cast.alice,
                           due_on=dt.date(2027, 1, 5))  # fmt: skip
    response = post(as_user("alice"), f"/api/plans/{plan.pk}/actions/{action.pk}/complete")
    assert response.status_code == 404


def test_reviews_are_recorded_not_before_they_are_held(as_user, cast, plan):
    c = as_user("mia")
    url = f"/api/plans/{plan.pk}/reviews"
    response = post(c, url, {"held_on": "2026-06-16"})
    assert response.status_code == 400 and response.json()["field"] == "held_on"
    response = post(c, url, {"held_on": "2026-06-15", "period": "2026 Q2",
                             "decisions": "Second contact in finance"})  # fmt: skip
    assert response.status_code == 201 and response.json()["recorded_by"] == cast.mia.pk
    assert as_user("alice").get(f"/api/plans/{plan.pk}").json()["progress"][
        "next_review_on"] == "2026-09-15"  # fmt: skip


def test_the_endpoints_are_documented(as_user, cast):
    schema = as_user("alice").get("/api/openapi.json").json()
    paths = schema["paths"]
    assert paths["/api/plans"]["get"]["summary"].startswith("Account plans you can see")
    assert "post" in paths["/api/plans/{plan_id}/goals"]
    assert "post" in paths["/api/plans/{plan_id}/actions/{action_id}/reopen"]


def test_an_action_whose_owner_cannot_see_the_account_is_completed_reopened_cancelled(
    as_user, cast, plan
):
    action = PlanAction.objects.create(plan=plan, title="Old visit", owner=cast.bob,
                                       due_on=dt.date(2026, 5, 1))  # fmt: skip
    alice = as_user("alice")
    base = f"/api/plans/{plan.pk}/actions/{action.pk}"
    response = post(alice, f"{base}/complete")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == ActionStatus.DONE
    assert post(alice, f"{base}/reopen").json()["status"] == ActionStatus.OPEN
    assert post(alice, f"{base}/cancel", {"reason": "bob moved"}).json()["status"] == "cancelled"


def test_an_unknown_field_is_refused_not_dropped(as_user, cast, plan):
    c = as_user("alice")
    response = patch(c, f"/api/plans/{plan.pk}", {"account": cast.west_account.pk})
    assert response.status_code == 422 and "account" in str(response.json()), response.json()
    response = post(c, f"/api/plans/{plan.pk}/goals", {"description": "x", "bogus_field": 1})
    assert response.status_code == 422 and "bogus_field" in str(response.json())
    plan.refresh_from_db()
    assert plan.account == cast.account and not plan.goals.exists()
