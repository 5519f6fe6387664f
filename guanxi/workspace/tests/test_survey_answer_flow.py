"""A survey answer through the public page reaches the loyalty floor at once
(`workspace.flows.survey_answered`): the stored loyalty cell follows the new score, an open
referral ask of an account that is no longer a promoter is withdrawn, and the system's tasks
name their true source."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from guanxi.activities.models import Task
from guanxi.loyalty.matrix import loyalty_matrix_refresh
from guanxi.loyalty.models import AccountLoyalty, ReferralAsk
from guanxi.loyalty.referrals import referral_asks_create
from guanxi.surveys.models import SurveyTemplate
from guanxi.surveys.services import Answers, invitation_create, invitation_url, response_submit
from guanxi.surveys.services import invitation_token as token_of

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 6, 15, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai


def _invite(cast):
    template = SurveyTemplate.objects.get(code="nps")
    return invitation_create(actor=cast.alice, template=template, account=cast.account)


def test_a_detractor_answer_updates_the_cell_and_withdraws_the_referral_ask(cast):
    with time_machine.travel(NOON - dt.timedelta(days=30), tick=False):
        response_submit(token=token_of(_invite(cast)), answers=Answers(nps_score=10))
        loyalty_matrix_refresh()
        referral_asks_create()
    before = AccountLoyalty.objects.get(account=cast.account)
    assert (before.attitude_value, before.attitudinal_high) == (10, True)
    ask = ReferralAsk.objects.get(account=cast.account)
    assert (ask.task.status, ask.task.source) == ("open", "referral_ask")

    with time_machine.travel(NOON, tick=False):
        page = Client().post(invitation_url(_invite(cast)), {"nps_score": "3"})
    assert page.status_code == 200

    after = AccountLoyalty.objects.get(account=cast.account)
    assert (after.attitude_value, after.attitudinal_high) == (3, False)
    assert after.cell != before.cell
    ask.task.refresh_from_db()
    assert ask.task.status == "cancelled" and ask.task.cancel_reason
    recovery = Task.objects.get(account=cast.account, status="open")
    assert recovery.source == "recovery"


def test_a_promoter_answer_keeps_the_referral_ask(cast):
    with time_machine.travel(NOON - dt.timedelta(days=30), tick=False):
        response_submit(token=token_of(_invite(cast)), answers=Answers(nps_score=9))
        referral_asks_create()
    with time_machine.travel(NOON, tick=False):
        Client().post(invitation_url(_invite(cast)), {"nps_score": "10"})
    assert ReferralAsk.objects.get(account=cast.account).task.status == "open"
    assert AccountLoyalty.objects.get(account=cast.account).attitude_value == 10
