"""`guanxi analyze`: runs the analysis, prints what it found, and fails with a reason."""

from __future__ import annotations

import datetime as dt

from guanxi.cli import main
from guanxi.insights.models import AnalysisRun, RunStatus


def test_analyze_scores_and_prints_a_summary(book, cast, capsys, english):
    assert main(["analyze", "--as-of", "2026-06-30", "--user", "mia"]) == 0
    out = capsys.readouterr().out
    run = AnalysisRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED and run.triggered_by == cast.mia
    assert f"Analysis run #{run.pk} (data up to 2026-06-30)" in out
    assert "12 accounts scored" in out and "Segments:" in out
    assert "BetaGeo" in out or "ParetoNBD" in out


def test_analyze_rejects_a_bad_date_and_an_unknown_user(db, capsys):
    assert main(["analyze", "--as-of", "30/06/2026"]) == 2
    assert "--as-of must be a date" in capsys.readouterr().err
    assert main(["analyze", "--user", "nobody"]) == 2
    assert "no user named 'nobody'" in capsys.readouterr().err
    assert not AnalysisRun.objects.exists()


def test_analyze_without_transactions_exits_non_zero_with_the_reason(db, capsys, english):
    assert main(["analyze", "--as-of", "2026-06-30"]) == 1
    assert "no transactions up to 2026-06-30" in capsys.readouterr().err
    assert AnalysisRun.objects.get().status == RunStatus.FAILED


def test_the_summary_says_when_a_model_did_not_fully_converge(book, english):
    from guanxi.insights.selectors import run_describe
    from guanxi.insights.services import analysis_run

    run = analysis_run(as_of=dt.date(2026, 6, 30))
    run.purchase_model["converged"] = False
    assert "(did not fully converge)" in run_describe(run)
    run.purchase_model["converged"] = True
    assert "did not fully converge" not in run_describe(run)
