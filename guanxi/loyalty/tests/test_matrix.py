"""The nightly loyalty matrix and the referral asks."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from guanxi.activities.models import Task
from guanxi.loyalty.matrix import loyalty_matrix_refresh
from guanxi.loyalty.matrix_rules import Attitude, attitude_of, cell_of
from guanxi.loyalty.models import AccountLoyalty, Referral, ReferralAsk
from guanxi.loyalty.referrals import referral_asks_create
from guanxi.loyalty.tests.support import make_run, make_score, nps
from guanxi.surveys.selectors import LatestScores
from tests.support import make_account

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)
NOON = dt.datetime(2026, 6, 15, 4, 0, tzinfo=dt.UTC)


def test_the_four_cells_and_no_survey():
    high, low = Attitude("nps", 10, True, None), Attitude("nps", 3, False, None)
    assert cell_of(True, high) == "true"
    assert cell_of(True, low) == "spurious"
    assert cell_of(False, high) == "latent"
    assert cell_of(False, low) == "none"
    assert cell_of(True, None) == "no_survey"


def test_nps_comes_first_then_csat_then_servqual():
    assert attitude_of(LatestScores(nps=7, csat=5.0)).source == "nps"
    assert attitude_of(LatestScores(csat=4.0)).high is True
    assert attitude_of(LatestScores(servqual_gap=-0.4)).high is False
    assert attitude_of(LatestScores()) is None
    assert attitude_of(None) is None


@time_machine.travel(NOON, tick=False)
def test_the_matrix_stores_every_account_s_cell(cast):
    loyal, spurious, latent = (make_account(owner=cast.alice) for _ in range(3))
    run = make_run(dt.date(2026, 6, 14))
    make_score(run, loyal, p_alive=0.9, frequency=6)
    make_score(run, spurious, p_alive=0.8, frequency=4)
    make_score(run, latent, p_alive=0.9, frequency=0)
    make_score(run, cast.account, p_alive=0.9, frequency=5)  # never surveyed
    nps(loyal, 10, on=TODAY - dt.timedelta(days=3))
    nps(spurious, 5, on=TODAY - dt.timedelta(days=3))
    nps(latent, 9, on=TODAY - dt.timedelta(days=3))
    nps(cast.west_account, 2, on=TODAY - dt.timedelta(days=3))  # no purchases: none

    summary = loyalty_matrix_refresh(as_of=TODAY)

    cells = dict(AccountLoyalty.objects.values_list("account_id", "cell"))
    assert cells == {
        loyal.pk: "true", spurious.pk: "spurious", latent.pk: "latent",
        cast.account.pk: "no_survey", cast.west_account.pk: "none",
    }  # fmt: skip
    assert summary["cells"] == {"true": 1, "spurious": 1, "latent": 1, "none": 1, "no_survey": 1}
    row = AccountLoyalty.objects.get(account=loyal)
    assert (row.attitude_source, row.attitude_value, row.repeat_purchases) == ("nps", 10.0, 6)

    loyalty_matrix_refresh(as_of=TODAY)  # replaces, never duplicates
    assert AccountLoyalty.objects.count() == 5


@time_machine.travel(NOON, tick=False)
def test_promoters_without_an_ask_get_a_task_once(cast):
    asked_before, referring = make_account(owner=cast.alice), make_account(owner=cast.alice)
    nps(cast.account, 10, on=TODAY - dt.timedelta(days=10))
    nps(asked_before, 9, on=TODAY - dt.timedelta(days=10))
    nps(referring, 9, on=TODAY - dt.timedelta(days=10))
    nps(cast.west_account, 7, on=TODAY - dt.timedelta(days=10))  # a passive
    ReferralAsk.objects.create(account=asked_before, asked_on=TODAY - dt.timedelta(days=30))
    Referral.objects.create(referrer_account=referring, referred_account=cast.west_account,
                            referred_on=TODAY - dt.timedelta(days=20))  # fmt: skip

    summary = referral_asks_create(as_of=TODAY)

    assert summary["tasks"] == 1
    task = Task.objects.get()
    assert task.account == cast.account and task.assignee == cast.alice
    assert ReferralAsk.objects.get(account=cast.account).task == task
    assert referral_asks_create(as_of=TODAY)["tasks"] == 0  # asked: waits for the months
