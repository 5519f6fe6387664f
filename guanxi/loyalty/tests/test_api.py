"""/api/lights, /api/loyalty, /api/referrals: access as for accounts, errors as documented."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.loyalty.models import AccountLight, AccountLoyalty
from guanxi.loyalty.tests.support import rule
from tests.support import JSON, make_account, make_contact, make_transaction

pytestmark = pytest.mark.django_db


def light(account, code="champion-gone") -> AccountLight:
    r = rule(code)
    return AccountLight.objects.create(
        account=account, rule=r, colour=r.colour, raised_at=timezone.now(),
        last_seen_on=timezone.localdate(), facts={"contacts": [{"id": 1, "name": "王先生"}]},
    )  # fmt: skip


def test_lights_list_detail_and_filters_follow_the_access_rule(as_user, cast):
    mine, theirs = light(cast.account), light(cast.west_account, "detractor")
    alice = as_user("alice")
    body = alice.get("/api/lights").json()
    assert [row["id"] for row in body["items"]] == [mine.pk]
    assert body["items"][0]["reason"].startswith("Our champion 王先生")
    assert alice.get(f"/api/lights/{theirs.pk}").status_code == 404
    mia = as_user("mia")
    assert mia.get("/api/lights", {"colour": "yellow"}).json()["count"] == 1
    assert mia.get("/api/lights", {"mine": "true"}).json()["count"] == 0
    assert mia.get("/api/lights", {"colour": "blue"}).status_code == 422


def test_feedback_countermeasure_and_status_through_the_api(as_user, cast):
    lit = light(cast.account)
    alice = as_user("alice")
    response = alice.patch(f"/api/lights/{lit.pk}", {"kam_feedback": "已联系新对接人"},
                           content_type=JSON)  # fmt: skip
    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged"
    refused = alice.patch(f"/api/lights/{lit.pk}", {"countermeasure": "x"}, content_type=JSON)
    assert refused.status_code == 403 and refused.json()["field"] == "countermeasure"
    lena = as_user("lena")
    done = lena.patch(f"/api/lights/{lit.pk}", {"countermeasure": "总监拜访", "status": "resolved"},
                      content_type=JSON)  # fmt: skip
    assert done.json()["countermeasure"] == "总监拜访" and done.json()["status"] == "resolved"
    assert as_user("bob").patch(f"/api/lights/{lit.pk}", {"kam_feedback": "x"},
                                content_type=JSON).status_code == 404  # fmt: skip


def test_the_loyalty_matrix_counts_and_lists_a_cell(as_user, cast):
    for account, cell in ((cast.account, "true"), (cast.west_account, "spurious")):
        AccountLoyalty.objects.create(account=account, behavioural="high", cell=cell,
                                      as_of=dt.date(2026, 6, 1))  # fmt: skip
    alice = as_user("alice")
    cells = {c["cell"]: c["count"] for c in alice.get("/api/loyalty/matrix").json()["cells"]}
    assert cells == {"none": 0, "spurious": 0, "latent": 0, "true": 1, "no_survey": 0}
    listed = alice.get("/api/loyalty/accounts", {"cell": "true"}).json()
    assert [row["account"] for row in listed["items"]] == [cast.account.pk]
    assert alice.get("/api/loyalty/accounts", {"cell": "nonsense"}).status_code == 422


def test_a_referral_is_recorded_with_the_referred_account_s_revenue(as_user, cast):
    contact = make_contact(account=cast.account)
    referred = make_account(owner=cast.alice)
    make_transaction(account=referred, amount="880.00")
    alice = as_user("alice")
    payload = {"referrer_contact": contact.pk, "referred_account": referred.pk}
    response = alice.post("/api/referrals", payload, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["referrer_account"] == cast.account.pk and Decimal(body["value"]) == Decimal("880")
    assert alice.get("/api/referrals").json()["count"] == 1
    payload = {"referrer_account": cast.account.pk, "referred_account": cast.account.pk}
    myself = alice.post("/api/referrals", payload, content_type=JSON)
    assert myself.status_code == 422 and myself.json()["field"] == "referred_account"
    payload = {"referrer_account": cast.west_account.pk, "referred_account": referred.pk}
    hidden = alice.post("/api/referrals", payload, content_type=JSON)
    assert hidden.status_code == 404
    nothing = alice.post("/api/referrals", {"referrer_account": cast.account.pk}, content_type=JSON)
    assert nothing.status_code == 422
