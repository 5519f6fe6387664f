"""plan_progress: actions done vs due, each goal's current value read from the data (local
plan year), stage goals reached once a stage is recorded, the next review; actions_due_for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from guanxi.plans.models import ActionStatus, PlanAction
from guanxi.plans.selectors import actions_due_for, plan_progress, plans_visible_to
from guanxi.plans.services import (
    action_cancel,
    action_complete,
    action_create,
    goal_add,
    plan_create,
    review_record,
)
from guanxi.plans.tests.conftest import local
from guanxi.relationships.services import (
    account_relationship_set,
    buying_centre_member_set,
    relationship_stage_record,
)
from guanxi.touchpoints.models import Touchpoint, TouchpointKind
from tests.support import make_contact, make_transaction

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def goal_of(progress, description):
    return next(g for g in progress.goals if g.goal.description == description)


def test_a_purchase_at_2330_on_31_december_counts_for_that_year(cast):
    # Local (Asia/Shanghai) year boundaries, not UTC ones: 23:30 on 31 Dec is 15:30 UTC and
    # 00:10 on 1 Jan is 16:10 UTC the day before.
    make_transaction(account=cast.account, amount="100", when=local(2025, 12, 31, 23, 30))
    make_transaction(account=cast.account, amount="200", when=local(2026, 1, 1, 0, 10))
    make_transaction(account=cast.account, amount="400", when=local(2026, 12, 31, 23, 30),
                     cost="150")  # fmt: skip
    make_transaction(account=cast.account, amount="800", when=local(2027, 1, 1, 0, 10))
    with time_machine.travel(local(2027, 1, 1, 8), tick=False):
        plans = {
            year: plan_create(account=cast.account, year=year, owner=cast.alice, actor=cast.alice)
            for year in (2025, 2026, 2027)
        }
        for p in plans.values():
            goal_add(plan=p, actor=cast.alice, description="Revenue", measure="revenue",
                     target_value="1000")  # fmt: skip
            goal_add(plan=p, actor=cast.alice, description="Purchases", measure="transactions",
                     target_value="2")  # fmt: skip
            goal_add(plan=p, actor=cast.alice, description="Margin", measure="margin",
                     target_value="500")  # fmt: skip
        got = {y: plan_progress(p) for y, p in plans.items()}
    assert goal_of(got[2025], "Revenue").current == Decimal("100")
    revenue_2026 = goal_of(got[2026], "Revenue")
    assert revenue_2026.current == Decimal("600")
    assert revenue_2026.percent == Decimal("60.0") and revenue_2026.reached is False
    assert revenue_2026.current_display == "¥600"
    assert "2026-01-01 to 2026-12-31" in revenue_2026.source
    assert goal_of(got[2026], "Purchases").current == 2
    assert goal_of(got[2026], "Purchases").reached is True
    margin = goal_of(got[2026], "Margin")
    assert (
        margin.current == Decimal("250")
        and "over the 1 purchase whose cost is known" in margin.source
    )
    # 2027 so far: up to today, 1 January, only the purchase ten minutes into the year.
    assert goal_of(got[2027], "Revenue").current == Decimal("800")
    assert "2027-01-01 to 2027-01-01" in goal_of(got[2027], "Revenue").source


def test_purchases_after_today_and_of_other_accounts_do_not_count(cast, plan):
    make_transaction(account=cast.account, amount="300", when=local(2026, 6, 14))
    make_transaction(account=cast.account, amount="900", when=local(2026, 8, 1))  # booked ahead
    make_transaction(account=cast.west_account, amount="5000", when=local(2026, 6, 1))
    goal_add(plan=plan, actor=cast.alice, description="Revenue", measure="revenue",
             target_value="300")  # fmt: skip
    g = goal_of(plan_progress(plan), "Revenue")
    assert g.current == Decimal("300") and g.reached is True and g.percent == Decimal("100.0")


def test_share_of_wallet_is_revenue_over_the_wallet_size(cast, plan):
    make_transaction(account=cast.account, amount="250000", when=local(2026, 3, 1))
    goal_add(plan=plan, actor=cast.alice, description="Share", measure="share_of_wallet",
             target_value="50")  # fmt: skip
    g = goal_of(plan_progress(plan), "Share")
    assert g.current == Decimal("25") and g.current_display == "25%"
    assert g.percent == Decimal("50.0") and not g.reached
    assert "¥1,000,000" in g.source


def test_a_stage_goal_is_reached_once_the_stage_is_recorded(cast, plan):
    cfo = make_contact(account=cast.account, name="李财务")
    buying_centre_member_set(account=cast.account, contact=cfo, actor=cast.alice,
                             buying_roles=["decision_maker"])  # fmt: skip
    goal_add(plan=plan, actor=cast.alice, description="Trust with the CFO",
             measure="contact_stage", contact=cfo, target_stage="trust")  # fmt: skip
    g = goal_of(plan_progress(plan), "Trust with the CFO")
    assert (g.current, g.reached, g.is_stage) == (None, False, True)
    assert "no stage recorded with 李财务" in g.source
    relationship_stage_record(account=cast.account, contact=cfo, stage="goodwill",
                              actor=cast.alice, reached_on=dt.date(2026, 3, 1))  # fmt: skip
    g = goal_of(plan_progress(plan), "Trust with the CFO")
    assert (g.current, g.reached) == ("goodwill", False)
    # Not "reached this stage": the stage the person is at, and the goal's, side by side.
    assert g.source == ("Relationship map: 李财务 is at goodwill since 2026-03-01; the goal "
                        "is trust.")  # fmt: skip
    tp = Touchpoint.objects.create(
        account=cast.account,
        kind=TouchpointKind.VISIT,
        occurred_at=local(2026, 6, 10),
        logged_by=cast.alice,
    )
    tp.contacts.add(cfo)
    relationship_stage_record(account=cast.account, contact=cfo, stage="interest",
                              actor=cast.alice, reached_on=dt.date(2026, 6, 10),
                              evidence=tp)  # fmt: skip
    g = goal_of(plan_progress(plan), "Trust with the CFO")
    assert (g.current, g.reached) == ("interest", True)  # beyond trust counts
    assert "李财务 is at shared interest since 2026-06-10" in g.source
    assert g.current_display == "Shared interest" and g.target_display == "Trust"


def test_a_contact_not_on_the_buying_centre_still_has_their_stage_read(cast, plan):
    cfo = make_contact(account=cast.account, name="李财务")
    goal_add(plan=plan, actor=cast.alice, description="Trust", measure="contact_stage",
             contact=cfo, target_stage="trust")  # fmt: skip
    relationship_stage_record(account=cast.account, contact=cfo, stage="trust",
                              actor=cast.alice, reached_on=dt.date(2026, 5, 1))  # fmt: skip
    assert goal_of(plan_progress(plan), "Trust").reached is True


def test_organisation_stages_and_coverage_come_from_the_relationship(cast, plan):
    goal_add(plan=plan, actor=cast.alice, description="Core", measure="supplier_stage",
             target_stage="core")  # fmt: skip
    goal_add(plan=plan, actor=cast.alice, description="Kotler", measure="kotler_level",
             target_stage="proactive")  # fmt: skip
    goal_add(plan=plan, actor=cast.alice, description="Coverage", measure="coverage",
             target_value="60")  # fmt: skip
    p = plan_progress(plan)
    assert goal_of(p, "Core").current is None and goal_of(p, "Core").reached is False
    assert "not recorded yet" in goal_of(p, "Core").source
    coverage = goal_of(p, "Coverage")
    assert coverage.current is None and coverage.reached is None
    assert "no buying centre" in coverage.source
    account_relationship_set(account=cast.account, actor=cast.alice, supplier_stage="strategic",
                             kotler_level="accountable")  # fmt: skip
    buying_centre_member_set(account=cast.account, actor=cast.alice,
                             contact=make_contact(account=cast.account), stance="champion",
                             buying_roles=["decision_maker"])  # fmt: skip
    p = plan_progress(plan)
    assert (goal_of(p, "Core").current, goal_of(p, "Core").reached) == ("strategic", True)
    assert (goal_of(p, "Kotler").current, goal_of(p, "Kotler").reached) == ("accountable", False)
    coverage = goal_of(p, "Coverage")
    assert coverage.current is not None and 0 <= coverage.current <= 100
    assert coverage.reached == (coverage.current >= 60)


def test_a_manual_goal_shows_what_was_typed_in(cast, plan):
    goal_add(plan=plan, actor=cast.alice, description="NPS", measure="manual",
             target_value="50", manual_value="45")  # fmt: skip
    g = goal_of(plan_progress(plan), "NPS")
    assert (g.current, g.percent, g.reached, g.source) == (
        Decimal("45"), Decimal("90.0"), False, "Typed in.")  # fmt: skip


def test_actions_are_counted_done_due_overdue_and_due_soon(cast, plan):
    def add(title, due):
        return action_create(plan=plan, actor=cast.alice, title=title, owner=cast.alice,
                             due_on=due)  # fmt: skip

    action_complete(action=add("done on time", dt.date(2026, 5, 1)), actor=cast.alice)
    add("overdue", dt.date(2026, 6, 1))
    add("due today", dt.date(2026, 6, 15))
    add("in 30 days", dt.date(2026, 7, 15))
    add("later", dt.date(2026, 9, 1))
    action_cancel(action=add("cancelled", dt.date(2026, 6, 2)), actor=cast.alice)
    p = plan_progress(plan)
    counts = (p.actions_total, p.actions_done, p.actions_open, p.actions_overdue,
              p.actions_due_soon, p.actions_due, p.actions_cancelled)  # fmt: skip
    assert counts == (5, 1, 4, 1, 2, 3, 1)


def test_an_action_done_early_counts_as_due_so_done_never_exceeds_due(cast, plan):
    def add(title, due):
        return action_create(plan=plan, actor=cast.alice, title=title, owner=cast.alice,
                             due_on=due)  # fmt: skip

    add("overdue", dt.date(2026, 6, 1))
    action_complete(action=add("done on time", dt.date(2026, 6, 10)), actor=cast.alice)
    early = add("done early", dt.date(2026, 9, 1))
    action_complete(action=early, actor=cast.alice)  # today, 15 June: due in September
    add("later", dt.date(2026, 10, 1))
    action_cancel(action=add("cancelled", dt.date(2026, 6, 2)), actor=cast.alice)
    p = plan_progress(plan)
    assert (p.actions_done, p.actions_due, p.actions_total) == (2, 3, 4)
    assert p.actions_done_percent == 67
    action_complete(action=PlanAction.objects.get(title="overdue"), actor=cast.alice)
    p = plan_progress(plan)
    assert (p.actions_done, p.actions_due) == (3, 3)  # not "3 of 2"


def test_the_next_review_follows_the_last_one_or_the_plan_start(cast, plan):
    assert plan_progress(plan).next_review == dt.date(2026, 4, 1)  # quarterly from 1 January
    assert plan_progress(plan).next_review_overdue
    review_record(plan=plan, actor=cast.alice, held_on=dt.date(2026, 5, 31))
    p = plan_progress(plan)
    assert p.next_review == dt.date(2026, 8, 31) and not p.next_review_overdue
    plan.review_cadence = "monthly"
    assert plan_progress(plan).next_review == dt.date(2026, 6, 30)


def test_plans_and_due_actions_are_limited_to_visible_accounts(cast, plan):
    mine = action_create(plan=plan, actor=cast.alice, title="Mine", owner=cast.alice,
                         due_on=dt.date(2026, 6, 20))  # fmt: skip
    action_create(plan=plan, actor=cast.alice, title="Later", owner=cast.alice,
                  due_on=dt.date(2026, 8, 1))  # fmt: skip
    leads = action_create(plan=plan, actor=cast.alice, title="Lena's", owner=cast.lena,
                          due_on=dt.date(2026, 6, 1))  # fmt: skip
    action_complete(action=action_create(plan=plan, actor=cast.alice, title="Done",
                                         owner=cast.alice, due_on=dt.date(2026, 6, 1)),
                    actor=cast.alice)  # fmt: skip
    assert list(actions_due_for(cast.alice, until=dt.date(2026, 6, 30))) == [mine]
    assert list(actions_due_for(cast.lena, until=dt.date(2026, 6, 30))) == [leads]
    # An action whose owner no longer sees the account drops out.
    PlanAction.objects.filter(pk=mine.pk).update(owner=cast.charlie)
    assert list(actions_due_for(cast.charlie, until=dt.date(2026, 6, 30))) == []
    assert list(plans_visible_to(cast.alice)) == [plan]
    assert list(plans_visible_to(cast.bob)) == []
    assert list(plans_visible_to(cast.mia)) == [plan]
    assert PlanAction.objects.filter(status=ActionStatus.OPEN).count() == 3


def test_coverage_is_a_score_out_of_100_and_its_progress_stops_at_100_percent(cast, plan):
    from guanxi.plans.selectors import GoalProgress, _number_display

    assert _number_display("coverage", Decimal("80")) == "80/100"
    assert _number_display("share_of_wallet", Decimal("80")) == "80%"  # a share stays a percent
    goal = goal_add(plan=plan, actor=cast.alice, description="Coverage", measure="coverage",
                    target_value="80")  # fmt: skip

    def progress(measure, percent):
        return GoalProgress(goal=goal, measure=measure, measure_label="", target=None,
                            target_display="", current=None, current_display="",
                            percent=percent, reached=True, source="")  # fmt: skip

    assert progress("coverage", Decimal("120.0")).percent_display == "100%"
    assert progress("revenue", Decimal("120.0")).percent_display == "120.0%"  # over-achieved
    assert progress("coverage", None).percent_display == "—"


def test_a_progress_far_past_its_target_is_shown_as_more_than_999_percent():
    from decimal import Decimal

    from guanxi.plans.selectors import GoalProgress

    progress = GoalProgress.__new__(GoalProgress)
    progress.measure, progress.percent = "revenue", Decimal("46092584.0")
    assert progress.percent_display == ">999%"
    progress.percent = Decimal("120.0")
    assert progress.percent_display == "120.0%"
