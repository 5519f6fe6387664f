"""The demo's loyalty stories: accounts in every loyalty cell, red and yellow lights with their
reasons, the KAM's feedback and the company's countermeasure on some, a red one on a KAM's
Today waiting for feedback, a referral."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction

from guanxi.demo.loyalty import AIR_CONDITIONING, DETRACTOR_WORDS
from guanxi.demo.services import demo_build, demo_nightly
from guanxi.loyalty.models import AccountLight, AccountLoyalty, Referral
from guanxi.workspace.today import agenda_section

AS_OF = dt.date(2026, 6, 30)
N = 150
SEED = 2026


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo_build(accounts=N, seed=SEED, as_of=AS_OF)
        summary = demo_nightly(as_of=AS_OF)
        yield summary
        transaction.set_rollback(True)


def test_every_loyalty_cell_holds_a_few_accounts(demo, db):
    cells = Counter(AccountLoyalty.objects.values_list("cell", flat=True))
    for cell in ("true", "spurious", "latent", "none"):
        assert cells[cell] >= 1, cells
    assert cells["no_survey"] >= 1  # some accounts were never surveyed: not guessed
    assert demo["steps"]["loyalty_matrix"]["accounts"] == sum(cells.values())


def test_red_and_yellow_lights_with_their_stories(demo, db):
    lit = AccountLight.objects.filter(cleared_at__isnull=True)
    codes = set(lit.values_list("rule__code", flat=True))
    assert {"complaint-overdue", "no-visit-after-failure", "champion-gone", "detractor"} <= codes
    assert lit.filter(colour="red").count() >= 3 and lit.filter(colour="yellow").exists()
    story = lit.get(rule__code="detractor", account__survey_responses__comment=DETRACTOR_WORDS)
    assert story.kam_feedback.startswith(DETRACTOR_WORDS) and story.countermeasure
    assert story.status == "acknowledged" and story.countermeasure_by.role == "team_lead"


def test_a_kam_finds_a_red_light_waiting_on_today(demo, db):
    waiting = AccountLight.objects.get(
        cleared_at__isnull=True,
        rule__code="no-visit-after-failure",
        account__cases__subject=AIR_CONDITIONING,
    )
    assert waiting.kam_feedback == "" and waiting.status == "open"
    owner = waiting.account.owner
    section = agenda_section("warning_lights", user=owner, as_of=AS_OF)
    assert waiting.pk in [item.light.pk for item in section]


def test_a_promoter_referred_an_account(demo, db):
    referral = Referral.objects.get(referred_lead=None)  # the others came with referred leads
    assert referral.referred_account_id != referral.referrer_account_id
    assert demo["steps"]["referral_asks"]["tasks"] >= 1  # the other promoters get an ask
