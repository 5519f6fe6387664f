"""/api/insights: the latest run and an account's score history, within the access rules."""

from __future__ import annotations

import pytest

from guanxi.insights.services import analysis_run
from guanxi.insights.tests.conftest import AS_OF


def test_latest_run_before_any_run_is_a_404_with_a_reason(as_user):
    response = as_user("alice").get("/api/insights/runs/latest")
    assert response.status_code == 404
    assert "guanxi analyze" in response.json()["message"]


def test_latest_run_reports_models_and_diagnostics(as_user, book):
    analysis_run(as_of=AS_OF)
    body = as_user("alice").get("/api/insights/runs/latest").json()
    assert body["status"] == "succeeded" and body["n_accounts"] == 12
    assert set(body["purchase_model"]["params"]) in ({"r", "alpha", "a", "b"},
                                                     {"r", "alpha", "s", "beta"})  # fmt: skip
    assert body["parameters"]["period"] == "W"
    assert body["pareto"]["curve"][-1][1] == pytest.approx(1)


@pytest.mark.parametrize("who,status", [("alice", 200), ("bob", 404), ("charlie", 404),
                                        ("lena", 200), ("mia", 200)])  # fmt: skip
def test_account_scores_follow_the_access_rule(as_user, cast, book, who, status):
    analysis_run(as_of=AS_OF.replace(month=1))
    analysis_run(as_of=AS_OF)
    response = as_user(who).get(f"/api/insights/accounts/{cast.account.pk}/scores")
    assert response.status_code == status
    if status == 200:
        scores = response.json()
        assert [s["observation_end"] for s in scores] == ["2026-01-30", "2026-06-30"]
        assert scores[-1]["segment"] and 0 <= scores[-1]["p_alive"] <= 1


def test_account_scores_reject_bad_ids(as_user):
    client = as_user("alice")
    assert client.get("/api/insights/accounts/0/scores").status_code == 422
    assert client.get("/api/insights/accounts/abc/scores").status_code == 422
    assert client.get("/api/insights/accounts/999999/scores").status_code == 404
