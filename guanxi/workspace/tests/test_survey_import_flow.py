"""Survey answers imported from a file reach the loyalty floor as a web answer does
(`workspace.flows.survey_answers_imported` → `surveys_answered`, the batch form of
`survey_answered`): the loyalty cell follows the new score, a promoter due one gets its
referral-ask task now, a detractor's open ask is withdrawn — in a few queries whatever the
number of accounts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.loyalty.models import AccountLoyalty, ReferralAsk
from guanxi.surveys.importer import survey_answers_import
from guanxi.surveys.models import SurveyTemplate
from guanxi.surveys.services import invitation_create, invitation_url
from guanxi.workspace import flows
from tests.support import make_account

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 6, 15, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai
HEAD = "template,account,answered_at,nps_score\n"


def _import(client: Client, text: str):
    upload = SimpleUploadedFile("answers.csv", text.encode(), content_type="text/csv")
    page = client.post(reverse("admin:surveys_import"), {"file": upload})
    assert page.status_code == 200
    return page.context["result"]


def _web_answer(cast, account, score: int) -> None:
    invite = invitation_create(
        actor=cast.alice, template=SurveyTemplate.objects.get(code="nps"), account=account
    )
    assert Client().post(invitation_url(invite), {"nps_score": str(score)}).status_code == 200


def _state(account):
    cell = AccountLoyalty.objects.get(account=account)
    ask = ReferralAsk.objects.get(account=account)
    return (
        (cell.cell, cell.attitude_source, cell.attitude_value, cell.attitudinal_high, cell.as_of),
        (ask.asked_on, ask.nps, ask.task.status, ask.task.source, ask.task.kind,
         ask.task.assignee_id, ask.task.due_date),
    )  # fmt: skip


def test_an_imported_promoter_answer_leaves_what_a_web_answer_leaves(cast, client):
    by_web = make_account(owner=cast.alice, name="华东会展二公司")
    client.force_login(cast.alice)
    with time_machine.travel(NOON, tick=False):
        _web_answer(cast, by_web, 10)
        result = _import(client, HEAD + f"nps,{cast.account.code},2026-06-15 10:00,10\n")
    assert (result.created, result.answered_accounts) == (1, [cast.account.pk])

    imported, web = _state(cast.account), _state(by_web)
    assert imported == web
    assert imported[0][2:4] == (10, True)
    assert imported[1][2:4] == ("open", "referral_ask")
    assert ReferralAsk.objects.get(account=cast.account).task.account == cast.account


def test_an_imported_detractor_answer_withdraws_the_open_ask(cast, client):
    client.force_login(cast.alice)
    with time_machine.travel(NOON - dt.timedelta(days=30), tick=False):
        _import(client, HEAD + f"nps,{cast.account.code},2026-05-16,9\n")
    ask = ReferralAsk.objects.get(account=cast.account)
    assert ask.task.status == "open"
    with time_machine.travel(NOON, tick=False):
        _import(client, HEAD + f"nps,{cast.account.code},2026-06-15 09:00,2\n")
    ask.task.refresh_from_db()
    assert ask.task.status == "cancelled" and ask.task.cancel_reason
    assert AccountLoyalty.objects.get(account=cast.account).attitude_value == 2


def test_a_dry_run_refreshes_nothing(cast, client):
    client.force_login(cast.alice)
    text = HEAD + f"nps,{cast.account.code},2026-06-15,10\n"
    upload = SimpleUploadedFile("a.csv", text.encode())
    with time_machine.travel(NOON, tick=False):
        page = client.post(reverse("admin:surveys_import"), {"file": upload, "dry_run": "on"})
    assert page.context["result"].answered_accounts == []
    assert not AccountLoyalty.objects.exists() and not ReferralAsk.objects.exists()


def _answered(cast, n: int) -> tuple[int, list]:
    accounts = [make_account(owner=cast.alice, name=f"批量客户{n}-{i}") for i in range(n)]
    text = HEAD + "".join(f"nps,{a.code},2026-06-15 10:00,{9 + i % 2}\n"
                          for i, a in enumerate(accounts))  # fmt: skip
    result = survey_answers_import(actor=cast.alice, content=text.encode(), file_name="a.csv")
    with CaptureQueriesContext(connection) as queries:
        summary = flows.surveys_answered(account_ids=result.answered_accounts)
    assert summary["asked"] == n
    assert AccountLoyalty.objects.filter(account__in=accounts).count() == n
    return len(queries), accounts


def test_the_batch_reads_and_writes_in_a_few_queries_whatever_the_number(cast):
    with time_machine.travel(NOON, tick=False):
        few, _ = _answered(cast, 3)
        many, _ = _answered(cast, 40)
    assert many <= few + 2 and many < 30
