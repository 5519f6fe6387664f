"""Scores of old runs are removed past GUANXI_ANALYSIS_RUNS_KEPT; their reports stay, and every
page that shows runs or scores still works; the planner statistics are refreshed after a run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from guanxi.core.errors import ApplicationError
from guanxi.insights import services
from guanxi.insights.models import AccountScore, AnalysisRun, RunStatus
from guanxi.insights.selectors import account_score_history, latest_run, with_latest_scores
from guanxi.insights.services import analysis_run, scores_prune
from guanxi.insights.tests.conftest import AS_OF
from guanxi.transactions.models import Transaction
from tests.support import analyze_count, watch_analyze

SCORES = AccountScore._meta.db_table


def scored_runs() -> list[int]:
    return sorted(AccountScore.objects.values_list("run_id", flat=True).distinct())


@pytest.fixture
def four_runs(book, settings):
    """Four successful runs a month apart (and a failed one), all scores kept."""
    settings.GUANXI_ANALYSIS_RUNS_KEPT = 10
    runs = [analysis_run(as_of=AS_OF - dt.timedelta(days=30 * k)) for k in (3, 2, 1, 0)]
    AnalysisRun.objects.create(observation_end=AS_OF, status=RunStatus.FAILED, error="boom")
    return runs


def test_a_run_keeps_the_newest_runs_scores_and_prunes_the_rest(four_runs, settings):
    settings.GUANXI_ANALYSIS_RUNS_KEPT = 2
    counts = {r.pk: r.scores.count() for r in four_runs}
    newest = analysis_run(as_of=AS_OF)  # the fifth: keeps itself and the one before

    assert scored_runs() == [four_runs[3].pk, newest.pk]
    assert AccountScore.objects.filter(run=four_runs[3]).count() == counts[four_runs[3].pk]
    pruned = AnalysisRun.objects.filter(pk__in=[r.pk for r in four_runs[:3]])
    for run in pruned:  # the reports stay, marked
        assert run.status == RunStatus.SUCCEEDED and run.scores_pruned_at is not None
        assert run.n_accounts == counts[run.pk] and sum(run.segment_counts.values()) == 12
        assert run.purchase_model["params"]
    assert not AnalysisRun.objects.get(pk=four_runs[3].pk).scores_pruned_at
    assert latest_run() == newest


def test_pruning_again_deletes_nothing_more(four_runs):
    assert scores_prune(keep=3) == [four_runs[0].pk]
    assert scores_prune(keep=3) == []
    assert scored_runs() == [r.pk for r in four_runs[1:]]


def test_the_latest_run_is_never_pruned_even_when_made_before_a_back_dated_one(four_runs):
    back_dated = analysis_run(as_of=AS_OF - dt.timedelta(days=200))
    assert set(scores_prune(keep=1)) == {r.pk for r in four_runs[:3]} | {back_dated.pk}
    assert scored_runs() == [four_runs[3].pk] and latest_run() == four_runs[3]


def test_keep_is_at_least_one(four_runs):
    scores_prune(keep=0)
    assert scored_runs() == [four_runs[3].pk]


def test_reading_the_latest_scores_uses_only_the_latest_run(four_runs, cast):
    scores_prune(keep=1)
    row = with_latest_scores(type(cast.account).objects.filter(pk=cast.account.pk)).get()
    latest = AccountScore.objects.get(run=four_runs[3], account=cast.account)
    assert (row.score_segment, row.score_clv) == (latest.segment, latest.clv)
    assert [s.run_id for s in account_score_history(cast.account)] == [four_runs[3].pk]


def test_pages_of_pruned_runs_and_accounts_still_show(client, cast, four_runs, english):
    scores_prune(keep=2)
    client.force_login(cast.mia)
    page = client.get(reverse("admin:insights_analysisrun_change", args=(four_runs[0].pk,)))
    assert page.status_code == 200 and b"data-run-scores-pruned" in page.content
    kept = client.get(reverse("admin:insights_analysisrun_change", args=(four_runs[3].pk,)))
    assert kept.status_code == 200 and b"data-run-scores-pruned" not in kept.content
    assert client.get(reverse("admin:insights_analysisrun_changelist")).status_code == 200
    view = client.get(reverse("admin:accounts_account_view_360", args=(cast.account.pk,)))
    assert view.status_code == 200
    assert sorted(s.run_id for s in view.context["score_history"]) == [r.pk for r in four_runs[2:]]


def test_a_run_refreshes_the_planner_statistics_of_the_scores(book, monkeypatch):
    seen = watch_analyze(monkeypatch, services)
    before = analyze_count(SCORES)
    analysis_run(as_of=AS_OF)
    assert seen == [SCORES]
    if before is not None:  # PostgreSQL: it really ran
        assert analyze_count(SCORES) == before + 1


def test_a_failed_run_prunes_nothing(four_runs, settings):
    settings.GUANXI_ANALYSIS_RUNS_KEPT = 1
    Transaction.objects.all().delete()  # nothing to analyse: the run fails
    with pytest.raises(ApplicationError):
        analysis_run(as_of=AS_OF)
    assert scored_runs() == [r.pk for r in four_runs]
