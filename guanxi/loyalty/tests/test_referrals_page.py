"""The referral page (/loyalty/referrals/, 转介绍): who referred whom with the referral value from
the stored rollups, the access rule, the KAM / team / period filters, the promoters who have
referred nobody with their referral-ask task, the XLSX export, the sidebar link; and the same
filters on /api/referrals."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from guanxi.activities.models import Task, TaskKind
from guanxi.leads.models import Lead, LeadSource
from guanxi.loyalty.models import AccountLoyalty, Referral, ReferralAsk
from tests.support import make_account, make_contact, make_transaction

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 6, 15, 4, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def book(cast):
    """alice's account referred a new account (¥1,200 so far) through 王总, and a lead; charlie's
    west account referred an account of its own (¥500)."""
    today = timezone.localdate()
    wang = make_contact(account=cast.account, name="王总")
    new = make_account(owner=cast.alice, name="新客户甲")
    make_transaction(account=new, amount="1200.00")
    west_new = make_account(owner=cast.charlie, name="西区新客户")
    make_transaction(account=west_new, amount="500.00")
    source, _new = LeadSource.objects.get_or_create(
        builtin="referral", defaults={"kind": "referral"}
    )
    lead = Lead.objects.create(company="线索公司", owner=cast.alice, team=cast.east, source=source)
    return type("Book", (), {
        "to_account": Referral.objects.create(
            referrer_account=cast.account, referrer_contact=wang, referred_account=new,
            referred_on=today - dt.timedelta(days=10)),
        "to_lead": Referral.objects.create(
            referrer_account=cast.account, referred_lead=lead,
            referred_on=dt.date(today.year - 1, 3, 1)),
        "west": Referral.objects.create(
            referrer_account=cast.west_account, referred_account=west_new,
            referred_on=today - dt.timedelta(days=5)),
        "wang": wang, "new": new, "lead": lead,
    })  # fmt: skip


def shown(response) -> list[int]:
    return [r.pk for r in response.context["page"].object_list]


def test_a_kam_sees_the_referrals_of_their_accounts_with_the_value(client, cast, book):
    client.force_login(cast.alice)
    response = client.get(reverse("loyalty_referrals"))
    assert response.status_code == 200
    assert shown(response) == [book.to_account.pk, book.to_lead.pk]
    text = response.content.decode()
    row = text.split(f'data-referral="{book.to_account.pk}"')[1].split("</tr>")[0]
    assert 'data-value="1200.00"' in row and "王总" in row and "新客户甲" in row
    assert f'data-referred-lead="{book.lead.pk}"' in text
    assert f'data-referral="{book.west.pk}"' not in text
    totals = response.context["totals"]
    assert (totals["referrals"], totals["accounts"], Decimal(totals["value"])) == (2, 1, 1200)
    assert 'id="referrals" ' in text and 'data-accounts="1"' in text


def test_the_director_filters_by_kam_team_and_period(client, cast, book):
    client.force_login(cast.mia)
    url = reverse("loyalty_referrals")
    assert set(shown(client.get(url))) == {book.to_account.pk, book.to_lead.pk, book.west.pk}
    assert shown(client.get(url, {"owner": cast.charlie.pk})) == [book.west.pk]
    assert set(shown(client.get(url, {"team": cast.east.pk}))) == {
        book.to_account.pk, book.to_lead.pk
    }  # fmt: skip
    assert set(shown(client.get(url, {"period": "year"}))) == {book.to_account.pk, book.west.pk}
    assert shown(client.get(url, {"period": "last_year"})) == [book.to_lead.pk]
    day = book.to_account.referred_on
    assert shown(client.get(url, {"since": day, "until": day})) == [book.to_account.pk]
    assert len(shown(client.get(url, {"owner": "nobody", "period": "never"}))) == 3  # dropped


def test_promoters_who_have_not_referred_are_listed_with_their_ask(client, cast, book):
    today = timezone.localdate()

    def promoter(account, score=10):
        AccountLoyalty.objects.create(
            account=account, behavioural="high", cell="true", attitude_source="nps",
            attitude_value=score, attitude_on=today - dt.timedelta(days=20), as_of=today,
        )  # fmt: skip

    asked, unasked, passive = (make_account(owner=cast.alice) for _ in range(3))
    for account in (asked, unasked, cast.account, cast.west_account):
        promoter(account)  # cast.account referred 10 days ago: not listed
    promoter(passive, score=7)
    task = Task.objects.create(account=asked, assignee=cast.alice, kind=TaskKind.FOLLOW_UP,
                               title="Ask for a referral", due_date=today)  # fmt: skip
    ReferralAsk.objects.create(account=asked, asked_on=today - dt.timedelta(days=3), nps=10,
                               task=task)  # fmt: skip
    client.force_login(cast.alice)
    text = client.get(reverse("loyalty_referrals")).content.decode()
    assert 'id="promoters" data-count="2"' in text
    assert f'data-promoter="{unasked.pk}" data-asked=""' in text  # not asked yet: first
    assert text.index(f'data-promoter="{unasked.pk}"') < text.index(f'data-promoter="{asked.pk}"')
    assert f'data-ask-task="{task.pk}"' in text
    assert reverse("admin:activities_task_change", args=(task.pk,)) in text
    for absent in (cast.account, cast.west_account, passive):
        assert f'data-promoter="{absent.pk}"' not in text


def test_the_export_holds_the_filtered_referrals(client, cast, book, english):
    client.force_login(cast.mia)
    response = client.get(reverse("loyalty_referrals_export"), {"owner": cast.alice.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Referred on", "Referred by (account)", "Account code")
    body = {(r[1], r[4], r[5], r[6], r[7]) for r in rows[1:]}
    assert body == {
        (cast.account.name, "王总", "新客户甲", None, 1200.0),
        (cast.account.name, None, None, "线索公司", 0.0),
    }


def test_the_page_reads_a_bounded_number_of_queries(client, cast, book,
                                                     django_assert_max_num_queries):  # fmt: skip
    for i in range(20):
        Referral.objects.create(referrer_account=cast.account, referred_account=book.new,
                                referred_on=dt.date(2026, 1, 1) + dt.timedelta(days=i))  # fmt: skip
    client.force_login(cast.alice)
    client.get(reverse("loyalty_referrals"))  # warm the session and the sidebar
    with django_assert_max_num_queries(16):
        assert client.get(reverse("loyalty_referrals")).status_code == 200


def test_the_sidebar_links_the_page_near_the_warning_lights(client, cast):
    client.force_login(cast.alice)
    text = client.get(reverse("loyalty_lights")).content.decode()
    lights, referrals = reverse("loyalty_lights"), reverse("loyalty_referrals")
    assert f'href="{referrals}"' in text
    assert text.index(f'href="{lights}"') < text.index(f'href="{referrals}"')


def test_the_api_lists_with_the_same_filters_and_records(as_user, cast, book):
    client = as_user("mia")
    rows = client.get("/api/referrals", {"owner": cast.alice.pk}).json()["items"]
    assert {r["id"] for r in rows} == {book.to_account.pk, book.to_lead.pk}
    assert {r["id"]: Decimal(str(r["value"])) for r in rows}[book.to_account.pk] == Decimal(1200)
    day = book.west.referred_on.isoformat()
    rows = client.get("/api/referrals", {"since": day, "until": day}).json()["items"]
    assert [r["id"] for r in rows] == [book.west.pk]
    assert client.get("/api/referrals", {"since": "yesterday"}).status_code == 422
    response = as_user("alice").post(
        "/api/referrals",
        {"referrer_contact": book.wang.pk, "referred_lead": book.lead.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["referrer_account"] == cast.account.pk
    assert as_user("alice").get("/api/referrals", {"team": cast.west.pk}).json()["count"] == 0
