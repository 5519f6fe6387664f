"""A lead's "referred by" is a referral (转介绍) on the referrals page: the lead admin form and
the lead API record it through the flows (`workspace.flows.lead_record` / `lead_change`), a
changed referrer moves it, a cleared one deletes it, converting the lead points it at the new
account (`pipeline.convert.lead_convert`), never a second row, with the audit history naming
the actor. (The lead import has no referrer column.)"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from guanxi.leads.models import Lead
from guanxi.loyalty.models import Referral
from guanxi.loyalty.services import referral_create
from tests.support import JSON, make_account, make_contact

MAN_YES = {"money": "yes", "money_evidence": "预算已批", "authority": "yes",
           "authority_evidence": "总经理拍板", "need": "yes", "need_evidence": "年会"}  # fmt: skip


def post(client, url, body=None):
    return client.post(url, body if body is not None else {}, content_type=JSON)


def _create(client, sources, **fields):
    body = {"company": "苏州金鸡湖会议中心", "source": sources["referral"].pk, **fields}
    response = post(client, "/api/leads", body)
    assert response.status_code == 201, response.content
    return Lead.objects.get(pk=response.json()["lead"]["id"])


def test_an_api_lead_naming_a_person_records_the_referral(as_user, cast, sources):
    person = make_contact(account=cast.account, name="李娜")
    lead = _create(as_user("alice"), sources, referred_by_contact=person.pk)

    referral = Referral.objects.get(referred_lead=lead)
    assert (referral.referrer_account, referral.referrer_contact) == (cast.account, person)
    assert referral.referred_account is None and referral.recorded_by == cast.alice
    assert referral.referred_on == timezone.localdate(lead.created_at)
    first = referral.history.get()
    assert (first.history_type, first.history_user) == ("+", cast.alice)
    page = as_user("alice").get("/api/referrals").json()["items"]
    assert [r["referred_lead"] for r in page] == [lead.pk]


def test_a_lead_without_a_referrer_records_none(as_user, cast, sources):
    _create(as_user("alice"), sources)
    assert not Referral.objects.exists()


def test_a_changed_referrer_moves_the_row_and_a_cleared_one_deletes_it(as_user, cast, sources):
    client = as_user("alice")
    other = make_account(owner=cast.alice, name="苏州园区会展公司")
    lead = _create(client, sources, referred_by_account=cast.account.pk)
    row = Referral.objects.get(referred_lead=lead)

    url = f"/api/leads/{lead.pk}"

    def change(**fields):
        assert client.patch(url, fields, content_type=JSON).status_code == 200

    change(referred_by_account=other.pk)
    change(notes="下周拜访")  # not the referrer: nothing to follow
    moved = Referral.objects.get(referred_lead=lead)
    assert moved.pk == row.pk and moved.referrer_account == other
    assert [h.history_type for h in moved.history.order_by("history_id")] == ["+", "~"]

    change(referred_by_account=None)
    assert not Referral.objects.filter(referred_lead=lead).exists()
    gone = Referral.history.filter(id=row.pk).latest("history_id")
    assert (gone.history_type, gone.history_user) == ("-", cast.alice)


def test_a_referral_entered_by_hand_is_not_doubled(as_user, cast, sources):
    client = as_user("alice")
    lead = _create(client, sources)
    by_hand = referral_create(actor=cast.alice, referrer_account_id=cast.account.pk,
                              referred_lead_id=lead.pk, note="年会上介绍")  # fmt: skip
    person = make_contact(account=cast.account, name="王磊")
    response = client.patch(f"/api/leads/{lead.pk}", {"referred_by_contact": person.pk},
                            content_type=JSON)  # fmt: skip
    assert response.status_code == 200
    row = Referral.objects.get(referred_lead=lead)
    assert row.pk == by_hand.pk and row.referrer_contact == person and row.note == "年会上介绍"


def test_a_person_of_another_account_is_refused(as_user, cast, sources):
    person = make_contact(account=make_account(owner=cast.alice, name="别家公司"), name="赵六")
    response = post(as_user("alice"), "/api/leads", {
        "company": "某会展公司", "source": sources["referral"].pk,
        "referred_by_account": cast.account.pk, "referred_by_contact": person.pk,
    })  # fmt: skip
    assert response.status_code == 422
    assert response.json()["field"] == "referred_by_contact"
    assert not Lead.objects.exists() and not Referral.objects.exists()


def test_converting_points_the_referral_at_the_new_account(as_user, cast, sources):
    client = as_user("alice")
    lead = _create(client, sources, referred_by_account=cast.account.pk, person_name="孙杰",
                   **MAN_YES)  # fmt: skip
    assert post(client, f"/api/leads/{lead.pk}/qualify").status_code == 200
    body = post(client, f"/api/leads/{lead.pk}/convert").json()

    row = Referral.objects.get(referrer_account=cast.account)
    assert (row.referred_lead_id, row.referred_account_id) == (lead.pk, body["account"])
    assert row.history.latest("history_id").history_user == cast.alice
    listed = client.get("/api/referrals").json()["items"]
    assert [(r["referred_lead"], r["referred_account"]) for r in listed] == [
        (lead.pk, body["account"])
    ]


@pytest.fixture
def login(client, cast):
    client.force_login(cast.alice)
    return client


def _form(sources, cast, **fields):
    data = {"company": "杭州西湖国宾馆", "source": sources["referral"].pk, "owner": cast.alice.pk,
            "money": "", "authority": "", "need": ""}  # fmt: skip
    return {**data, **fields}


def test_the_admin_form_records_and_moves_the_referral(login, cast, sources):
    response = login.post(reverse("admin:leads_lead_add"),
                          _form(sources, cast, referred_by_account=cast.account.pk))  # fmt: skip
    assert response.status_code == 302
    lead = Lead.objects.get(company="杭州西湖国宾馆")
    row = Referral.objects.get(referred_lead=lead)
    assert row.referrer_account == cast.account and row.history.get().history_user == cast.alice

    other = make_account(owner=cast.alice, name="杭州会展集团")
    person = make_contact(account=other, name="陈静")
    url = reverse("admin:leads_lead_change", args=(lead.pk,))
    response = login.post(url, _form(sources, cast, referred_by_account=other.pk,
                                     referred_by_contact=person.pk))  # fmt: skip
    assert response.status_code == 302
    row = Referral.objects.get(referred_lead=lead)
    assert (row.referrer_account, row.referrer_contact) == (other, person)
    assert Referral.objects.count() == 1


def test_the_migration_gives_earlier_referred_leads_their_referral(cast, sources):
    """loyalty 0007: leads saved before a referrer made a referral row get theirs, once."""
    backfill = importlib.import_module(
        "guanxi.loyalty.migrations.0007_lead_referrals_backfill"
    ).backfill
    person = make_contact(account=cast.account, name="李娜")
    common = {"source": sources["referral"], "owner": cast.alice, "team": cast.alice.team}
    named = Lead.objects.create(company="甲会议公司", referred_by_contact=person, **common)
    became = make_account(owner=cast.alice, name="乙旅行社")
    converted = Lead.objects.create(
        company="乙旅行社", referred_by_account=cast.account, status="converted",
        account=became, money="yes", authority="yes", need="yes", **common,
    )  # fmt: skip
    Lead.objects.create(company="丙公司", **common)  # names no referrer

    backfill(django_apps, None)
    backfill(django_apps, None)  # running again adds nothing

    rows = {r.referred_lead_id: r for r in Referral.objects.all()}
    assert set(rows) == {named.pk, converted.pk}
    assert (rows[named.pk].referrer_account, rows[named.pk].referrer_contact) == (
        cast.account, person,
    )  # fmt: skip
    assert rows[named.pk].referred_account is None
    assert rows[converted.pk].referred_account == became
    assert rows[converted.pk].history.get().history_type == "+"
