"""The loyalty matrix's cut-offs as data (`LoyaltyThresholds`): the migration's row holds the
values the matrix used before, the nightly step reads the row, managers change it on its admin
page (bounded, history kept; the matrix follows at once), the matrix page says where it cuts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from guanxi.core.models import JobRun
from guanxi.loyalty.matrix import loyalty_matrix_refresh
from guanxi.loyalty.matrix_rules import DEFAULT_CUTS, current_cuts
from guanxi.loyalty.models import AccountLoyalty, LoyaltyThresholds
from guanxi.loyalty.tests.support import make_run, make_score, nps
from tests.support import make_account

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)
NOON = dt.datetime(2026, 6, 15, 4, 0, tzinfo=dt.UTC)

FORM = {
    "behaviour_min_repeats": "2", "behaviour_min_p_alive": "0.50", "attitude_high_nps": "9",
    "attitude_high_csat": "4.0", "attitude_high_servqual_gap": "0.0",
}  # fmt: skip


def test_the_migration_keeps_the_cut_offs_the_matrix_had():
    row = LoyaltyThresholds.objects.get()
    assert (row.behaviour_min_repeats, row.behaviour_min_p_alive, row.attitude_high_nps,
            row.attitude_high_csat, row.attitude_high_servqual_gap) == (
        2, Decimal("0.50"), 9, Decimal("4.0"), Decimal("0.0"))  # fmt: skip
    assert current_cuts() == DEFAULT_CUTS


@time_machine.travel(NOON, tick=False)
def test_the_nightly_matrix_reads_the_managers_cut_offs(cast):
    nine, three_repeats = make_account(owner=cast.alice), make_account(owner=cast.alice)
    run = make_run(dt.date(2026, 6, 14))
    make_score(run, nine, p_alive=0.9, frequency=6)
    make_score(run, three_repeats, p_alive=0.6, frequency=3)
    nps(nine, 9, on=TODAY - dt.timedelta(days=3))
    nps(three_repeats, 10, on=TODAY - dt.timedelta(days=3))
    loyalty_matrix_refresh(as_of=TODAY)
    cells = dict(AccountLoyalty.objects.values_list("account_id", "cell"))
    assert (cells[nine.pk], cells[three_repeats.pk]) == ("true", "true")

    LoyaltyThresholds.objects.update(attitude_high_nps=10, behaviour_min_repeats=4)
    loyalty_matrix_refresh(as_of=TODAY)
    cells = dict(AccountLoyalty.objects.values_list("account_id", "cell"))
    # a 9 is no longer high in attitude; three repeat purchases no longer high in behaviour
    assert (cells[nine.pk], cells[three_repeats.pk]) == ("spurious", "latent")

    LoyaltyThresholds.objects.update(behaviour_min_repeats=2, behaviour_min_p_alive="0.70")
    loyalty_matrix_refresh(as_of=TODAY)
    assert AccountLoyalty.objects.get(account=three_repeats).cell == "latent"  # P(alive) 0.6


def test_managers_change_the_row_bounded_with_history_and_the_matrix_follows(client, cast):
    row = LoyaltyThresholds.objects.get()
    url = reverse("admin:loyalty_loyaltythresholds_change", args=(row.pk,))
    client.force_login(cast.mia)
    assert client.get(reverse("admin:loyalty_loyaltythresholds_changelist")).url == url
    response = client.post(url, {**FORM, "attitude_high_nps": "11", "attitude_high_csat": "6"})
    assert response.status_code == 200  # the form again, with the errors
    assert set(response.context["adminform"].form.errors) == {
        "attitude_high_nps", "attitude_high_csat"
    }  # fmt: skip
    assert LoyaltyThresholds.objects.get().attitude_high_nps == 9

    response = client.post(url, {**FORM, "attitude_high_nps": "10"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.attitude_high_nps == 10
    [change] = row.history.all()  # the migration's row had none; every change is kept
    assert (change.history_user, change.attitude_high_nps) == (cast.mia, 10)
    assert JobRun.objects.filter(name="loyalty_matrix").exists()  # the cells follow now


def test_a_kam_reads_the_thresholds_but_cannot_change_them(client, cast):
    row = LoyaltyThresholds.objects.get()
    url = reverse("admin:loyalty_loyaltythresholds_change", args=(row.pk,))
    client.force_login(cast.alice)
    assert client.get(url).status_code == 200
    client.post(url, {**FORM, "attitude_high_nps": "7"})
    assert LoyaltyThresholds.objects.get().attitude_high_nps == 9


def test_the_matrix_page_says_where_it_cuts(client, cast, english):
    LoyaltyThresholds.objects.update(behaviour_min_repeats=3, behaviour_min_p_alive="0.60",
                                     attitude_high_nps=10)  # fmt: skip
    client.force_login(cast.alice)
    text = client.get(reverse("loyalty_matrix")).content.decode()
    assert 'data-repeats="3" data-p-alive="60" data-nps="10" data-csat="4.0"' in text
    assert "at least 3 repeat purchases and P(alive) of 60% or more" in text
    assert "high: 3+ repeat purchases, P(alive) 60%+" in text  # the chart's axis
    assert reverse("admin:loyalty_loyaltythresholds_changelist") in text
