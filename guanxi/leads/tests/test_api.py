"""/api/leads: list, create with duplicates, get, patch with MAN, qualify, disqualify, reopen,
attach, duplicates check and convert — within the lead access rule, with clear 4xx."""

from __future__ import annotations

import pytest

from guanxi.accounts.models import Account
from guanxi.leads.models import Lead, LeadStatus
from guanxi.pipeline.models import Opportunity
from tests.support import JSON, make_account, make_contact

MAN_YES = {"money": "yes", "money_evidence": "预算已批", "authority": "yes",
           "authority_evidence": "总经理拍板", "need": "yes", "need_evidence": "年会"}  # fmt: skip


def post(client, url, body=None):
    return client.post(url, body if body is not None else {}, content_type=JSON)


def patch(client, url, body):
    return client.patch(url, body, content_type=JSON)


def test_create_answers_with_the_lead_and_its_duplicates(as_user, cast, sources):
    make_account(owner=cast.alice, name="华为技术有限公司")
    make_account(owner=cast.charlie, name="华为技术（深圳）有限公司")
    response = post(as_user("alice"), "/api/leads", {
        "company": "北京华为技术有限公司", "source": sources["website"].pk, "person_name": "王芳",
        "money": "yes", "money_evidence": "预算200万",
    })  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    lead = Lead.objects.get(pk=body["lead"]["id"])
    assert lead.owner == cast.alice and lead.status == LeadStatus.WORKING
    dups = body["duplicates"]
    assert {(d["visible"], d["name"]) for d in dups} == {(True, "华为技术有限公司"), (False, "")}
    hidden = next(d for d in dups if not d["visible"])
    assert hidden["id"] is None and hidden["owner_name"] == str(cast.charlie)


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"company": "", "source": 1}, 422, "company"),
        ({"company": "某公司"}, 422, "source"),
        ({"company": "某公司", "source": 999999}, 422, "source"),
        ({"company": "某公司", "source": None, "money": "maybe"}, 422, "source"),
        ({"company": "某公司", "source": "SRC", "need": "yes"}, 422, "need_evidence"),
        ({"company": "某公司", "source": "SRC", "email": "not-an-email"}, 422, "email"),
        ({"company": "某公司", "source": "SRC", "owner": "BOB"}, 403, "owner"),
    ],
)
def test_bad_input_is_4xx_naming_the_field(as_user, cast, sources, body, status, field):
    body = {k: sources["bd"].pk if v == "SRC" else cast.bob.pk if v == "BOB" else v
            for k, v in body.items()}  # fmt: skip
    response = post(as_user("alice"), "/api/leads", body)
    assert response.status_code == status, response.json()
    assert response.json()["field"] == field


def test_list_is_scoped_filtered_and_paginated(as_user, new_lead, cast):
    mine = new_lead(cast.alice, company="甲公司", mobile="13900001111")
    new_lead(cast.charlie, company="乙公司")
    body = as_user("alice").get("/api/leads").json()
    assert [x["id"] for x in body["items"]] == [mine.pk] and body["count"] == 1
    assert as_user("lena").get("/api/leads").json()["count"] == 1
    assert as_user("mia").get("/api/leads?limit=1").json()["count"] == 2
    assert as_user("mia").get("/api/leads?q=1390000").json()["items"][0]["id"] == mine.pk
    assert as_user("mia").get("/api/leads?status=qualified").json()["count"] == 0
    assert as_user("mia").get("/api/leads?status=bogus").status_code == 422


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_an_outsider_gets_404_everywhere(as_user, new_lead, who, reasons):
    lead = new_lead()
    client = as_user(who)
    url = f"/api/leads/{lead.pk}"
    assert client.get(url).status_code == 404
    assert patch(client, url, {"city": "上海"}).status_code == 404
    for step in ("qualify", "reopen", "convert"):
        assert post(client, f"{url}/{step}").status_code == 404
    assert post(client, f"{url}/disqualify", {"reason": reasons["other"].pk}).status_code == 404
    assert client.get(f"{url}/duplicates").status_code == 404


def test_patch_man_then_qualify_disqualify_reopen(as_user, new_lead, reasons, cast):
    lead = new_lead()
    client = as_user("alice")
    url = f"/api/leads/{lead.pk}"
    response = post(client, f"{url}/qualify")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"money", "authority", "need"}
    assert patch(client, url, {"money": "yes"}).json()["field"] == "money_evidence"
    body = patch(client, url, {**MAN_YES, "city": "杭州"}).json()
    assert body["status"] == "working" and body["city"] == "杭州"
    assert post(client, f"{url}/qualify").json()["status"] == "qualified"
    assert post(client, f"{url}/disqualify", {"reason": 999999}).status_code == 422
    body = post(client, f"{url}/disqualify", {"reason": reasons["no_need"].pk, "note": "x"}).json()
    assert body["status"] == "disqualified" and body["disqualify_reason"] == reasons["no_need"].pk
    assert post(client, f"{url}/reopen").json()["status"] == "working"
    assert patch(client, url, {"owner": None}).status_code == 422
    lead.refresh_from_db()
    assert lead.history.first().history_user == cast.alice


def test_convert_refuses_a_copy_then_uses_the_account_on_file(as_user, qualified, cast):
    existing = make_account(owner=cast.alice, name="华为技术有限公司")
    person = make_contact(account=existing, name="张伟", mobile="13800138000")
    lead = qualified(company="华为技术（北京）有限公司", person_name="张伟", mobile="13800138000")
    client = as_user("alice")
    url = f"/api/leads/{lead.pk}/convert"
    accounts = Account.objects.count()
    response = post(client, url)
    assert response.status_code == 409
    assert response.json()["extra"] == {"kind": "account", "id": existing.pk,
                                        "name": "华为技术有限公司"}  # fmt: skip
    assert Account.objects.count() == accounts
    assert post(client, url, {"account": existing.pk}).status_code == 409  # the person exists
    body = post(client, url, {
        "account": existing.pk, "contact": person.pk,
        "opportunity": {"name": "年会", "expected_close": "2026-10-01",
                        "opportunity_type": "mice", "amount": "80000"},
    }).json()  # fmt: skip
    assert (body["account"], body["contact"]) == (existing.pk, person.pk)
    assert body["lead"]["status"] == "converted"
    deal = Opportunity.objects.get(pk=body["opportunity"])
    assert deal.lead_id == lead.pk and deal.account == existing
    assert Account.objects.count() == accounts
    assert post(client, url).status_code == 409  # already converted


def test_convert_a_new_company(as_user, qualified):
    lead = qualified(company="青岛啤酒节组委会", person_name="孙杰", email="sun@tsingtao.cn")
    body = post(as_user("alice"), f"/api/leads/{lead.pk}/convert").json()
    assert Account.objects.get(pk=body["account"]).status == "prospect"
    assert body["contact"] is not None and body["opportunity"] is None


def test_duplicates_check_and_attach(as_user, new_lead, cast):
    account = make_account(owner=cast.alice, name="上海锦江国际酒店集团股份有限公司")
    contact = make_contact(account=account, name="刘敏", email="liu.min@jinjiang.com")
    client = as_user("alice")
    found = client.get("/api/leads/duplicates", {"email": "LIU.MIN@jinjiang.com"}).json()
    assert [(d["kind"], d["id"]) for d in found] == [("contact", contact.pk)]
    found = client.get("/api/leads/duplicates", {"company": "锦江国际酒店有限公司"}).json()
    assert [d["id"] for d in found] == [account.pk]
    lead = new_lead(company="锦江国际酒店")
    body = post(client, f"/api/leads/{lead.pk}/attach",
                {"account": account.pk, "contact": contact.pk}).json()  # fmt: skip
    assert (body["account"], body["contact"]) == (account.pk, contact.pk)
    assert post(client, f"/api/leads/{lead.pk}/attach",
                {"account": cast.west_account.pk}).status_code == 404  # fmt: skip


def test_sources_and_reasons_lists_are_translated(as_user, sources, reasons):
    names = {s["name"] for s in as_user("alice").get("/api/leads/sources").json()}
    assert "Exhibition or trade show" in names
    client = as_user("alice")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    names = {s["name"] for s in client.get("/api/leads/sources").json()}
    assert "会展资源" in names
    assert len(client.get("/api/leads/disqualify-reasons").json()) == len(reasons)
