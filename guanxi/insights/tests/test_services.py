"""The analysis service: what a run stores, how it fails, and that history is kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.core.errors import ApplicationError
from guanxi.insights.models import AccountScore, AnalysisRun, RunStatus, Segment
from guanxi.insights.selectors import account_score_history, latest_run, run_describe
from guanxi.insights.services import analysis_run
from guanxi.insights.tests.conftest import AS_OF, buy
from tests.support import make_transaction


def test_a_run_scores_every_account_with_transactions(book, cast):
    run = analysis_run(actor=cast.mia, as_of=AS_OF)
    run.refresh_from_db()

    assert run.status == RunStatus.SUCCEEDED and run.error == ""
    assert run.triggered_by == cast.mia and run.observation_end == AS_OF
    assert run.n_accounts == 12 and run.n_accounts == run.scores.count()
    assert run.purchase_model["name"] in {"BetaGeo", "ParetoNBD"}
    assert run.purchase_model["params"]["r"] > 0
    assert sum(run.segment_counts.values()) == 12
    assert sum(run.pareto["classes"].values()) == 12
    assert run.pareto["curve"][0] == [0.0, 0.0] and run.pareto["curve"][-1][1] == pytest.approx(1)
    for score in run.scores.all():
        assert score.segment in Segment.values
        assert score.abc_class in "ABC"
        assert 0 <= score.p_alive <= 1
        assert score.expected_purchases_90d >= 0
        assert score.clv >= 0
        # Historic lifetime profit: revenue − cost of goods − cost to serve (none given here).
        assert score.historic_clp == score.total_revenue - score.total_cost - score.cost_to_serve


def test_lapsed_accounts_score_lower_than_regular_ones(book):
    run = analysis_run(as_of=AS_OF)
    scores = {s.account_id: s for s in run.scores.all()}
    regular = [scores[a.pk] for a in book[:5]]
    lapsed = [scores[a.pk] for a in book[5:9]]
    assert max(s.p_alive for s in lapsed) < min(s.p_alive for s in regular)
    assert max(s.clv for s in lapsed) < min(s.clv for s in regular)
    # RFM is relative to the book: lapsed accounts rank behind regular ones on recency.
    assert max(s.r_score for s in lapsed) <= min(s.r_score for s in regular)
    assert not {s.segment for s in lapsed} & {"Champions", "Loyal", "Potential loyalist"}


def test_missing_cost_counts_as_zero_and_cost_to_serve_lowers_lifetime_profit(book):
    one_off = book[9]
    run = analysis_run(as_of=AS_OF, cost_to_serve={one_off.pk: Decimal("250.00")})
    score = run.scores.get(account=one_off)
    assert score.total_cost == 0 and score.total_revenue == Decimal("3000.00")
    assert score.cost_to_serve == Decimal("250.00")
    assert score.historic_clp == Decimal("2750.00")

    other = run.scores.get(account=book[0])
    again = analysis_run(as_of=AS_OF, cost_to_serve={book[0].pk: Decimal("5000.00")})
    assert again.scores.get(account=book[0]).predictive_clp < other.predictive_clp


def test_transactions_after_the_date_are_not_read(book):
    early = analysis_run(as_of=dt.date(2025, 6, 30))
    late = analysis_run(as_of=AS_OF)
    assert early.n_transactions < late.n_transactions
    assert (
        early.scores.get(account=book[0]).total_revenue
        < late.scores.get(account=book[0]).total_revenue
    )


def test_local_day_decides_the_period(cast):
    # 2026-06-28 23:30 UTC is Monday 29 June 07:30 in Shanghai: a new week, so a repeat purchase.
    buy(cast.account, dt.date(2026, 6, 28), hour=10)  # Sunday 10:00 Shanghai
    make_transaction(
        account=cast.account,
        amount="100.00",
        when=dt.datetime(2026, 6, 28, 23, 30, tzinfo=dt.UTC),
    )
    run = analysis_run(as_of=AS_OF)
    assert run.scores.get(account=cast.account).frequency == 1


def test_every_run_is_kept_so_changes_show(book):
    first = analysis_run(as_of=dt.date(2025, 12, 31))
    second = analysis_run(as_of=AS_OF)
    history = account_score_history(book[5])
    assert [s.run_id for s in history] == [first.pk, second.pk]
    assert latest_run() == second
    assert AccountScore.objects.filter(account=book[5]).count() == 2


def test_no_transactions_fails_with_a_reason_kept_on_the_run(cast):
    with pytest.raises(ApplicationError) as caught:
        analysis_run(as_of=AS_OF)
    assert "2026-06-30" in caught.value.message
    run = AnalysisRun.objects.get()
    assert run.status == RunStatus.FAILED and "2026-06-30" in run.error
    assert run.finished_at is not None and not run.scores.exists()
    assert latest_run() is None
    assert "2026-06-30" in run_describe(run)


def test_when_nobody_bought_twice_the_models_are_skipped_but_rfm_and_abc_are_stored(cast):
    buy(cast.account, dt.date(2026, 1, 5), amount="900.00")
    buy(cast.west_account, dt.date(2026, 3, 5), amount="100.00")
    run = analysis_run(as_of=AS_OF)
    assert run.status == RunStatus.SUCCEEDED
    assert "repeat purchase" in run.purchase_model["error"]
    assert run.purchase_model.get("params") is None
    scores = {s.account_id: s for s in run.scores.all()}
    assert scores[cast.account.pk].abc_class == "A"
    assert scores[cast.account.pk].p_alive is None and scores[cast.account.pk].clv is None
    assert scores[cast.account.pk].historic_clp == Decimal("300.00")
    assert "repeat purchase" in run_describe(run)


def test_a_date_in_the_future_is_refused_before_anything_is_recorded(book, english):
    from django.utils import timezone

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ApplicationError) as caught:
        analysis_run(as_of=tomorrow)
    assert "in the future" in caught.value.message
    assert not AnalysisRun.objects.exists()


def test_a_calibration_the_model_cannot_predict_is_stored_as_null_not_nan():
    # JSON has no NaN (SQLite's JSON check refuses it): unpredictable figures become null, and the
    # run's description skips the holdout sentence instead of failing to format it.
    import types

    import polars as pl

    from guanxi.insights.services import _calibration_report

    nan = float("nan")
    cal = types.SimpleNamespace(
        table=pl.DataFrame({"bin": ["0"], "n_customers": [3], "actual": [0.5], "predicted": [nan]}),
        relative_error_total=nan,
        mae=nan,
        rmse=nan,
        actual_total=1.5,
        predicted_total=nan,
    )
    report = _calibration_report(
        types.SimpleNamespace(calibration=cal, holdout_periods=13, errors={})
    )
    assert report["rows"] == [{"bin": "0", "n_customers": 3, "actual": 0.5, "predicted": None}]
    assert report["metrics"]["predicted_total"] is None
    assert report["metrics"]["relative_error_percent"] is None
    run = AnalysisRun(observation_end=AS_OF, calibration=report, purchase_model={})
    assert "Holdout" not in " ".join(run_describe(run))
