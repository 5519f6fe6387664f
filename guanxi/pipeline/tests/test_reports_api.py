"""/api/pipeline: board, funnel, forecast and win/loss under the access rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.pipeline.models import SalesTarget
from guanxi.pipeline.tests.deals import make_deal, stage


@pytest.fixture
def deal(cast):
    today = timezone.localdate()
    SalesTarget.objects.create(user=cast.alice, starts_on=today.replace(day=1), amount=4000)
    make_deal(account=cast.west_account, amount="5000", expected_close=today,
              path=(("identify", today - dt.timedelta(days=3)),))  # fmt: skip
    return make_deal(account=cast.account, amount="10000", expected_close=today,
                     path=(("identify", today - dt.timedelta(days=3)),))  # fmt: skip


def test_board_columns_for_a_kam(as_user, cast, deal):
    body = as_user("alice").get("/api/pipeline/board").json()
    identify = next(c for c in body["columns"] if c["stage"] == stage("identify").pk)
    assert identify["count"] == 1 and Decimal(identify["weighted"]) == Decimal("1000")
    assert [c["id"] for c in identify["cards"]] == [deal.pk]
    assert identify["cards"][0]["account"] == cast.account.pk
    assert body["count"] == 1
    assert as_user("charlie").get("/api/pipeline/board").json()["count"] == 1
    assert as_user("mia").get("/api/pipeline/board", {"limit": 1}).json()["count"] == 2


def test_board_bad_filters_are_422(as_user, cast, deal):
    client = as_user("alice")
    assert client.get("/api/pipeline/board", {"limit": 0}).status_code == 422
    assert client.get("/api/pipeline/board", {"opportunity_type": "x"}).status_code == 422
    assert client.get("/api/pipeline/board", {"owner": 0}).status_code == 422


def test_forecast_rows_and_attainment(as_user, cast, deal):
    body = as_user("alice").get("/api/pipeline/forecast", {"months": 1}).json()
    assert [(r["kind"], r["key"]) for r in body["rows"]] == [("kam", cast.alice.pk)]
    cell = body["rows"][0]["months"][0]
    assert Decimal(cell["weighted"]) == Decimal("1000") and Decimal(cell["target"]) == 4000
    assert cell["forecast_attainment"] == 0.25
    rows = as_user("mia").get("/api/pipeline/forecast", {"months": 2}).json()["rows"]
    company = next(r for r in rows if r["kind"] == "company")
    assert Decimal(company["total"]["weighted"]) == Decimal("1500")


def test_forecast_out_of_sight_is_404(as_user, cast, deal):
    response = as_user("alice").get("/api/pipeline/forecast", {"owner": cast.charlie.pk})
    assert response.status_code == 404 and response.json()["field"] == "owner"
    assert as_user("alice").get("/api/pipeline/forecast", {"months": 13}).status_code == 422


def test_funnel_and_win_loss(as_user, cast, deal):
    client = as_user("alice")
    steps = client.get("/api/pipeline/funnel").json()["steps"]
    assert steps[0]["stage"] == stage("identify").pk and steps[0]["entered"] == 1
    body = client.get("/api/pipeline/win-loss", {"start": "2026-01-01", "end": "2020-01-01"})
    assert body.status_code == 200 and body.json()["won"] == 0


def test_needs_a_token(client, cast):
    assert client.get("/api/pipeline/forecast").status_code == 401
