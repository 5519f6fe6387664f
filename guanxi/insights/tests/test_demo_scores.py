"""On the demo data the scores must make sense: the analysis finds the patterns the demo generated
(kept only in the demo's tags, which the analysis never reads)."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
from django.db import transaction

from guanxi.demo.scenarios import Pattern, demo_accounts_with_pattern
from guanxi.demo.services import demo_build
from guanxi.insights.models import AnalysisRun
from guanxi.insights.services import analysis_run

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def scored(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo_build(accounts=300, seed=2026, as_of=AS_OF)  # the demo users get
        run = analysis_run(as_of=AS_OF)
        yield run
        transaction.set_rollback(True)


def by_pattern(run: AnalysisRun, pattern: Pattern) -> list:
    ids = demo_accounts_with_pattern(pattern).values_list("id", flat=True)
    return list(run.scores.filter(account_id__in=ids))


def test_models_fit_and_hold_up_on_the_holdout(scored, db):
    assert scored.purchase_model.get("params"), scored.purchase_model
    metrics = scored.calibration["metrics"]
    assert abs(metrics["relative_error_total"]) < 0.25


def test_churned_accounts_come_out_with_low_probability_alive(scored, db):
    churned = [s.p_alive for s in by_pattern(scored, Pattern.CHURNED)]
    steady = [s.p_alive for s in by_pattern(scored, Pattern.STEADY)]
    growing = [s.p_alive for s in by_pattern(scored, Pattern.GROWING)]
    assert len(churned) >= 5
    assert statistics.median(churned) < 0.4
    assert statistics.median(steady) > 0.8 and statistics.median(growing) > 0.8
    # Most churners rank below almost every steady buyer.
    cut = sorted(steady)[len(steady) // 10]
    assert sum(p < cut for p in churned) >= 0.7 * len(churned)


def test_churned_accounts_are_worth_less_ahead_and_sit_in_lapsed_segments(scored, db):
    churned = by_pattern(scored, Pattern.CHURNED)
    growing = by_pattern(scored, Pattern.GROWING)
    assert statistics.median(s.clv for s in churned) < statistics.median(s.clv for s in growing) / 3
    lapsed = {"At risk", "Can't lose them", "Hibernating", "Lost", "About to sleep"}
    assert sum(s.segment in lapsed for s in churned) >= 0.8 * len(churned)


def test_one_off_buyers_are_worth_little_ahead_and_mostly_lost(scored, db):
    one_off = by_pattern(scored, Pattern.ONE_OFF)
    steady = by_pattern(scored, Pattern.STEADY)
    assert statistics.median(s.clv for s in one_off) < statistics.median(s.clv for s in steady) / 3
    lapsed = {"Lost", "Hibernating", "About to sleep"}
    assert sum(s.segment in lapsed for s in one_off) >= 0.7 * len(one_off)


def test_the_model_that_fits_best_is_used_and_the_others_are_reported(scored, db):
    candidates = scored.purchase_model["candidates"]
    assert {c["name"] for c in candidates} == {"BetaGeo", "ParetoNBD"}
    chosen = [c for c in candidates if c.get("chosen")]
    assert len(chosen) == 1 and chosen[0]["name"] == scored.purchase_model["name"]
    assert chosen[0]["log_likelihood"] == max(c["log_likelihood"] for c in candidates)
