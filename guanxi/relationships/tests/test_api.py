"""/api/relationships: buying centre, stages, organisation, health and the map, within the access
rule, with a clear 4xx for bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.relationships.models import (
    AccountRelationship,
    BuyingCentreMember,
    RelationshipStageEvent,
)
from guanxi.relationships.services import buying_centre_member_set, relationship_stage_record
from guanxi.touchpoints.models import Touchpoint, TouchpointKind
from tests.support import JSON, ROLES_SEE_ALICES, make_contact

pytestmark = pytest.mark.django_db

BASE = "/api/relationships/accounts"


@pytest.fixture
def people(cast):
    """王总 (approver, champion, touched) ← 李总 (decision maker, owned by lena) on alice's
    account; 外部 from charlie's account cannot be seen by alice."""
    acc = cast.account
    wang = make_contact(account=acc, name="王总", title="总经理")
    li = make_contact(account=acc, name="李总")
    buying_centre_member_set(account=acc, contact=wang, actor=None, buying_roles=["approver"],
                             stance="champion", influence=5, rising_star=False)  # fmt: skip
    buying_centre_member_set(account=acc, contact=li, actor=None, buying_roles=["decision_maker"],
                             stance="neutral", reports_to=wang,
                             relationship_owner=cast.lena)  # fmt: skip
    tp = Touchpoint.objects.create(account=acc, kind=TouchpointKind.VISIT,
                                   occurred_at=timezone.now())  # fmt: skip
    tp.contacts.add(wang)
    relationship_stage_record(account=acc, contact=wang, stage="goodwill", actor=None,
                              reached_on=dt.date(2026, 1, 5), evidence=tp)  # fmt: skip
    outsider = make_contact(account=cast.west_account, name="外部")
    return wang, li, outsider, tp


def put(client, url, body):
    return client.put(url, body, content_type=JSON)


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who,status", ROLES_SEE_ALICES)
@pytest.mark.parametrize("path", ["buying-centre", "stages", "organisation", "health", "map.svg"])
def test_every_read_follows_the_access_rule(as_user, cast, people, who, status, path):
    response = as_user(who).get(f"{BASE}/{cast.account.pk}/{path}")
    assert response.status_code == status
    if status == 404:
        assert "not found" in response.json()["message"]


@pytest.mark.parametrize("method,path,body", [
    ("put", "buying-centre/{c}", {"buying_roles": ["user"]}),
    ("delete", "buying-centre/{c}", None),
    ("post", "stages", {"contact": "{c}", "stage": "trust"}),
    ("put", "organisation", {"supplier_stage": "core"}),
])  # fmt: skip
def test_writes_on_an_account_the_user_cannot_see_are_not_found(
    as_user, cast, people, method, path, body
):
    wang = people[0]
    url = f"{BASE}/{cast.account.pk}/" + path.format(c=wang.pk)
    if body and body.get("contact") == "{c}":
        body = {**body, "contact": wang.pk}
    client = as_user("bob")
    response = getattr(client, method)(url, body, content_type=JSON) if body else client.delete(url)
    assert response.status_code == 404
    assert BuyingCentreMember.objects.filter(account=cast.account).count() == 2
    assert RelationshipStageEvent.objects.count() == 1
    assert not AccountRelationship.objects.exists()


def test_an_unknown_or_huge_account_id_is_a_clear_4xx(as_user):
    client = as_user("mia")
    assert client.get(f"{BASE}/999999/buying-centre").status_code == 404
    assert client.get(f"{BASE}/{2**63}/buying-centre").status_code == 422


def test_without_a_token_nothing_is_served(client, cast):
    assert client.get(f"{BASE}/{cast.account.pk}/health").status_code == 401


# --- Buying centre ------------------------------------------------------------------------------


def test_the_buying_centre_lists_each_seat_with_stage_and_last_touch(as_user, cast, people):
    wang, li, _, tp = people
    body = as_user("alice").get(f"{BASE}/{cast.account.pk}/buying-centre").json()
    assert body["account_id"] == cast.account.pk
    seats = {s["name"]: s for s in body["seats"]}
    assert list(seats) == ["王总", "李总"]  # most influential first
    w = seats["王总"]
    assert (w["roles"], w["role_labels"]) == (["approver"], ["Decision approver"])
    assert (w["stance"], w["stance_label"]) == ("champion", "Champion")
    assert w["influence"] == 5
    assert (w["stage"], w["stage_reached_on"]) == ("goodwill", "2026-01-05")
    assert w["last_touch_at"] is not None and w["title"] == "总经理"
    assert w["owner"] == {"id": cast.alice.pk, "name": "alice"} and not w["owner_named"]
    assert (w["external"], w["is_active"]) == (False, True)
    lee = seats["李总"]
    assert lee["reports_to"] == wang.pk
    assert lee["owner"]["id"] == cast.lena.pk and lee["owner_named"]
    assert lee["stage"] is None and lee["last_touch_at"] is None
    assert body["organisation"]["supplier_stage"] == "general"


def test_put_creates_then_replaces_a_seat(as_user, cast, people):
    wang, _, _, _ = people
    new = make_contact(account=cast.account, name="张经理")
    url = f"{BASE}/{cast.account.pk}/buying-centre/{new.pk}"
    body = {"buying_roles": ["influencer", "user"], "stance": "supporter", "influence": 2,
            "reports_to": wang.pk, "rising_star": True,
            "relationship_owner": cast.lena.pk, "notes": "新来的"}  # fmt: skip
    response = put(as_user("alice"), url, body)
    assert response.status_code == 200, response.json()
    seat = response.json()
    assert (seat["roles"], seat["influence"], seat["reports_to"]) == (
        ["influencer", "user"], 2, wang.pk,
    )  # fmt: skip
    assert seat["rising_star"] and seat["owner"]["id"] == cast.lena.pk and seat["notes"] == "新来的"
    response = put(as_user("alice"), url, {"buying_roles": ["gatekeeper"]})
    assert response.status_code == 200
    row = BuyingCentreMember.objects.get(account=cast.account, contact=new)
    assert (row.buying_roles, row.stance, row.reports_to, row.rising_star) == (
        ["gatekeeper"], "neutral", None, False,
    )  # fmt: skip


def test_put_accepts_an_outside_influencer_the_user_can_see(as_user, cast, people):
    other = cast.west_account
    gov = make_contact(account=other, name="商务局")
    url = f"{BASE}/{cast.account.pk}/buying-centre/{gov.pk}"
    assert put(as_user("alice"), url, {"buying_roles": ["influencer"]}).status_code == 404
    response = put(as_user("mia"), url, {"buying_roles": ["influencer"]})
    assert response.status_code == 200
    assert response.json()["external"] is True


@pytest.mark.parametrize("body,status,field,words", [
    ({"buying_roles": ["boss"]}, 400, "buying_roles", "Unknown buying role: boss."),
    ({"stance": "friendly"}, 400, "stance", "Unknown attitude"),
    ({"influence": 9}, 400, "influence", "Influence is from 1 to 5."),
    ({"influence": "lots"}, 422, "influence", ""),
    ({"buying_roles": "approver"}, 422, "buying_roles", ""),
    ({"relationship_owner": 999999}, 400, "relationship_owner", "User 999999 not found."),
])  # fmt: skip
def test_put_refuses_bad_input_with_the_field(as_user, cast, people, body, status, field, words):
    wang = people[0]
    response = put(as_user("alice"), f"{BASE}/{cast.account.pk}/buying-centre/{wang.pk}", body)
    assert response.status_code == status
    assert response.json()["field"] == field
    assert words in response.json()["message"]
    assert BuyingCentreMember.objects.get(contact=wang).buying_roles == ["approver"]


def test_put_refuses_a_reporting_loop_and_reporting_to_oneself(as_user, cast, people):
    wang, li, _, _ = people
    client = as_user("alice")
    loop = put(client, f"{BASE}/{cast.account.pk}/buying-centre/{wang.pk}",
               {"buying_roles": ["approver"], "reports_to": li.pk})  # fmt: skip
    assert loop.status_code == 400 and loop.json()["field"] == "reports_to"
    assert "already reports" in loop.json()["message"]
    self_ = put(client, f"{BASE}/{cast.account.pk}/buying-centre/{li.pk}", {"reports_to": li.pk})
    assert self_.status_code == 400 and "themselves" in self_.json()["message"]


def test_put_does_not_name_a_boss_the_user_cannot_see(as_user, cast, people):
    wang, _, outsider, _ = people
    response = put(as_user("alice"), f"{BASE}/{cast.account.pk}/buying-centre/{wang.pk}",
                   {"reports_to": outsider.pk})  # fmt: skip
    assert response.status_code == 400 and response.json()["field"] == "reports_to"
    assert "外部" not in response.json()["message"]
    assert str(outsider.pk) in response.json()["message"]


@pytest.mark.parametrize("contact", ["outsider", "missing"])
def test_put_with_a_contact_the_user_cannot_see_is_not_found(as_user, cast, people, contact):
    pk = people[2].pk if contact == "outsider" else 999999
    response = put(as_user("alice"), f"{BASE}/{cast.account.pk}/buying-centre/{pk}", {})
    assert response.status_code == 404
    assert response.json() == {"message": f"Contact {pk} not found.", "field": "contact_id"}


def test_delete_takes_a_person_off_and_their_reports_report_to_nobody(as_user, cast, people):
    wang, li, _, _ = people
    response = as_user("alice").delete(f"{BASE}/{cast.account.pk}/buying-centre/{wang.pk}")
    assert response.status_code == 204
    assert list(BuyingCentreMember.objects.values_list("contact_id", "reports_to")) == [
        (li.pk, None)
    ]


def test_delete_of_someone_not_on_the_map_is_not_found(as_user, cast, people):
    _, _, outsider, _ = people
    stranger = make_contact(account=cast.account, name="路人")
    client = as_user("alice")
    gone = client.delete(f"{BASE}/{cast.account.pk}/buying-centre/{stranger.pk}")
    assert gone.status_code == 404
    hidden = client.delete(f"{BASE}/{cast.account.pk}/buying-centre/{outsider.pk}")
    assert hidden.status_code == 404 and "外部" not in hidden.json()["message"]


# --- Stages -------------------------------------------------------------------------------------


def test_stages_list_the_history_and_record_a_new_one(as_user, cast, people):
    wang, li, _, tp = people
    client = as_user("alice")
    url = f"{BASE}/{cast.account.pk}/stages"
    response = client.post(url, {"contact": wang.pk, "stage": "trust", "reached_on": "2026-03-01",
                                 "evidence": tp.pk, "note": "签了年度协议"},
                           content_type=JSON)  # fmt: skip
    assert response.status_code == 201, response.json()
    event = response.json()
    assert (event["stage"], event["stage_label"], event["evidence"]) == (
        "trust", "Trust", tp.pk,
    )  # fmt: skip
    assert event["recorded_by"] == "alice" and event["contact_name"] == "王总"
    client.post(url, {"contact": li.pk, "stage": "goodwill"}, content_type=JSON)
    history = client.get(url).json()
    assert [(e["contact_name"], e["stage"]) for e in history] == [
        ("王总", "goodwill"), ("王总", "trust"), ("李总", "goodwill"),
    ]  # fmt: skip
    only_li = client.get(url, {"contact": li.pk}).json()
    assert [e["stage"] for e in only_li] == ["goodwill"]
    seat = client.get(f"{BASE}/{cast.account.pk}/buying-centre").json()["seats"][0]
    assert (seat["stage"], seat["stage_reached_on"]) == ("trust", "2026-03-01")


@pytest.mark.parametrize("body,status,field", [
    ({"stage": "love"}, 400, "stage"),
    ({"stage": "trust", "reached_on": "2999-01-01"}, 400, "reached_on"),
    ({"stage": "trust", "reached_on": "yesterday"}, 422, "reached_on"),
    ({"stage": "trust", "evidence": 999999}, 400, "evidence"),
    ({}, 422, "stage"),
])  # fmt: skip
def test_recording_a_stage_refuses_bad_input(as_user, cast, people, body, status, field):
    wang = people[0]
    response = as_user("alice").post(
        f"{BASE}/{cast.account.pk}/stages", {"contact": wang.pk, **body}, content_type=JSON
    )
    assert response.status_code == status
    assert response.json()["field"] == field
    assert RelationshipStageEvent.objects.count() == 1


def test_evidence_from_another_account_or_without_the_person_is_refused(as_user, cast, people):
    wang, li, _, tp = people
    client = as_user("alice")
    url = f"{BASE}/{cast.account.pk}/stages"
    other = Touchpoint.objects.create(account=cast.west_account, kind=TouchpointKind.CALL,
                                      occurred_at=timezone.now())  # fmt: skip
    response = client.post(url, {"contact": wang.pk, "stage": "trust", "evidence": other.pk},
                           content_type=JSON)  # fmt: skip
    assert response.status_code == 400 and response.json()["field"] == "evidence"
    response = client.post(url, {"contact": li.pk, "stage": "trust", "evidence": tp.pk},
                           content_type=JSON)  # fmt: skip
    assert response.status_code == 400 and "李总" in response.json()["message"]


def test_a_stage_for_a_contact_of_another_account_is_not_found(as_user, cast, people):
    outsider = people[2]
    response = as_user("alice").post(
        f"{BASE}/{cast.account.pk}/stages",
        {"contact": outsider.pk, "stage": "trust"},
        content_type=JSON,
    )
    assert response.status_code == 404 and response.json()["field"] == "contact"


# --- Organisation -------------------------------------------------------------------------------


def test_organisation_has_defaults_then_keeps_what_is_set(as_user, cast, people):
    client = as_user("alice")
    url = f"{BASE}/{cast.account.pk}/organisation"
    first = client.get(url).json()
    assert (first["supplier_stage"], first["kotler_level"], first["updated_at"]) == (
        "general", "basic", None,
    )  # fmt: skip
    response = put(client, url, {"supplier_stage": "core", "notes": "三年框架协议"})
    assert response.status_code == 200
    assert response.json()["supplier_stage_label"] == "Core supplier"
    response = put(client, url, {"kotler_level": "proactive"})
    body = client.get(url).json()
    assert (body["supplier_stage"], body["kotler_level"], body["notes"]) == (
        "core", "proactive", "三年框架协议",
    )  # fmt: skip
    assert AccountRelationship.objects.get().history.count() == 2


@pytest.mark.parametrize("body,field", [
    ({"supplier_stage": "best"}, "supplier_stage"),
    ({"kotler_level": "friends"}, "kotler_level"),
])  # fmt: skip
def test_organisation_refuses_unknown_values(as_user, cast, body, field):
    response = put(as_user("alice"), f"{BASE}/{cast.account.pk}/organisation", body)
    assert response.status_code == 400 and response.json()["field"] == field
    assert not AccountRelationship.objects.exists()


# --- Health and the map -------------------------------------------------------------------------


def test_health_gives_the_score_its_parts_and_the_risks_in_words(as_user, cast, people):
    body = as_user("alice").get(f"{BASE}/{cast.account.pk}/health").json()
    assert body["account_id"] == cast.account.pk
    assert 0 <= body["score"] <= 100
    assert body["score"] == sum(p["points"] for p in body["parts"])
    assert [p["out_of"] for p in body["parts"]] == [40, 20, 20, 20]
    codes = {r["code"]: r for r in body["risks"]}
    assert "decision_maker_stage" in codes
    assert codes["decision_maker_stage"]["message"] == (
        "No decision maker or approver has reached trust with us yet; best so far: 王总, "
        "goodwill."
    )
    assert codes["uncovered_role"]["contact_ids"] == [people[1].pk]  # 李总, never touched


def test_health_of_an_account_without_a_map_has_no_score(as_user, cast):
    body = as_user("alice").get(f"{BASE}/{cast.account.pk}/health").json()
    assert body == {"account_id": cast.account.pk, "score": None, "parts": [], "risks": []}


def test_health_speaks_the_language_of_the_request(as_user, cast, people):
    client = as_user("alice")
    en = client.get(f"{BASE}/{cast.account.pk}/health").json()
    zh = client.get(f"{BASE}/{cast.account.pk}/health", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert en["score"] == zh["score"]
    assert en["risks"][0]["message"].startswith("Nobody")


def test_the_map_is_an_svg_document(as_user, cast, people):
    response = as_user("alice").get(f"{BASE}/{cast.account.pk}/map.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    body = response.content.decode()
    assert "<svg" in body and "王总" in body and "李总" in body


def test_every_endpoint_is_documented_in_openapi(as_user):
    schema = as_user("alice").get("/api/openapi.json").json()
    paths = {p: ops for p, ops in schema["paths"].items() if p.startswith("/api/relationships")}
    expected = {
        ("get", "buying-centre"), ("put", "buying-centre/{contact_id}"),
        ("delete", "buying-centre/{contact_id}"), ("get", "stages"), ("post", "stages"),
        ("get", "organisation"), ("put", "organisation"), ("get", "health"), ("get", "map.svg"),
    }  # fmt: skip
    found = {
        (method, path.split("{account_id}/", 1)[1]) for path, ops in paths.items() for method in ops
    }
    assert found == expected
    for ops in paths.values():
        for op in ops.values():
            assert op["summary"] and op.get("description"), op
    svg = paths["/api/relationships/accounts/{account_id}/map.svg"]["get"]
    assert "image/svg+xml" in svg["responses"]["200"]["content"]


def test_put_refuses_an_owner_who_cannot_see_the_account(as_user, cast, people):
    wang = people[0]
    url = f"{BASE}/{cast.account.pk}/buying-centre/{wang.pk}"
    response = put(as_user("alice"), url, {"buying_roles": ["approver"],
                                           "relationship_owner": cast.bob.pk})  # fmt: skip
    assert response.status_code == 400
    assert response.json()["field"] == "relationship_owner"
    assert "bob cannot own a relationship on 华东会展集团" in response.json()["message"]
    assert BuyingCentreMember.objects.get(contact=wang).relationship_owner is None
