"""Deal odds on the pipeline: the features read from the buying centre, relationship stages,
plans and the stage log (as of the close date where history allows), training on the closed
deals, the predictions written for the open ones, and too few deals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.commands.common import describe_odds
from guanxi.pipeline.models import OddsModel, OddsStatus, Opportunity
from guanxi.pipeline.odds import (
    MIN_DEALS,
    _training_rows,
    deal_features,
    odds_train,
    status_message,
)
from guanxi.pipeline.odds_words import deal_odds_explained
from guanxi.pipeline.tasks import odds_train_task
from guanxi.pipeline.tests.odds_fixtures import deal, history_fixture, seat  # noqa: F401
from guanxi.plans.models import AccountPlan
from guanxi.relationships.models import RelationshipRules, RelationshipStageEvent
from tests.support import make_account

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "clock")]


def test_a_mapped_decision_maker_that_always_won_pushes_the_odds_up(cast, stages, history):
    mapped = make_account(owner=cast.alice, name="Open mapped")
    seat(mapped)
    seat(mapped, roles=("user",), stance="supporter")
    good = deal(cast, mapped, via=[stages["contact"]])
    bad = deal(cast, make_account(owner=cast.alice, name="Open bare"), via=[stages["contact"]])

    record = odds_train()

    assert record.status == OddsStatus.TRAINED
    assert (record.n_deals, record.n_won, record.n_lost) == (2 * (MIN_DEALS // 2 + 2),) + (
        MIN_DEALS // 2 + 2,
    ) * 2
    assert record.base_rate == pytest.approx(0.5)
    assert record.n_predicted == 2 and record.n_holdout > 0
    assert record.brier_score is not None and record.reliability
    assert sum(b["count"] for b in record.reliability) >= record.n_holdout
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.predicted_probability > 50 > bad.predicted_probability
    assert good.history.count() == bad.history.count() == 2  # no history row per estimate

    view = deal_odds_explained(good)
    reasons = {r.feature: r for r in view.reasons}
    assert reasons["decision_maker"].level == "mapped" and reasons["decision_maker"].points > 5
    assert "decision maker" in reasons["decision_maker"].text
    assert view.probability == pytest.approx(good.predicted_probability, abs=0.1)
    total = sum(r.points for r in view.reasons) + view.rest_points
    assert total == pytest.approx(view.probability - view.base_rate)
    assert deal_odds_explained(bad).probability < view.base_rate


def test_too_few_closed_deals_make_no_model_and_say_why(cast, stages, price):
    for i in range(3):
        deal(cast, make_account(owner=cast.alice, name=f"A{i}"), outcome=stages["won"])
        deal(cast, make_account(owner=cast.alice, name=f"B{i}"), outcome=stages["lost"],
             lost_reason=price)  # fmt: skip
    open_deal = deal(cast, cast.account)

    record = odds_train()

    assert record.status == OddsStatus.INSUFFICIENT
    assert (record.n_won, record.n_lost, record.model) == (3, 3, {})
    assert "at least 30" in status_message(record)
    open_deal.refresh_from_db()
    assert open_deal.predicted_probability is None
    assert deal_odds_explained(open_deal) is None


def test_only_won_deals_make_no_model(cast, stages):
    for i in range(MIN_DEALS + 1):
        deal(cast, make_account(owner=cast.alice, name=f"A{i}"), outcome=stages["won"])
    record = odds_train()
    assert record.status == OddsStatus.INSUFFICIENT
    assert (record.n_won, record.n_lost) == (MIN_DEALS + 1, 0)
    assert OddsModel.objects.filter(status=OddsStatus.TRAINED).count() == 0


def test_relationship_stage_and_plan_are_taken_as_of_the_close_date(cast, stages, price):
    account = cast.account
    boss = seat(account)
    RelationshipStageEvent.objects.create(
        account=account, contact=boss, stage="goodwill", reached_on=dt.date(2026, 1, 10)
    )
    RelationshipStageEvent.objects.create(
        account=account, contact=boss, stage="trust", reached_on=dt.date(2026, 5, 1)
    )
    AccountPlan.objects.create(account=account, year=2026, status="active", owner=cast.alice)
    closed_early = deal(cast, account, outcome=stages["won"], closed_on=dt.date(2026, 3, 1))
    closed_2025 = deal(cast, account, outcome=stages["lost"], closed_on=dt.date(2025, 11, 1),
                       lost_reason=price)  # fmt: skip
    still_open = deal(cast, account)

    rows = {r.opportunity_id: r.values for r in deal_features([closed_early, closed_2025,
                                                              still_open])}  # fmt: skip

    assert rows[closed_early.pk]["decision_maker_stage"] == "goodwill"
    assert rows[closed_2025.pk]["decision_maker_stage"] == "none"
    assert rows[still_open.pk]["decision_maker_stage"] == "trust"
    assert rows[closed_early.pk]["account_plan"] == "active"
    assert rows[closed_2025.pk]["account_plan"] == "none"
    assert rows[still_open.pk]["decision_maker"] == "mapped"
    assert rows[still_open.pk]["single_threaded"] == "yes"  # one person mapped
    assert rows[still_open.pk]["p_alive"] == "unknown"  # no analysis run yet


def test_map_features_without_a_buying_centre_and_with_several_people(cast):
    other = make_account(owner=cast.alice, name="Spread")
    seat(other, roles=("influencer",), stance="supporter")
    seat(other, roles=("user",), stance="supporter", owner=cast.bob)  # two of ours
    bare, spread = deal(cast, cast.account), deal(cast, other)
    rows = {r.opportunity_id: r.values for r in deal_features([bare, spread])}
    assert (rows[bare.pk]["decision_maker"], rows[bare.pk]["single_threaded"]) == (
        "no_map", "no_map")  # fmt: skip
    assert (rows[spread.pk]["decision_maker"], rows[spread.pk]["single_threaded"]) == (
        "not_mapped", "no")  # fmt: skip


def test_a_closed_deal_gives_one_training_row_per_open_stage_it_reached(cast, stages, price):
    lost = deal(cast, cast.account, outcome=stages["lost"], lost_reason=price,
                via=[stages["contact"], stages["propose"]])  # fmt: skip
    (row,) = deal_features([lost])
    assert row.reached == [stages["identify"].pk, stages["contact"].pk, stages["propose"].pk]
    X, y = _training_rows([row])
    assert [x[-1] for x in X] == [str(s) for s in row.reached] and y == [0, 0, 0]


def test_features_of_many_deals_take_a_fixed_number_of_queries(cast, stages):
    def queries(n: int) -> int:
        deals = []
        for i in range(n):
            account = make_account(owner=cast.alice, name=f"Q{n}-{i}")
            seat(account)
            seat(account, roles=("user",), stance="supporter")  # two: the risks are read
            deals.append(deal(cast, account, via=[stages["contact"]]))
        with CaptureQueriesContext(connection) as ctx:
            deal_features(deals)
        return len(ctx.captured_queries)

    RelationshipRules.current()  # created on first read: that one insert is not per deal
    assert queries(2) == queries(8)


def test_predictions_are_written_for_open_deals_only(cast, stages, history):
    open_deal = deal(cast, cast.account)
    odds_train()
    assert (
        Opportunity.objects.exclude(outcome="open")
        .filter(predicted_probability__isnull=False)
        .count()
        == 0
    )
    open_deal.refresh_from_db()
    assert 0 < open_deal.predicted_probability < 100


def test_the_nightly_step_records_a_summary_and_says_it_in_one_line(cast, stages, history):
    summary = odds_train_task.job(as_of=dt.date(2026, 6, 15))
    assert summary["status"] == "trained" and summary["predicted"] == 0
    assert summary["deals"] == OddsModel.objects.get().n_deals
    line = describe_odds(summary)
    assert line.startswith(f"deal odds: model #{summary['model']} from {summary['deals']}")


def test_the_nightly_step_without_enough_deals_succeeds_with_a_message(db):
    summary = odds_train_task.job()
    assert (summary["status"], summary["deals"]) == ("insufficient", 0)
    assert describe_odds(summary) == "deal odds: no model (0 won, 0 lost closed deals)"


def test_the_summary_line_says_when_the_holdout_was_not_measured():
    summary = {"status": "trained", "model": 3, "deals": 40, "brier_score": None,
               "baseline_brier_score": None, "predicted": 5}  # fmt: skip
    assert describe_odds(summary) == (
        "deal odds: model #3 from 40 closed deals, holdout not measured (its earlier deals were "
        "all won or all lost), 5 open deals predicted"
    )
